"""The draft checks: facts kept and made up, the right person greeted, what is wrong with a
draft's form, its length — on hand-made drafts whose answers are known."""

from __future__ import annotations

import pytest

from trainer.checks import asked_acts, check_draft, structure_defects, summarise
from trainer.facts import everyday_words, fact_keys

TEDDY = "Onward,\nTeddy"
REFERENCE = ("Hi Stan —\n\nThe board approved your glazing quote of £1,840 on Tuesday. "
             "When could you start? The shed key is with Ruth.\n\nOnward,\nTeddy")
ASKED = "tell stan the board approved the £1,840 quote on tuesday; ask when he can start"


def test_facts_are_normalised_so_that_forms_meet():
    assert {"n:1840", "d:tue", "p:stan"} <= fact_keys("Stan: £1,840 by Tues.")
    assert "n:1840" in fact_keys("1840 pounds") and "d:tue" in fact_keys("on Tuesday")
    assert "p:could" not in fact_keys(REFERENCE) and "p:ruth" in fact_keys(REFERENCE)
    # A one-word sentence is an exclamation, not a name; a name opening a sentence is one.
    said = fact_keys("Awesome. Brilliant! Nina will bring it. Stan, can you?")
    assert {"p:nina", "p:stan"} <= said and not {"p:awesome", "p:brilliant"} & said


def test_a_faithful_draft_keeps_every_fact_and_invents_none():
    draft = ("Hi Stan —\n\nGood news: the board approved the £1,840 quote on Tuesday. When "
             "can you start?\n\nOnward,\nTeddy")
    check = check_draft(draft, instruction=ASKED, reference=REFERENCE, sign_off=TEDDY)
    assert check.facts_required == ["d:tue", "n:1840", "p:stan"]
    assert check.fact_recall == 1.0 and check.invented == []
    assert check.right_recipient is True and check.defects == []
    assert 0.6 < check.length_ratio < 1.5


def test_missing_and_invented_facts_are_named():
    draft = ("Hi Priya,\n\nThe board met at 4 p.m. on September the 4th and approved the "
             "quote. I shall come to Houston.\n\nOnward,\nTeddy")
    check = check_draft(draft, instruction=ASKED, reference=REFERENCE, sign_off=TEDDY)
    assert set(check.facts_missing) == {"n:1840", "d:tue", "p:stan"}
    assert {"n:4", "d:sep", "p:houston", "p:priya"} <= set(check.invented)
    assert check.right_recipient is False


def test_what_the_thread_or_examples_say_is_not_invented():
    draft = "Hi Stan —\n\nRuth has the key; 18 m³ arrives Friday.\n\nOnward,\nTeddy"
    check = check_draft(draft, instruction="tell stan where the key is",
                        sources=["The compost (18 m³) comes on Friday. Ruth keeps the key."],
                        sign_off=TEDDY)
    assert check.invented == []


def test_structure_defects_are_each_found():
    def defects(text, instruction=""):
        return structure_defects(text, instruction, TEDDY)

    assert defects("Hi Stan —\n\nAll good.\n\nOnward,\nTeddy") == []
    # Signed off at the end of a line, then the email went on.
    assert "sign_off" in defects("Morning Bernard,\n\nFriday suits. Onward,\nTeddy\n\n10am "
                                 "it is.\n\nOnward,\nTeddy")
    assert "header_in_body" in defects("Hi Stan —\nSubject: Glass\nAll good.\n\nOnward,\nTeddy")
    assert "placeholder" in defects("Dear [Recipient Name],\nAll good.\n\nOnward,\nTeddy")
    assert "chatter" in defects("Here's a suggested draft:\nAll good.\n\nOnward,\nTeddy")
    assert "sign_off" in defects("Onward,\nHi Stan —\nAll good.\n\nOnward,\nTeddy")
    assert "sign_off" in defects("Hi Stan —\nAll good.")
    assert "unfinished" in defects("Hi Stan —\n\nThe panes came and I will\n\nOnward,\nTeddy")
    assert "empty" in defects("Hi Stan —\n\nOnward,\nTeddy")
    assert "restates_instruction" in defects(
        "Hi Stan —\n\nTell Stan the panes arrived.\n\nOnward,\nTeddy",
        instruction="tell Stan the panes arrived")


