"""Putting a missing fact back into a draft (trainer.revise), with the real checks and a
scripted writer in place of the model."""

from __future__ import annotations

import time

from trainer.checks import check_draft
from trainer.revise import (
    EmailParts,
    FillAsk,
    fact_start,
    fill_missing_facts,
    merges,
    narrow_part,
    part_asking,
    request_parts,
)

SIGN_OFF = "Onward,\nTeddy"
ASKED = "tell Stan the four panes came to £96; ask whether Thursday at 9:30 suits him"


def _check(text: str):
    return check_draft(text, instruction=ASKED, sign_off=SIGN_OFF)


def _fill(draft: str, replies: dict[str, list[str]], **kwargs):
    asked: list[str] = []
    starts: list[str] = []

    def write(ask: FillAsk) -> str | None:
        asked.append(ask.part)
        starts.append(ask.start)
        options = replies.get(ask.part, [])
        return options[ask.attempt] if ask.attempt < len(options) else None

    result = fill_missing_facts(draft, _check(draft), instruction=ASKED, write=write,
                                check_text=_check, sign_off=SIGN_OFF, **kwargs)
    result.starts = starts
    return result, asked


def test_a_request_splits_into_the_parts_people_separate():
    assert request_parts("confirm Thursday; thank him. Then ask for the invoice") == [
        "confirm Thursday", "thank him.", "ask for the invoice"]
    assert part_asking("n:96", ASKED) == "tell Stan the four panes came to £96"
    assert part_asking("d:thu", ASKED) == "ask whether Thursday at 9:30 suits him"
    assert part_asking("p:nobody", ASKED) == ASKED


def test_the_missing_fact_comes_back_from_a_short_email_on_that_part():
    draft = "Hi Stan —\n\nThe panes came today, thank you.\n\nOnward,\nTeddy"
    reply = "Hi Stan —\n\nAll four panes came to £96, which is fine.\n\nOnward,\nTeddy"
    thursday = "Hi Stan —\n\nWould Thursday at 9:30 suit you?\n\nOnward,\nTeddy"
    before = _check(draft)
    assert {"n:96", "d:thu", "n:9:30"} <= set(before.facts_missing)
    result, asked = _fill(draft, {"tell Stan the four panes came to £96": [reply],
                                  "ask whether Thursday at 9:30 suits him": [thursday]})
    assert asked == ["tell Stan the four panes came to £96",
                     "ask whether Thursday at 9:30 suits him"]
    assert result.check.facts_missing == [] and result.check.defects == []
    assert set(result.added) == set(before.facts_missing)
    lines = result.text.splitlines()
    assert lines[0] == "Hi Stan —" and lines[-2:] == ["Onward,", "Teddy"]
    # Put back as one paragraph, not one per fact.
    assert ("All four panes came to £96, which is fine. Would Thursday at 9:30 suit you?"
            in result.text.splitlines())


def test_a_sentence_with_the_fact_wrong_is_replaced_not_repeated():
    draft = ("Hi Stan —\n\nThe four panes came to £69. Would Thursday at 9:30 suit you?"
             "\n\nOnward,\nTeddy")
    assert _check(draft).invented == ["n:69"]
    result, _ = _fill(draft, {"tell Stan the four panes came to £96": [
        "Hi Stan —\n\nThe four panes came to £96 in the end.\n\nOnward,\nTeddy"]})
    assert "£69" not in result.text and result.text.count("£96") == 1
    assert result.check.facts_missing == [] and result.check.invented == []


def test_a_sentence_that_invents_or_restates_is_not_taken():
    draft = "Hi Stan —\n\nThe panes came today. Would Thursday at 9:30 suit?\n\nOnward,\nTeddy"
    result, asked = _fill(draft, {"tell Stan the four panes came to £96": [
        "Hi Stan —\n\nThe four panes came to £96 on 12 May.\n\nOnward,\nTeddy",  # invents
        "Tell Stan the four panes came to £96.",  # passes the request on
    ]})
    assert len(asked) == 2
    assert result.text == draft and not result.added
    assert "n:96" in result.check.facts_missing


def test_no_writing_after_the_deadline():
    draft = "Hi Stan —\n\nThe panes came today.\n\nOnward,\nTeddy"
    result, asked = _fill(draft, {}, deadline=time.perf_counter() - 1)
    assert asked == [] and result.text == draft


def test_merges_keep_greeting_and_sign_off_in_place():
    parts = EmailParts.split("Dear Dr. Carr,\n\nThanks.\n\nSecond para.\n\nOnward,\nTeddy",
                             SIGN_OFF)
    assert parts.head == ["Dear Dr. Carr,"] and parts.tail == ["Onward,", "Teddy"]
    options = merges(parts.text(), "The invoice is attached.", SIGN_OFF)
    assert options[-1] == ("Dear Dr. Carr,\n\nThanks.\n\nSecond para.\n\n"
                           "The invoice is attached.\n\nOnward,\nTeddy")


