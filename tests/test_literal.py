"""The request written as an email (``trainer.literal``) and the fallback on it when no
draft is sendable (``trainer.fallback``), alone and through the drafting service."""

import pytest

from app.drafting import DraftingService, DraftRequest
from tests.fakes import ScriptedRuntime
from trainer.checks import check_draft
from trainer.engine.pool import Engine
from trainer.fallback import (
    coverage,
    literal_fallback,
    mostly_english,
    opening_for,
    rambles,
    write_on,
)
from trainer.grounding import usual_words
from trainer.literal import literal_body
from trainer.pronouns import to_you
from trainer.subjects import poor_subject, subject_from_request


@pytest.mark.parametrize("request_, email", [
    ("tell Stan the board approved the glazing quote; ask when he can start",
     "The board approved the glazing quote. When can you start?"),
    ("ask Sam whether next week's rota is final",
     "Could you let me know whether next week's rota is final?"),
    # Something sent, and a visit that is not.
    ("ask Tom for the Q3 report by Friday", "Could you send me the Q3 report by Friday?"),
    ("ask Bernard for his annual frost check in October",
     "Could I have your annual frost check in October?"),
    ("decline the Saturday market stall, we are short of volunteers",
     "I'm afraid I have to decline the Saturday market stall. We are short of volunteers."),
    ("remind the committee the AGM moved to Thursday 7pm",
     "Just a reminder that the AGM moved to Thursday 7pm."),
    ("thank Priya for the seed order and ask her to invoice us",
     "Thank you for the seed order. Could you invoice us?"),
    ("reply to Jo: £888 is OK; both deliveries booked, and Owen will meet the driver",
     "£888 is OK. Both deliveries booked, and Owen will meet the driver."),
    ("reply to Felix thanking him for the clear answer, and say we'll submit by the 12th",
     "Thank you for the clear answer. We'll submit by the 12th."),
    ("tell Jo she needs to renew her plot by March", "You need to renew your plot by March."),
    # Who the email is to, and whose words are whose.
    ("tell Ines I'm away Monday; could we move it to Wednesday",
     "I'm away Monday. Could we move it to Wednesday?"),
    ("tell Omar Dad's keen to come; could Omar fetch him at noon?",
     "Dad's keen to come. Could you fetch him at noon?"),
    ("tell Lena I'll walk her home after the choir", "I'll walk you home after the choir."),
    ("ask Rob whether he's booked the van", "Could you let me know whether you've booked the van?"),
    ("tell the choir Ben retires in June; he's earned a party",
     "Ben retires in June. He's earned a party."),
    ("ask this month's rent", "Could you let me know this month's rent?"),
    # Confirmations name the thing, not the person written to.
    ("confirm Friday 3rd with Ines", "Just to confirm: Friday 3rd."),
    ("confirm Omar for Monday at 2pm and thank him", "Just to confirm: Monday at 2pm. Thank you."),
    # How to write it is not part of what is written.
    ("decline the tender politely: the price is too high",
     "I'm afraid I have to decline the tender: the price is too high."),
    ("thank Lena warmly for the flowers", "Thank you for the flowers."),
    ("send Rob the minutes; any corrections by Friday?",
     "Please find attached the minutes. Any corrections by Friday?"),
    ("congratulate Ben on the award; offer a lift to the dinner",
     "Congratulations on the award! I'd be happy to offer a lift to the dinner."),
    ("ask the removal firm to quote by Monday, and to include packing",
     "Could you quote by Monday, and include packing?"),
    ("ask to meet Tuesday at 4", "Could we meet Tuesday at 4?"),
    ("ask Ines how many chairs we need? remind her the hall opens at 6",
     "Could you let me know how many chairs we need? Just a reminder that the hall opens at 6."),
    ("ask Dr. Carr when the results arrive",
     "Could you let me know when the results arrive?"),
    ("congratulate Dev on the Leeds job; coffee next week?",
     "Congratulations on the Leeds job! Coffee next week?"),
    # Requests as people type them to an assistant, in any trade.
    ("can you ask Noor whether she wants to split a taxi friday",
     "Could you let me know whether you want to split a taxi Friday?"),
    ("tell the crew the site visit moved to 9 May; RSVP by Monday",
     "The site visit moved to 9 May. RSVP by Monday."),
    ("decline Hugo's offer of a stand at the expo, we have no staff that weekend",
     "I'm afraid I have to decline your offer of a stand at the expo. We have no staff that "
     "weekend."),
    ("follow up with Rina on the signed lease, it was due last week",
     "Just following up on the signed lease. It was due last week."),
    ("set up a meeting with Colm to go over the tender",
     "Could we set up a meeting to go over the tender?"),
    ("introduce Wren to Paul; she runs the print shop on Dock Street",
     "I'd like to introduce you to Wren. She runs the print shop on Dock Street."),
    ("forward the floor plan to Esme and ask her to mark the sockets",
     "I'm forwarding the floor plan. Could you mark the sockets?"),
    ("I need the signed waiver from Kofi before Saturday",
     "Could I have the signed waiver before Saturday?"),
    ("say sorry to Bea for the late invoice", "I'm sorry for the late invoice."),
    ("tell mum i'll ring on sunday", "I'll ring on Sunday."),
    ("write a quick email to Ada: the van is booked for the 3rd",
     "The van is booked for the 3rd."),
    # Typed over several lines, as a list or not.
    ("reply to Noor:\n- yes to the new rota\n- ask her to send the form by Friday",
     "Yes to the new rota. Could you send the form by Friday?"),
    # A list typed as a list stays one; asks in it are said.
    ("tell the crew:\n1. the yard is closed Monday\n2. timesheets due Tuesday",
     "1. The yard is closed Monday\n2. Timesheets due Tuesday"),
    ("tell the crew:\n- the yard is closed Monday\n- can they bring gloves?",
     "The yard is closed Monday. Can you bring gloves?"),
    ("tell Colm the tiles came\nask when he can start", "The tiles came. When can you start?"),
    # A lead-in goes with what it leads into; an aside is one clause; the reader's figures.
    ("per our call, ask the printer to post five proofs to the venue",
     "Per our call, could you post five proofs to the venue?"),
    ("thank Oren; as always", "Thank you, as always."),
    ("tell Ines her quote is fine (I took off £30; delivery is £12); add £40 VAT",
     "Your quote is fine (I took off £30; delivery is £12). Add £40 VAT."),
    ("tell Ines the kiln is fixed; e.g. the door seal is new; copy Oren",
     "The kiln is fixed. E.g. the door seal is new. I'm copying in Oren."),
    ("tell Ines the permit is in; offer sketches",
     "The permit is in. I'd be happy to offer sketches."),
    # Whose pronouns: someone named as the subject keeps theirs; "him" is not "her".
    ("tell Hana yes, Tom can stay the weekend, I'll drive him home Sunday",
     "Yes, Tom can stay the weekend. I'll drive him home Sunday."),
    ("introduce Wren to Paul; she runs the print shop; ask him to call her",
     "I'd like to introduce you to Wren. She runs the print shop. Could you call her?"),
    # News after an ask is a sentence of its own; a subject set off by commas is not news.
    ("ask Raj to send the disclosure schedules, closing is pushed to 6/30",
     "Could you send the disclosure schedules? Closing is pushed to 6/30."),
    ("ask Jo if the venue, the one on Main St, is free Friday",
     "Could you let me know whether the venue, the one on Main St, is free Friday?"),
    ("tell Bob the report, which is long, needs a read by Friday",
     "The report, which is long, needs a read by Friday."),
    # Notes stay one list; with no topic the notes are the email.
    ("thank Lucia for market 2026 — dates: Christmas, Hattie, hat is knitted",
     "Thank you for market 2026 — dates: Christmas, Hattie, hat is knitted."),
    ("Write to Lucy, mentioning deposit owed, rent roll.", "Deposit owed, rent roll."),
])
def test_a_request_becomes_what_the_writer_says(request_, email):
    assert literal_body(request_) == email