def test_talk_about_the_email_and_blanks_to_fill_are_defects_and_an_email_is_not():
    def defects(body):
        return structure_defects(f"Hi Stan —\n\n{body}\n\nOnward,\nTeddy", "", TEDDY)

    # Written by the 135M model for a request to all volunteers.
    assert "chatter" in defects('This is a classic example of a "Teddy Quill" email. The '
                                "tone is friendly and enthusiastic, with no typos or "
                                "grammatical errors.")
    assert "chatter" in defects("The tone is warm and professional.")
    assert "chatter" in defects("This is a polite email to your landlord.")
    assert "placeholder" in defects("The auction is on Friday at [Fictitious Date].")
    assert "placeholder" in defects("Tickets are [amount TBC] each.")
    for written in ("This is a great example of teamwork from all of you.",
                    "This is a short email to say thanks.", "This is a good idea.",
                    "The tone of the meeting was great.", "See [1] and [image: logo.png]."):
        assert defects(written) == [], written


def test_a_request_to_ask_or_thank_wants_a_question_or_thanks_in_the_body():
    stan = "tell Stan the board approved the glazing quote; ask when he can start"
    assert asked_acts(stan) == ["ask", "ask when"]
    assert asked_acts("confirm Bernard for the 22nd and thank him") == ["thank"]
    assert asked_acts("thank Margaret for the years as chair; coffee next week?") == [
        "ask", "thank"]
    assert asked_acts("tell Sam I asked Tom already") == []
    assert asked_acts("say the rota is ready, ask me if unsure") == []

    def missing(body, instruction=stan):
        return check_draft(f"Hi Stan —\n\n{body}\n\nOnward,\nTeddy", instruction=instruction,
                           sign_off=TEDDY).acts_missing

    # What a 60-step adapter wrote: the approval, and no question.
    assert missing("Glazing quote approved. We're in good hands with the board's "
                   "approval.") == ["ask", "ask when"]
    assert missing("The board approved the glazing quote. When can you start?") == []
    # A question, but not the one asked: "when" was asked; "what time" asks it too.
    assert missing("The board approved the glazing quote. Can you start? We'll see when "
                   "it's dry.") == ["ask when"]
    assert missing("The board approved the quote. What day could you start?") == []
    assert asked_acts("ask Tom how much the repair will be") == ["ask", "ask how much"]
    assert missing("The board approved it — let me know when you can start.") == []
    thanks = "confirm Bernard for the 22nd and thank him"
    assert missing("The 22nd is fine.", thanks) == ["thank"]
    assert missing("The 22nd is fine. Thanks, Bernard.", thanks) == []
    # A sign-off of thanks is not the thanks asked for.
    assert check_draft("Hi Bernard,\n\nThe 22nd is fine.\n\nThanks,\nTeddy", instruction=thanks,
                       sign_off="Thanks,\nTeddy").acts_missing == ["thank"]
    summary = summarise([check_draft("Hi,\n\nWhen can you start?\n\nOnward,\nTeddy",
                                     instruction=stan, sign_off=TEDDY),
                         check_draft("Hi,\n\nApproved.\n\nOnward,\nTeddy",
                                     instruction=stan, sign_off=TEDDY)])
    assert summary["act_recall"] == 0.5


