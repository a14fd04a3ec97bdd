"""The user's phrasing, counted in their sent mail (``trainer.phrasing``), and the request
written as the email in it: alone, and through the drafting service over a real store."""

from __future__ import annotations

import pytest

from app.drafting import DraftingService, DraftRequest
from store.api import Store
from tests.fakes import HashingEmbedder, ScriptedRuntime
from tests.mailfactory import message
from trainer.engine.pool import Engine
from trainer.literal import literal_body
from trainer.phrasing import Phrasebook, key_of

# Someone who writes "Cheers for", "Can you …?", "I've attached" and never exclaims.
HABITS = [
    "Morning Ines,\n\nCheers for the minutes. Can you add the budget line?\n\nBest,\nOla",
    "Hi Rob,\n\nCheers for sorting the van. I've attached the route.\n\nBest,\nOla",
    "Hi Ben,\n\nCan you check the hall is free on Friday? Cheers for asking.\n\nBest,\nOla",
    "Hi Ines,\n\nI've attached the plan. Can you print six copies?\n\nBest,\nOla",
    "Hi all,\n\nThe rota is final. Thank you for your patience.\n\nBest,\nOla",
]


def test_forms_are_counted_as_the_user_writes_them():
    book = Phrasebook(HABITS)
    assert book.uses("cheers for") == 3 and book.uses("can you") == 3
    assert book.uses("could you") == 0 and book.uses("thank you for") == 1
    assert key_of("cheers for {x}.") == "cheers for"
    assert key_of("attached: {x}.") == "attached:"
    # The default stays unless another form is a habit, and a more frequent one than it.
    assert book.pick(("thank you for {x}.", "cheers for {x}.")) == "cheers for {x}."
    assert book.pick(("thank you for {x}.", "many thanks for {x}.")) == "thank you for {x}."
    assert Phrasebook(["Cheers for this."]).pick(
        ("thank you for {x}.", "cheers for {x}.")) == "thank you for {x}."
    # "let me know if" inside "can you let me know if" is not a habit of its own.
    asker = Phrasebook(["Can you let me know if it fits?"] * 3)
    assert asker.pick(("could you let me know if {x}?", "can you let me know if {x}?",
                       "let me know if {x}.")) == "can you let me know if {x}?"
    assert not book.exclaims and Phrasebook().exclaims
    assert book.punctuate("Congratulations on the award!") == "Congratulations on the award."


@pytest.mark.parametrize(("request_", "plain", "theirs"), [
    ("thank Ines for the minutes and ask her to add the budget line",
     "Thank you for the minutes. Could you add the budget line?",
     "Cheers for the minutes. Can you add the budget line?"),
    ("send Rob the route; congratulate him on the new van",
     "Please find attached the route. Congratulations on the new van!",
     "I've attached the route. Congratulations on the new van."),
    ("tell Ben the hall is booked", "The hall is booked.", "The hall is booked."),
])
def test_the_request_as_an_email_takes_the_users_phrasing(request_, plain, theirs):
    assert literal_body(request_) == plain
    assert literal_body(request_, Phrasebook(HABITS)) == theirs


def test_drafting_writes_the_request_in_the_phrasing_of_the_users_mail(isolated_home,
                                                                       tmp_path):
    mail = tmp_path / "sent"
    mail.mkdir()
    for n, body in enumerate(HABITS):
        (mail / f"{n}.eml").write_bytes(bytes(message(
            n, sender="Ola Berg <ola@example.org>", to="ines@example.org", body=body)))
    chatter = ("Subject: Minutes\n\nHi Ines,\n\nYou could tell her about the minutes and "
               "here is what you can say.\n\nBest,\nOla")
    engine = Engine(runtime_factory=ScriptedRuntime.factory(
        script=lambda prompt, params: chatter))
    with Store(isolated_home, embedder=HashingEmbedder()) as store:
        store.import_paths([mail], me=["ola@example.org"])
        service = DraftingService(store=store, engine=engine)
        try:
            draft = service.draft(DraftRequest(
                "thank Ines for the minutes and ask her to add the budget line",
                recipient="ines@example.org", use_rag=False, candidates=2))
        finally:
            service.close()
    assert draft.check["from_request"]
    assert "Cheers for the minutes. Can you add the budget line?" in draft.text
    assert draft.text.startswith("Morning Ines,") or draft.text.startswith("Hi Ines,")


def test_no_form_of_the_request_email_reads_as_a_made_up_name():
    """Every way a sentence of the request's email may begin ("Confirming …", "Heads up:
    …") is the user's phrasing, never a name the checks would call invented."""
    from trainer.facts import proper_names
    from trainer.literal import _ALTERNATIVES

    for default, others in _ALTERNATIVES.items():
        for form in (default, *others):
            sentence = form.replace("{x}", "Thursday at the Old Mill")
            sentence = sentence[0].upper() + sentence[1:]
            assert proper_names(sentence) <= {"old", "mill"}, sentence