def test_the_persons_pronouns_become_you_and_their_verbs_agree():
    assert to_you("he watches and she tries; his plot, her car, ask her", False) == \
        "you watch and you try; your plot, your car, ask you"
    assert to_you("they said their rota is done", True) == "you said your rota is done"
    assert to_you("they said their rota is done", False) == "they said their rota is done"


def test_subjects_from_the_request_and_poor_subjects():
    # Never cut inside a time or a range, never ending on a dangling word.
    assert subject_from_request("reply to Ines: Friday 10:30 at the library suits me") == \
        "Friday 10:30 at the library suits me"
    assert subject_from_request("tell the tenants the lift is out 3–6 May for repairs") == \
        "The lift is out 3–6 May for repairs"
    assert subject_from_request("ask Rob to bring the spare chairs from the hall or the "
                                "church on Sunday") == "Bring the spare chairs from the hall"
    assert subject_from_request("tell Ben the new boiler is in") == "The new boiler is in"
    assert subject_from_request("tell Stan the board approved the glazing quote; ask when") \
        == "The board approved the glazing quote"
    assert subject_from_request("ask Sam whether next week's rota is final") == \
        "Next week's rota is final"
    assert subject_from_request("can you ask Noor whether she wants to split a taxi friday") \
        == "Split a taxi Friday"
    assert subject_from_request("set up a meeting with Colm to go over the tender") == \
        "A meeting to go over the tender"
    assert subject_from_request("reply to Noor:\n- yes to the new rota\n- ask for the form") \
        == "Yes to the new rota"
    # What the email does, to the reader: never "her call" for the reader's own call.
    assert subject_from_request("say sorry to Bea for missing her call") == \
        "Sorry for missing your call"
    assert subject_from_request("thank Kit for the logs and ask her to invoice us") == \
        "Thank you for the logs"
    assert subject_from_request("ask Rob whether he's booked the van") == "Booked the van"
    assert poor_subject("Start: Start: Start", "tell Stan …")
    assert poor_subject("Onward, Teds", "remind the committee the AGM moved")
    assert not poor_subject("Thanks for the seed order", "thank Priya for the seed order")
    assert poor_subject("Ask Sam whether the rota is final", "ask Sam whether the rota …")
    assert not poor_subject("Rota for next week", "ask Sam whether the rota …")