def test_summaries_over_drafts():
    good = check_draft("Hi Stan —\n\nApproved, £1,840, Tuesday. When can you start?\n\n"
                       "Onward,\nTeddy", instruction=ASKED, reference=REFERENCE, sign_off=TEDDY)
    bad = check_draft("Subject: x\nApproved.", instruction=ASKED, reference=REFERENCE,
                      sign_off=TEDDY)
    summary = summarise([good, bad])
    assert summary["fact_recall"] == 0.5  # 3 of 6 required facts
    assert summary["structure_defects"] == 0.5
    assert summary["right_recipient"] == 0.5
    assert summary["defects"]["header_in_body"] == 1


# A past email of the user's, retrieved as an example: its figures are its own.
PAST_EMAIL = ("Hi Rosa,\n\nThe hall hire came to £2,310 for the spring fair, paid on "
              "Friday. Dev has the receipt, and Marta kept the keys.\n\nOnward,\nTeddy")
HALL_ASK = "thank Rosa for booking the hall for the autumn fair; ask if Dev can do the float"


def test_a_figure_from_a_retrieved_example_is_borrowed_not_grounded():
    draft = ("Hi Rosa,\n\nThanks for booking the hall for the autumn fair — £2,310 again, "
             "paid on Friday. Could Dev do the float?\n\nOnward,\nTeddy")
    check = check_draft(draft, instruction=HALL_ASK, sign_off=TEDDY, examples=[PAST_EMAIL])
    # Not made up by the model, so not "invented" as the evaluation defines it ...
    assert check.invented == []
    # ... but another email's amount and day, stated as this one's.
    assert set(check.borrowed) == {"n:2310", "d:fri"}
    assert check.made_up == {"n:2310", "d:fri"}
    # A name the request gives ("Dev") is this email's, though the example has it too ...
    assert "p:dev" not in check.made_up
    # ... one that only the example gives is another email's person.
    keys = check_draft(draft.replace("Could Dev", "Marta has the keys. Could Dev"),
                       instruction=HALL_ASK, sign_off=TEDDY, examples=[PAST_EMAIL])
    assert "p:marta" in keys.borrowed and "p:marta" not in keys.invented
    # A sentence's first word that the example writes as an everyday word is no name.
    opener = check_draft("Hi Rosa,\n\nThanks for booking the hall for the autumn fair. "
                         "Regarding the float, could Dev do it?\n\nOnward,\nTeddy",
                         instruction=HALL_ASK, sign_off=TEDDY,
                         examples=["Hi Jo,\n\nRegarding the float: regarding it, ask Dev.\n\nTeddy"])
    assert opener.made_up == set()
    # Without the example, the user's own mail says "regarding" is a word of theirs.
    alone = ("Hi Rosa,\n\nThanks for booking the hall for the autumn fair. Regarding the "
             "float, could Dev do it?\n\nOnward,\nTeddy")
    assert check_draft(alone, instruction=HALL_ASK, sign_off=TEDDY).invented == ["p:regarding"]
    assert check_draft(alone, instruction=HALL_ASK, sign_off=TEDDY,
                       everyday=everyday_words(["regarding the float: ask Dev."])).invented == []
    # The same figure, given as a source (the email replied to), is grounded.
    grounded = check_draft(draft, instruction=HALL_ASK, sign_off=TEDDY, sources=[PAST_EMAIL])
    assert grounded.made_up == set()
    assert summarise([check, grounded])["borrowed_facts"] == 1.0


def test_a_list_number_is_not_a_figure():
    draft = ("All,\n\nThree things for Saturday:\n\n1. Tables out by nine.\n2) Float from "
             "Dev.\n3. Signs up.\n\nOnward,\nTeddy")
    check = check_draft(draft, instruction="tell everyone the three things for saturday",
                        sign_off=TEDDY)
    assert not {"n:1", "n:2", "n:3"} & set(check.invented)