def test_a_sentence_that_only_makes_things_up_is_struck():
    from trainer.revise import strike_invented

    draft = ("Hi Stan —\n\nThe four panes came to £96. The glazier from Leeds comes on 12 May."
             "\n\nWould Thursday at 9:30 suit?\n\nOnward,\nTeddy")
    before = _check(draft)
    assert {"p:leeds", "d:may", "n:12"} <= set(before.invented)
    struck = strike_invented(draft, before, check_text=_check, sign_off=SIGN_OFF)
    assert struck.text == ("Hi Stan —\n\nThe four panes came to £96.\n\n"
                           "Would Thursday at 9:30 suit?\n\nOnward,\nTeddy")
    assert struck.check.invented == [] and struck.check.facts_missing == []
    assert set(struck.removed) == set(before.invented)
    # A made-up fact in a sentence that also says what was asked stays: losing £96 is worse.
    mixed = "Hi Stan —\n\nThe four panes came to £96 on 12 May. Thursday at 9:30?\n\nOnward,\nTeddy"
    kept = strike_invented(mixed, _check(mixed), check_text=_check, sign_off=SIGN_OFF)
    assert kept.text == mixed and not kept.removed


def test_a_sentence_that_passes_the_request_on_is_struck():
    from trainer.revise import strike_invented

    draft = ("Hi Stan —\n\nTell Stan the panes came. All four came to £96 in the end, which is "
             "fine. Would Thursday at 9:30 suit you?\n\nOnward,\nTeddy")
    before = _check(draft)
    assert "restates_instruction" in before.defects
    struck = strike_invented(draft, before, check_text=_check, sign_off=SIGN_OFF)
    assert struck.passed_on == 1 and struck.check.defects == []
    assert struck.text.splitlines()[2] == ("All four came to £96 in the end, which is fine. "
                                           "Would Thursday at 9:30 suit you?")


def test_a_sentence_that_says_what_no_one_asked_is_struck():
    from trainer.revise import strike_invented

    asked = "tell Maya yes, Thursday works"
    draft = ("Hi Maya —\n\nYes, Thursday works. It's a pleasure to talk with you about the "
             "garden plans.\n\nOnward,\nTeddy")

    def check(text):
        return check_draft(text, instruction=asked, sign_off=SIGN_OFF)
    before = check(draft)
    assert before.unasked_talk == ["It's a pleasure to talk with you about the garden plans."]
    struck = strike_invented(draft, before, check_text=check, sign_off=SIGN_OFF)
    assert struck.text == "Hi Maya —\n\nYes, Thursday works.\n\nOnward,\nTeddy"
    assert struck.talk == before.unasked_talk and struck.check.unasked_talk == []


def test_the_short_email_starts_as_training_taught_it():
    from trainer.revise import forced_opening

    assert forced_opening("Glazing", "Hi Stan —", replying=False) == \
        "Subject: Glazing\n\nHi Stan —\n\n"
    assert forced_opening("Glazing", "Hi Stan —", replying=True) == "Hi Stan —\n\n"
    assert forced_opening("", None, replying=False) == ""


def test_sentences_do_not_end_inside_numbers_or_addresses():
    from trainer.grounding import sentences

    assert sentences("Meet at 9.30 on the 3rd. It costs £1.5m! Mail jo@x.org. Done") == [
        "Meet at 9.30 on the 3rd.", "It costs £1.5m!", "Mail jo@x.org.", "Done"]


def test_a_second_greeting_inside_the_body_is_a_defect_and_is_struck():
    from trainer.revise import strike_invented

    draft = ("Hi Stan —\n\nAll four came to £96 in the end, which is fine.\n\nHi Trustees,\n\n"
             "Would Thursday at 9:30 suit you?\n\nOnward,\nTeddy")
    before = _check(draft)
    assert "greeting_in_body" in before.defects
    struck = strike_invented(draft, before, check_text=_check, sign_off=SIGN_OFF)
    assert struck.check.defects == [] and "Hi Trustees" not in struck.text
    assert struck.text.count("\n\n") == 3  # greeting, two paragraphs, sign-off