def test_the_fallback_replaces_only_a_draft_that_is_not_sendable():
    request = "tell Stan the board approved the glazing quote; ask when he can start"
    def check(text):
        return check_draft(text, instruction=request, sign_off="Onward,\nTeddy")
    off_topic = ("Hi Stan —\n\nI'll make sure to respond to all your emails as I mentioned "
                 "earlier.\n\nOnward,\nTeddy")
    good = ("Hi Stan —\n\nGood news: the board approved your glazing quote. When could you "
            "start?\n\nOnward,\nTeddy")
    assert coverage(off_topic, request, ["Stan"]) == 0.0
    assert coverage(good, request, ["Stan"]) == 1.0
    assert literal_fallback(good, check(good), instruction=request, greeting="Hi Stan —",
                            sign_off="Onward,\nTeddy", check_text=check) is None
    fallback = literal_fallback(off_topic, check(off_topic), instruction=request,
                                greeting="Hi Stan —", sign_off="Onward,\nTeddy",
                                check_text=check, names=["Stan"])
    assert fallback.text == ("Hi Stan —\n\nThe board approved the glazing quote. When can "
                             "you start?\n\nOnward,\nTeddy")
    assert not fallback.check.defects and not fallback.check.invented
    assert rambles("Hi,\n\n" + "word " * 200, "remind them")
    # "we'd" is no subject of the request; "Stan's" is Stan.
    half = "Hi Mo,\n\nThe cost estimate from Stan is here.\n\nOnward,\nTeddy"
    assert coverage(half, "tell Mo the cost estimate is attached; we'd start at once, "
                    "Stan's van", ["Mo"]) == 0.6  # cost, estimate, Stan of five


def _literal_for(request, draft, greeting, names):
    def check(text):
        return check_draft(text, instruction=request, sign_off="Onward,\nTeddy")
    fallback = literal_fallback(draft, check(draft), instruction=request, greeting=greeting,
                                sign_off="Onward,\nTeddy", check_text=check, names=names)
    return fallback, check(draft)