def test_no_worse_than_holds_a_revision_to_every_count():
    def made(**fields):
        from trainer.checks import DraftCheck
        return DraftCheck(**fields)
    base = made(facts_missing=["n:5"], invented=[], defects=["unfinished"])
    assert made(facts_missing=["n:5"]).no_worse_than(base)
    assert not made(facts_missing=["n:5", "d:fri"]).no_worse_than(base)
    assert not made(facts_missing=["n:5"], borrowed=["n:2310"]).no_worse_than(base)
    assert not made(facts_missing=["n:5"], defects=["chatter"]).no_worse_than(base)
    assert not made(facts_missing=["n:5"], acts_missing=["ask"]).no_worse_than(base)


def test_another_signature_midway_and_the_prompts_own_labels_are_defects():
    ask = "thank Priya: took all three changes; total now under the cap"
    signed = ("Morning Priya,\n\nAll three changes are in.\n\nPriya\n\nThe total is now under "
              "the cap.\n\nOnward,\nTeddy")
    assert "sign_off" in structure_defects(signed, ask, TEDDY)
    leaked = ("Morning Priya,\n\nAll three changes are in.\n\nWhat to say: thank Priya for the "
              "changes.\n\nOnward,\nTeddy")
    assert "header_in_body" in structure_defects(leaked, ask, TEDDY)
    framed = "Morning Priya,\n\nThanks!\n--- Email 2 to Stan\nHi Stan\n\nOnward,\nTeddy"
    assert "header_in_body" in structure_defects(framed, ask, TEDDY)
    # A heading, or names listed one per line, are not signatures.
    listed = ("All,\n\nOn the rota this week:\nPriya\nStan\nRuth\n\nThanks all.\n\n"
              "Onward,\nTeddy")
    assert "sign_off" not in structure_defects(listed, "tell everyone the rota: Priya, "
                                                       "Stan, Ruth", TEDDY)
    heading = ("All,\n\nThe fair is set.\n\nBudget\n\nWe are under the cap.\n\n"
               "Onward,\nTeddy")
    assert structure_defects(heading, "tell everyone the fair budget is under the cap",
                             TEDDY) == []


def test_a_paragraph_broken_off_or_begun_mid_sentence_is_unfinished():
    ask = "reply to Tony: fine; if the takeoff is done Friday, email it to my home address"
    lost = ("Tony,\n\nI will send you the address.\n\ntrophy on my desk this Friday so we "
            "can meet.\n\nPhillip")
    assert "unfinished" in structure_defects(lost, ask, "Phillip")
    stopped = ("Tony,\n\nThe takeoff can wait, but I am not sure if you can\n\nIf you "
               "finish Friday, email it home.\n\nPhillip")
    assert "unfinished" in structure_defects(stopped, ask, "Phillip")
    # Lines wrapped inside a paragraph, lists, and a lower-case start as people type, are not.
    wrapped = ("Tony,\n\nIf the takeoff is done on Friday, please email it to\nmy home "
               "address.\n\n- Friday: home\n- weekdays: work\n\nthe work one is fine too.\n\n"
               "Phillip")
    assert structure_defects(wrapped, ask, "Phillip") == []


def test_a_time_the_request_never_gave_is_made_up():
    ask = "reply to Jim: decline the deal, the repairs look low"
    promised = ("Jim,\n\nI'm afraid I have to decline the deal: the repairs look low. I will "
                "call you early next week, or we can talk in the afternoon.\n\nPhillip")
    check = check_draft(promised, instruction=ask, sign_off="Phillip")
    assert {"d:next week", "d:afternoon"} <= set(check.invented)
    # Asked for, it is a fact to keep; pleasantries and greetings promise nothing.
    asked = "tell Jo I'll call back tomorrow morning"
    assert check_draft("Morning Jo,\n\nI'll call back tomorrow.\n\nOnward,\nTeddy",
                       instruction=asked, sign_off=TEDDY).facts_missing == ["d:morning"]
    assert fact_keys("Morning Jo,\n\nHave a good weekend!") == {"p:jo"}


