from store.clean import body_hash, clean_body, normalise_subject


def test_lotus_notes_forward_is_cut_and_own_words_kept():
    text = (
        "Jim,\n\nCan you look at the curve before Friday?\n\nPhillip\n"
        "---------------------- Forwarded by Phillip K Allen/HOU/ECT on 10/30/2000\n"
        "09:14 AM ---------------------------\n\n"
        "Stephen Stock\n10/27/2000 12:49 PM\nTo: Phillip K Allen/HOU/ECT@ECT\ncc:\n"
        "Subject: ERMS\n\nThe test server is ready.\n"
    )
    cleaned = clean_body(text)
    assert cleaned.body == "Jim,\n\nCan you look at the curve before Friday?\n\nPhillip"
    assert cleaned.had_forward
    assert "test server" not in cleaned.body


def test_lotus_reply_header_block_without_separator():
    text = ("Thanks, will do.\n\n\n\nIna Rangel\n10/11/2000 04:45 PM\n"
            "To: Phillip K Allen/HOU/ECT@ECT\ncc:\nSubject: Meeting\n\nPlease confirm.\n")
    cleaned = clean_body(text)
    assert cleaned.body == "Thanks, will do."
    assert cleaned.had_quote


def test_outlook_original_message_block():
    text = ("Fine by me.\n\n-----Original Message-----\nFrom: Bob\nSent: Monday\n"
            "To: Ann\nSubject: plan\n\nShall we go?")
    assert clean_body(text).body == "Fine by me."


def test_outlook_header_block_with_underscore_separator():
    text = ("Sure.\n\n________________________________\nFrom: Bob <b@x.example>\n"
            "Sent: Monday, 3 March 2025 09:00\nTo: Ann\nSubject: plan\n\nShall we go?")
    assert clean_body(text).body == "Sure."


def test_gmail_attribution_wrapped_over_two_lines_and_quotes():
    text = ("Yes please — Thursday works.\n\nOnward,\nTeddy\n\n"
            "On Tue, 4 Mar 2025 at 09:12, Ann Example <ann@x.example>\nwrote:\n"
            "> Can we meet Thursday?\n> Ann\n")
    cleaned = clean_body(text)
    assert cleaned.body == "Yes please — Thursday works.\n\nOnward,\nTeddy"
    assert cleaned.had_quote


def test_interleaved_reply_keeps_answers():
    text = "> Budget ok?\nYes, approved.\n> And the date?\nThe 14th."
    assert clean_body(text).body == "Yes, approved.\nThe 14th."


def test_gmail_forward_and_signature():
    assert clean_body("FYI\n\n---------- Forwarded message ---------\nFrom: x").body == "FYI"
    cleaned = clean_body("See you then.\n-- \nTeddy Quill | Hollowbrook\n01234 567")
    assert cleaned.body == "See you then." and cleaned.had_signature
    assert clean_body("Ok\n\nSent from my iPhone").body == "Ok"


def test_sign_off_is_kept_as_style():
    text = "Morning Sam,\n\nRight then — rota attached.\n\nOnward,\nTeddy"
    assert clean_body(text).body == text


def test_hash_folds_whitespace_and_subject_normalises():
    assert body_hash("a  b\n c") == body_hash("a b c")
    assert normalise_subject("RE: Fw: Re:  Gas  prices") == "gas prices"