def test_an_empty_draft_gives_way_to_the_request_and_a_possessive_name_is_not_made_up():
    request = ("reply to Margaret: Thursday 10:30 at Lucia's café works, and I'll keep the "
               "window table")
    fallback, drafted = _literal_for(request, "Hi Margaret —\n\nOnward,\nTeddy",
                                     "Hi Margaret —", ["Margaret"])
    assert drafted.defects == ["empty"]
    assert fallback is not None and "Lucia's café" in fallback.text
    assert not fallback.check.invented and not fallback.check.defects


def test_a_draft_that_leaves_out_the_question_gives_way_to_the_request():
    # A 60-step adapter's draft: her voice, the approval, and no question.
    terse = ("Hi Stan —\n\nGlazing quote approved. We're in good hands with the board's "
             "approval.\n\nOnward,\nTeddy")
    fallback, drafted = _literal_for(
        "tell Stan the board approved the glazing quote; ask when he can start", terse,
        "Hi Stan —", ["Stan"])
    assert drafted.acts_missing == ["ask", "ask when"] and not drafted.facts_missing
    assert fallback is not None and "When can you start?" in fallback.text
    assert not fallback.check.acts_missing



def test_notes_as_the_email_rather_than_talk_about_an_email():
    """Terse notes the literal can only restate still beat a draft that talks about
    itself: they say what was asked and make nothing up."""
    notes = "All: Millbrook round 2 — £7,500 approved — £7,500; 30 September; the 15th"
    chatter = ('All,\n\nThis is a classic example of a "Teddy Quill" email. The tone is '
               "friendly and enthusiastic.\n\nMillbrook round 2 is now accepted for a "
               "£7,500.\n\nOnward,\nTeddy")
    fallback, drafted = _literal_for(notes, chatter, "All,", [])
    assert "chatter" in drafted.defects
    assert fallback is not None and "30 September" in fallback.text
    assert not fallback.check.facts_missing and not fallback.check.invented

STAN = "tell Stan the board approved the glazing quote; ask when he can start"
SIGN_OFF = "Onward,\nTeddy"


def _stan_fallback():
    def check(text):
        return check_draft(text, instruction=STAN, sign_off=SIGN_OFF)
    off_topic = "Hi Stan —\n\nI'll make sure to respond to all your emails.\n\nOnward,\nTeddy"
    fallback = literal_fallback(off_topic, check(off_topic), instruction=STAN,
                                greeting="Hi Stan —", sign_off=SIGN_OFF, check_text=check,
                                names=["Stan"])
    return fallback, check


def test_the_model_writes_on_from_the_request_in_the_users_voice():
    fallback, check = _stan_fallback()
    assert opening_for(fallback) == ("Hi Stan —\n\nThe board approved the glazing quote. "
                                     "When can you start?\n\n")
    written = ("Hi Stan —\n\nThe board approved the glazing quote. When can you start?\n\n"
               "No rush, whenever suits you. Right then, fingers crossed.\n\nOnward,\nTeddy")
    voiced = write_on(fallback, written, instruction=STAN, check_text=check,
                      sign_off=SIGN_OFF)
    assert voiced.text == (
        "Hi Stan —\n\nThe board approved the glazing quote. When can you start?\n\n"
        "No rush, whenever suits you. Right then, fingers crossed.\n\nOnward,\nTeddy")
    assert voiced.added == ["No rush, whenever suits you.", "Right then, fingers crossed."]
    assert not voiced.check.defects and not voiced.check.invented
    assert not voiced.check.facts_missing and not voiced.check.unasked_talk