def test_a_loop_an_echoed_length_note_and_talk_about_the_reader_are_defects():
    # Drafts the 135M model wrote for typed requests, which no check caught before.
    assert structure_defects("Hi Maya —\n\nYes. Yes.\n\nOnward,\nTeddy", "tell Maya yes",
                             TEDDY) == ["repeated"]
    assert "chatter" in structure_defects(
        "Hi Connor —\n\nTwo to four sentences.\n\nI'll bring the yield numbers.\n\nOnward,\n"
        "Teddy", "email Connor: yes to the 3rd, I'll bring the yield numbers", TEDDY)
    assert structure_defects(
        "Hi Beth —\n\nOne more question for Beth. Would the venue seat 120?\n\nOnward,\nTeddy",
        "ask Beth whether the venue can seat 120", TEDDY) == ["restates_instruction"]
    # Said to her by name, or a thanks said twice in other words: an email.
    assert structure_defects(
        "Hi Beth —\n\nThanks, Beth. Would the venue seat 120? Thanks again.\n\nOnward,\nTeddy",
        "ask Beth whether the venue can seat 120", TEDDY) == []


def test_an_apology_asked_for_is_an_act_the_draft_must_do():
    asked = "email Connor: sorry for the slow reply, yes to the co-op meeting on the 3rd"
    assert asked_acts(asked) == ["apologise"]
    skipped = check_draft("Hi Connor —\n\nYes to the co-op meeting on the 3rd.\n\nOnward,\nTeddy",
                          instruction=asked, sign_off=TEDDY)
    assert skipped.acts_missing == ["apologise"]
    made = check_draft("Hi Connor —\n\nApologies for the slow reply. Yes to the co-op meeting "
                       "on the 3rd.\n\nOnward,\nTeddy", instruction=asked, sign_off=TEDDY)
    assert made.acts_missing == []


def test_a_line_opening_with_the_users_own_closing_word_is_signing_off_midway():
    draft = ("Hi Connor —\n\nOnward — that's just a slip-up on your part.\n\nI'll bring the "
             "yield numbers.\n\nOnward,\nTeddy")
    assert structure_defects(draft, "email Connor: I'll bring the yield numbers", TEDDY) == \
        ["sign_off"]
    # A closing that is an everyday word opens lines as people write them.
    assert structure_defects("Hi Jo,\n\nThanks — that helps.\n\nThanks,\nSam", "thank Jo",
                             "Thanks,\nSam") == []


def test_a_sentence_no_one_asked_for_is_unasked_talk():
    from trainer.grounding import usual_words

    asked = "ask Jeff to fax the rent roll to me at 713-646-2391, and to resend the unit mix"
    draft = ("Jeff,\n\nCan you fax the rent roll to me at 713-646-2391 and resend the unit "
             "mix? I need this to finish my tax return before the deadline. Thanks.\n\nPhillip")
    check = check_draft(draft, instruction=asked, sign_off="Phillip")
    assert check.unasked_talk == ["I need this to finish my tax return before the deadline."]
    assert check.invented == []  # no figure or name: only this check sees it
    # The request's own words, said another way, and short asides are not talk of its own.
    said = ("Jeff,\n\nCould you resend the unit mix, and fax me the rent roll at "
            "713-646-2391? No rush, whenever suits.\n\nPhillip")
    assert check_draft(said, instruction=asked, sign_off="Phillip").unasked_talk == []
    # What the email replied to says, or what the user says in much of their mail, grounds it.
    thread = "I have to finish my tax return before the deadline: can you help?"
    assert check_draft(draft, instruction=asked, sign_off="Phillip",
                       sources=[thread]).unasked_talk == []
    usual = usual_words(["Tax return deadline is close, finishing it this week."] * 4)
    assert check_draft(draft, instruction=asked, sign_off="Phillip", usual=usual).unasked_talk == []
    assert summarise([check, check_draft(said, instruction=asked,
                                         sign_off="Phillip")])["unasked_talk"] == 0.5