def test_a_long_part_narrows_to_the_clause_that_holds_the_fact():
    asked = ("ask Priya to check the budget table by Friday: is 3% pension still the minimum, "
             "is £13.50/hour too near £13.45, is £600 evaluation enough?")
    assert narrow_part("n:13.50", asked) == ("ask Priya to check the budget table by Friday: "
                                             "is £13.50/hour too near £13.45")
    assert narrow_part("d:fri", asked) == "ask Priya to check the budget table by Friday"
    # Commas and colons inside numbers and times split nothing.
    assert narrow_part("n:1040", "thank Priya: materials cut to £1,040 by 9:30") == \
        "thank Priya: materials cut to £1,040 by 9:30"
    assert narrow_part("p:nobody", asked) == asked


def test_the_first_try_begins_with_the_fact_in_the_words_of_the_request():
    assert fact_start(["d:thu", "n:22", "n:9"], "confirm Bernard for Thursday 22nd at 9am") == \
        "Thursday 22nd at 9am"
    assert fact_start(["n:2026", "n:27"], "the full 2026–27 amount") == "2026–27"
    assert fact_start(["p:pavilion"], "7pm in the Pavilion") == "The Pavilion"
    assert fact_start(["n:14.20", "n:1040"], "£14.20 an hour, 5% pension, materials cut to "
                      "£1,040") == "£14.20"  # too far apart: the first alone
    draft = "Hi Stan —\n\nThe panes came today. Would Thursday at 9:30 suit?\n\nOnward,\nTeddy"
    result, asked = _fill(draft, {"tell Stan the four panes came to £96": [
        "Hi Stan —\n\n£96 on 12 May.\n\nOnward,\nTeddy",  # invents: not taken
        "Hi Stan —\n\nThe four panes were £96 in the end.\n\nOnward,\nTeddy"]})
    assert asked == ["tell Stan the four panes came to £96"] * 2
    assert result.starts == ["£96", ""]
    assert "The four panes were £96 in the end." in result.text and "n:96" in result.added


def test_a_fragment_or_the_request_again_is_not_put_in():
    draft = "Hi Stan —\n\nThe panes came today. Would Thursday at 9:30 suit?\n\nOnward,\nTeddy"
    result, asked = _fill(draft, {"tell Stan the four panes came to £96": [
        "Hi Stan —\n\nFour panes came to £96.\n\nOnward,\nTeddy",  # the request's words
        "Hi Stan —\n\n£96,\n\nOnward,\nTeddy"]})  # a fragment
    assert len(asked) == 2 and result.text == draft and not result.added


def test_a_fact_goes_in_before_a_bare_name_sign_off():
    draft = "David,\n\nScott and Tom want to meet.\n\nPhillip"
    parts = EmailParts.split(draft)
    assert parts.tail == ["Phillip"] and [b for b in parts.body if b] == ["Scott and Tom want to meet."]
    assert parts.head == ["David,"]
    options = merges(draft, "Section 6.3 is the one you mean.")
    assert options[-1].endswith("Section 6.3 is the one you mean.\n\nPhillip")
    assert EmailParts.split("Hi,\n\nSee you Friday.\n\nGreat news.").tail == []


def test_a_sentence_with_another_emails_figures_is_struck():
    from trainer.revise import strike_invented

    example = ("Hi Stan —\n\nThe shed roof came to £1,250 last March; the gutter on "
               "Saturday.\n\nOnward,\nTeddy")

    def check(text):
        return check_draft(text, instruction=ASKED, sign_off=SIGN_OFF, examples=[example])

    draft = ("Hi Stan —\n\nThe four panes came to £96. The shed roof was £1,250 in March."
             "\n\nWould Thursday at 9:30 suit?\n\nOnward,\nTeddy")
    before = check(draft)
    assert before.invented == [] and {"n:1250", "d:mar"} <= set(before.borrowed)
    struck = strike_invented(draft, before, check_text=check, sign_off=SIGN_OFF)
    assert struck.text == ("Hi Stan —\n\nThe four panes came to £96.\n\n"
                           "Would Thursday at 9:30 suit?\n\nOnward,\nTeddy")
    assert struck.check.made_up == set() and {"n:1250", "d:mar"} <= set(struck.removed)


def test_only_the_clause_that_makes_something_up_is_struck():
    from trainer.revise import strike_invented

    draft = ("Hi Stan —\n\nThe four panes came to £96, and we can fit them on 12 May. Would "
             "Thursday at 9:30 suit?\n\nOnward,\nTeddy")
    before = _check(draft)
    assert {"n:12", "d:may"} <= set(before.invented)
    struck = strike_invented(draft, before, check_text=_check, sign_off=SIGN_OFF)
    # The panes and their price stay; the made-up date goes with its clause alone.
    assert struck.text == ("Hi Stan —\n\nThe four panes came to £96. Would Thursday at 9:30 "
                           "suit?\n\nOnward,\nTeddy")
    assert struck.check.made_up == set()