def test_a_reason_no_one_gave_is_not_written_on():
    """"The frost is coming" is the model's reason, not the user's: it ends the additions.
    Where the user's own mail talks of frost and panes all the time, it is their talk."""
    fallback, check = _stan_fallback()
    written = (opening_for(fallback) + "No rush, whenever suits you. The frost is coming "
               "soon, so the cracked panes will not last long.\n\nOnward,\nTeddy")
    voiced = write_on(fallback, written, instruction=STAN, check_text=check,
                      sign_off=SIGN_OFF)
    assert voiced.added == ["No rush, whenever suits you."]
    usual = usual_words(["The frost is coming soon; the cracked panes will not last long."] * 5)

    def in_their_words(text):
        return check_draft(text, instruction=STAN, sign_off=SIGN_OFF, usual=usual)
    voiced = write_on(fallback, written, instruction=STAN, check_text=in_their_words,
                      sign_off=SIGN_OFF)
    assert voiced.added == ["No rush, whenever suits you.",
                            "The frost is coming soon, so the cracked panes will not last long."]


@pytest.mark.parametrize("continuation, kept", [
    # A made-up date ends the additions; what came before it stays.
    ("Good news all round. The glaziers arrive on 14 March at 8am. Let me know.",
     ["Good news all round."]),
    # The request passed on, the request said again, a second greeting: nothing kept.
    ("Tell Stan to bring the ladder. Good news all round.", []),
    ("The board approved the glazing quote. When can you start?", []),
    # The request's words again across a new sentence: nothing new said.
    ("No rush. The glazing quote was approved by the board, so start when you can.",
     ["No rush."]),
    ("Hi Stan, hope you are well.", []),
    # A loop stops at its second turn; more than three sentences are never added.
    ("Great news for us, Stan. Great news for us Stan!", ["Great news for us, Stan."]),
    ("Small wrinkle here too. Another thing to mention now. A fourth line to add. "
     "A fifth line to add.", ["Small wrinkle here too.", "Another thing to mention now.",
                             "A fourth line to add."]),
])
def test_what_the_model_writes_on_stays_only_while_it_is_sound(continuation, kept):
    fallback, check = _stan_fallback()
    written = opening_for(fallback) + continuation + "\n\nOnward,\nTeddy"
    voiced = write_on(fallback, written, instruction=STAN, check_text=check,
                      sign_off=SIGN_OFF)
    assert voiced.added == kept
    assert not voiced.check.defects and not voiced.check.invented
    assert voiced.text.startswith(fallback.text.removesuffix("\n\nOnward,\nTeddy"))
    assert voiced.text.endswith("Onward,\nTeddy")


def _written_on(request: str, greeting: str, name: str, continuation: str):
    """The request's email to ``name``, and what is kept of ``continuation`` written on."""
    fallback, _ = _literal_for(request, f"{greeting}\n\nOnward,\nTeddy", greeting, [name])

    def check(text):
        return check_draft(text, instruction=request, sign_off=SIGN_OFF)
    written = opening_for(fallback) + continuation + "\n\nOnward,\nTeddy"
    return fallback, write_on(fallback, written, instruction=request, check_text=check,
                              sign_off=SIGN_OFF)


def test_the_requests_facts_said_again_are_not_written_on():
    request = ("thank Margaret: since 2020, a short lease and 30 volunteers became a 25-year "
               "lease, 71 volunteers and 19 stalls; coffee next week?")
    fallback, voiced = _written_on(request, "Hi Margaret —", "Margaret",
                                   "25-year lease, 71 volunteers, 19 stalls. What a run it "
                                   "has been.")
    assert voiced.added == [] and voiced.text == fallback.text


def test_a_sentence_written_on_names_only_what_the_request_or_thread_gave():
    """The checks let a draft repeat a retrieved example's facts; what is added to the
    request's own email may name only what the request, the thread or the profile did."""
    fallback, check = _stan_fallback()

    def check_with_example(text):  # the example email offers Priya and the PO
        return check_draft(text, instruction=STAN, sign_off=SIGN_OFF,
                           sources=["Priya will raise the PO on Monday."])
    written = opening_for(fallback) + "Priya will raise the PO.\n\nOnward,\nTeddy"
    assert write_on(fallback, written, instruction=STAN, check_text=check_with_example,
                    sign_off=SIGN_OFF).added == []
    thread = "Stan: happy to start once Priya has raised the PO."
    assert write_on(fallback, written, instruction=STAN, check_text=check_with_example,
                    sign_off=SIGN_OFF, known=[thread]).added == ["Priya will raise the PO."]