def test_the_requests_words_about_its_reader_said_in_the_email_restate_it():
    asked = "confirm Bernard for Thursday 22nd at 9am and thank him"
    echo = ("Morning Bernard,\n\nThank you. I'll be there on Thursday 22nd at 9am, and thank "
            "him for the boiler.\n\nOnward,\nTeddy")
    assert "restates_instruction" in check_draft(echo, instruction=asked,
                                                 sign_off="Onward,\nTeddy").defects
    said = "Morning Bernard,\n\nConfirming Thursday 22nd at 9am. Thank you.\n\nOnward,\nTeddy"
    assert check_draft(said, instruction=asked, sign_off="Onward,\nTeddy").defects == []
    # Thanks passed through the reader to someone else, where the request asked none of it.
    relayed = "Hi Jo,\n\nThe party went well. Tom helped a lot; please thank him for me.\n\nBest"
    assert check_draft(relayed, instruction="tell Jo the party went well",
                       sign_off="Best").defects == []


def test_the_prompts_own_guidance_and_a_sign_off_word_mid_body_are_defects():
    sign_off = "Onward,\nTeddy"
    echoed = "Hi Ana —\n\nTwo to four. 6pm on Saturday, keys from Hamid.\n\nOnward,\nTeddy"
    assert "chatter" in structure_defects(echoed, "say yes, from 6pm, keys from Hamid", sign_off)
    asked = "Hi Ana —\n\nTwo to four of us can help on Saturday.\n\nOnward,\nTeddy"
    assert "chatter" not in structure_defects(asked, "say two to four of us can help", sign_off)
    midway = "Hi Ana —\n\nYes, the keys from Hamid. Onward.\n\n6pm on Saturday.\n\nOnward,\nTeddy"
    assert "sign_off" in structure_defects(midway, "say yes", sign_off)
    thanks = "Hi Ana —\n\nYes, 6pm works. Thanks.\n\nBest,\nSam"
    assert "sign_off" not in structure_defects(thanks, "say yes", "Best,\nSam")


def test_a_draft_that_copies_the_email_it_answers_has_a_defect_and_loses_the_copy():
    from trainer.revise import strike_invented

    thread = ("Morning Tess,\n\nWednesday at 8 suits me. The flue on the old stove is cracked, "
              "so I'll bring a new liner. £95 for the visit, parts on top.\n\nCheers,\nGwil")
    # The reply the 135M model wrote: the sweep's time, then Gwil's own words as Tess's.
    draft = ("Hi Gwil —\n\nWednesday at 8 is perfect. The flue on the old stove is cracked, so "
             "I'll bring a new liner.\n\nBest,\nTess")
    asked = "reply to Gwil: Wednesday at 8 is perfect"

    def check(text):
        return check_draft(text, instruction=asked, sources=[thread], sign_off="Best,\nTess",
                           thread=thread)

    found = check(draft)
    assert found.defects == ["copies_thread"]
    assert found.copied == ["The flue on the old stove is cracked, so I'll bring a new liner."]
    struck = strike_invented(draft, found, check_text=check, sign_off="Best,\nTess")
    assert "Wednesday at 8 is perfect." in struck.text and "liner" not in struck.text
    assert struck.check.defects == []
    # Answering it in one's own words, with its facts, copies nothing.
    assert check("Hi Gwil —\n\nWednesday at 8 is perfect, and thanks for bringing the liner."
                 "\n\nBest,\nTess").defects == []


@pytest.mark.parametrize("request_", [
    "ask Jo who is bringing the cake", "ask Sam when the van is back", "ask how much the repair is",
    "ask Ruth which day suits", "thank Ola for the lift and ask where to park", "apologise to Ben",
])
def test_every_act_a_request_asks_has_a_name_the_window_can_show(request_):
    """A draft that misses an act names it ("did not mention: the question when"); an act
    without a name once stopped the draft with a KeyError."""
    from trainer.checks import act_name, asked_acts
    acts = asked_acts(request_)
    assert acts
    for act in acts:
        assert act_name(act).startswith("the ")