def test_nothing_written_on_leaves_the_request_as_it_was():
    fallback, check = _stan_fallback()
    assert write_on(fallback, None, instruction=STAN, check_text=check) is fallback
    signed_at_once = opening_for(fallback) + "Onward,\nTeddy"
    same = write_on(fallback, signed_at_once, instruction=STAN, check_text=check,
                    sign_off=SIGN_OFF)
    assert same.text == fallback.text and same.added == []


def test_no_english_fallback_for_a_user_who_writes_in_another_language():
    german = ["Hallo Jan, die Reparatur passt mir am Donnerstag. Viele Grüße, Eva"] * 3
    assert not mostly_english(german)
    assert mostly_english(["Hi Sam, the rota is attached and it is final for the week."])


def test_drafting_falls_back_on_the_request_when_the_model_talks_about_it(isolated_home):
    chatter = ("Subject: Start: Start: Start\n\nHi Stan,\n\nYou could tell him the board "
               "approved it. Here is what you can say to Stan.\n\nThanks,\nMe")
    engine = Engine(runtime_factory=ScriptedRuntime.factory(script=lambda p, q: chatter))
    service = DraftingService(home=isolated_home, engine=engine)
    try:
        draft = service.draft(DraftRequest(
            "tell Stan the board approved the glazing quote; ask when he can start",
            recipient="Stan <stan@example.org>", use_rag=False, candidates=2))
    finally:
        service.close()
    assert draft.check["from_request"]
    assert "The board approved the glazing quote. When can you start?" in draft.text
    assert draft.text.startswith("Hi Stan") and "tell him" not in draft.text
    assert draft.subject == "The board approved the glazing quote"


def test_the_users_adapter_writes_on_from_the_request_through_the_same_prompt(
        isolated_home):
    from trainer.engine.models import ModelCatalogue
    from trainer.registry import register_adapter

    adapter = isolated_home / "style.gguf"
    adapter.write_bytes(b"GGUF")  # the stand-in never reads it
    register_adapter("run-1", {"model": ModelCatalogue(isolated_home).default_name(),
                               "path": str(adapter)}, home=isolated_home)
    chatter = ("Subject: Start: Start: Start\n\nHi Stan,\n\nYou could tell him the board "
               "approved it. Here is what you can say to Stan.\n\nThanks,\nMe")
    went_on = "No rush, whenever suits you.\n\nThanks,\nMe"

    def script(prompt, params):
        # The request's own email, as the opening the model writes on from.
        return went_on if prompt.endswith("When can you start?\n\n") else chatter
    engine = Engine(runtime_factory=ScriptedRuntime.factory(script=script))
    service = DraftingService(home=isolated_home, engine=engine)
    try:
        drafts = {use: service.draft(DraftRequest(
            STAN, recipient="Stan <stan@example.org>", use_rag=False, candidates=2,
            use_adapter=use)) for use in (True, False)}
    finally:
        service.close()
    draft = drafts[True]
    assert draft.check["from_request"]
    assert draft.check["written_on"] == ["No rush, whenever suits you."]
    body = draft.text.split("\n\n")
    assert body[1] == "The board approved the glazing quote. When can you start?"
    assert body[2] == "No rush, whenever suits you."
    assert draft.text.count("No rush") == 1
    # Without the adapter nothing knows the user's voice: the request's email alone.
    plain = drafts[False]
    assert plain.check["from_request"] and not plain.check["written_on"]
    assert "No rush" not in plain.text


def test_instructions_about_the_writing_are_not_passed_on_as_the_email():
    assert literal_body("joke that I'd never steal your job, wish me luck") is None
    assert literal_body("tell the crew Ana leaves Friday; list what she built") is None
    assert literal_body("ask Priya whether the budget is enough?") == \
        "Could you let me know whether the budget is enough?"
    assert literal_body("warn volunteers the box holds a swarm; keep well clear") == \
        "A word of warning: the box holds a swarm. Keep well clear."


def test_thanks_through_the_reader_and_sentences_of_thanks_are_not_echoes():
    assert literal_body("reply to Callum: a hamper is wonderful, thank Fran") == \
        "A hamper is wonderful. My thanks to Fran, too."
    from trainer.checks import structure_defects
    draft = "Hi Jo,\n\nThank you for the compost. Let me know the price.\n\nBest,\nAl"
    assert "restates_instruction" not in structure_defects(draft, "thank Jo for the compost",
                                                          "Best,\nAl")


def test_a_draft_built_from_another_emails_figures_gives_way_to_the_request():
    # The examples' budget (£20,640, £600) written as if it were this email's.
    request = "thank Priya: took all three changes, total now £19,980, under the cap"
    example = ("Morning Priya,\n\nNew total is £20,640, just over the cap, and £600 for the "
               "evaluation.\n\nOnward,\nTeddy")

    def check(text):
        return check_draft(text, instruction=request, sign_off="Onward,\nTeddy",
                           examples=[example])

    borrowed = ("Morning Priya,\n\nThanks — took all three changes. The new total is "
                "£20,640 with £600 for the evaluation, so £19,980 under the cap.\n\n"
                "Onward,\nTeddy")
    drafted = check(borrowed)
    assert not drafted.invented and not drafted.defects and not drafted.facts_missing
    assert {"n:20640", "n:600"} <= set(drafted.borrowed)
    fallback = literal_fallback(borrowed, drafted, instruction=request,
                                greeting="Morning Priya,", sign_off="Onward,\nTeddy",
                                check_text=check, names=["Priya"])
    assert fallback is not None and "£20,640" not in fallback.text
    assert "£19,980" in fallback.text and not fallback.check.made_up


def test_a_figure_nothing_gave_is_named_for_the_user_to_check(isolated_home):
    # One candidate, temperature 0: no revision, so what the model made up is shown as is,
    # and named for the user to check; the request's own email has none.
    invents = ("Subject: Glazing\n\nHi Stan,\n\nThe board approved the glazing quote of "
               "£2,400. When can you start?\n\nThanks,\nMe")
    engine = Engine(runtime_factory=ScriptedRuntime.factory(script=lambda p, q: invents))
    service = DraftingService(home=isolated_home, engine=engine)
    asked = "tell Stan the board approved the glazing quote; ask when he can start"
    try:
        shown = service.draft(DraftRequest(asked, recipient="Stan <stan@example.org>",
                                           use_rag=False, candidates=1, temperature=0))
        revised = service.draft(DraftRequest(asked, recipient="Stan <stan@example.org>",
                                             use_rag=False, candidates=2))
    finally:
        service.close()
    assert "£2,400" in shown.text and shown.unasked == ["£2,400"]
    assert "£2,400" not in revised.text and revised.unasked == []


def test_a_sentence_no_one_asked_for_is_taken_out_and_said(isolated_home):
    talks = ("Subject: Glazing\n\nHi Stan,\n\nThe board approved the glazing quote. When "
             "can you start? I know the weather has been terrible for outdoor work lately."
             "\n\nThanks,\nMe")
    engine = Engine(runtime_factory=ScriptedRuntime.factory(script=lambda p, q: talks))
    service = DraftingService(home=isolated_home, engine=engine)
    try:
        draft = service.draft(DraftRequest(STAN, recipient="Stan <stan@example.org>",
                                           use_rag=False, candidates=2))
    finally:
        service.close()
    assert "weather" not in draft.text
    assert "The board approved the glazing quote. When can you start?" in draft.text
    assert draft.check["struck"] == ["“I know the weather has been terrible for outdoor work "
                                     "lately.”"]


def test_the_readers_own_things_are_theirs():
    assert literal_body("order Kit's winter logs: two loads; ask this year's price",
                        reader="Kit") == ("I'd like to order your winter logs: two loads. Could "
                                          "you let me know this year's price?")
    assert literal_body("Kit's invoice is paid", reader="Kit") == "Your invoice is paid."
    # Someone else's stay theirs.
    assert literal_body("tell Sol that Kit's van is late", reader="Sol") == "Kit's van is late."
    # Through the fallback, from the recipient's name as drafting knows it.
    def check(text):
        return check_draft(text, instruction="Kit's invoice is paid", sign_off="Onward,\nTeddy")
    empty = "Hi Kit,\n\nOnward,\nTeddy"
    fallback = literal_fallback(empty, check(empty), instruction="Kit's invoice is paid",
                                greeting="Hi Kit,", sign_off="Onward,\nTeddy",
                                check_text=check, names=["Kit Marlow"])
    assert fallback is not None and "Your invoice is paid." in fallback.text


def test_a_user_who_numbers_lists_gets_the_requests_list_numbered():
    from trainer.phrasing import Phrasebook

    numbers = Phrasebook(["All,\n\nThree things:\n1. Keys\n2. Rota\n3. Tea\n\nT"] * 2
                         + ["Thanks, see you then."] * 3)
    assert numbers.numbers_lists and not Phrasebook(["Thanks, see you then."] * 5).numbers_lists
    asked = ("ask Priya to check the budget by Friday: is 3% pension still the minimum, is "
             "£13.50/hour too near £13.45, is £600 evaluation enough?")
    assert literal_body(asked, numbers) == (
        "Could you check the budget by Friday:\n\n1. Is 3% pension still the minimum?\n"
        "2. Is £13.50/hour too near £13.45?\n3. Is £600 evaluation enough?")
    dated = ("tell volunteers the season is closing: rota ends Friday 23 October, work parties "
             "start 3 November, party 11 December; Hamid is chair")
    assert literal_body(dated, numbers) == (
        "The season is closing:\n\n1. Rota ends Friday 23 October.\n2. Work parties start 3 "
        "November.\n3. Party 11 December.\n\nHamid is chair.")
    # Written inline for a user who does not number lists, and wherever the items are not
    # all questions or all dated: "since 2020, 71 volunteers" is a sentence, not a list.
    assert literal_body(dated) == ("The season is closing: rota ends Friday 23 October, work "
                                   "parties start 3 November, party 11 December. Hamid is chair.")
    mixed = "thank Margaret: since 2020, 30 volunteers became 71 volunteers, 19 stalls"
    assert "\n" not in literal_body(mixed, numbers)
    dates = "tell Dev about the news: Saturday 12 September, Saturday, the 22nd"
    assert "\n" not in literal_body(dates, numbers)  # bare dates, not things on them


def test_what_is_sent_is_not_taken_for_a_surname():
    assert literal_body("send Greg Lakeside in his format: an 11% cash return") == \
        "Please find attached Lakeside in your format: an 11% cash return."
    assert literal_body("send Greg Lakeside the plans") == "Please find attached the plans."


def test_the_model_does_not_answer_the_question_the_email_asks():
    request = ("ask Priya to check the budget by Friday: is 3% pension still the minimum, is "
               "£600 evaluation enough?")
    fallback, voiced = _written_on(request, "Morning Priya,", "Priya",
                                   "Yes, 3% pension remains the minimum. Cheers for looking.")
    assert voiced.added == [] and voiced.text == fallback.text
    # Without the answer, the thanks after the question is the user's own.
    _, thanks = _written_on(request, "Morning Priya,", "Priya",
                            "Cheers for looking into it, much appreciated.")
    assert thanks.added == ["Cheers for looking into it, much appreciated."]


def test_names_typed_in_lower_case_are_written_as_the_email_replied_to_writes_them():
    from trainer.literal import capitalised_as_in
    thread = "Wednesday 14th, morning. Heard the party was good, we were in Cornwall.\nStan"
    assert capitalised_as_in("Glad cornwall was good, see you wednesday.", thread) == \
        "Glad Cornwall was good, see you wednesday."
    # a word the email also writes in lower case is an everyday word
    assert capitalised_as_in("The party was good.", "The Party was fun; the party ran late.") \
        == "The party was good."


def test_has_after_an_adverb_is_have_said_to_the_reader():
    assert to_you("he's always been helpful", False) == "you've always been helpful"
    assert to_you("she's still got the keys", False) == "you've still got the keys"
    assert to_you("he's always late", False) == "you're always late"
    assert to_you("we quoted her £3,850 and paid her 50", False) == "we quoted you £3,850 and paid you 50"
