"""Data playback: faithful-by-construction instructions, and the checks that score any."""

from __future__ import annotations

import pytest

from trainer.facts import everyday_words
from trainer.playback import (
    METHOD,
    EmailForPlayback,
    check_instruction,
    extract_facts,
    make_instruction,
    recipient_name,
)

EMAIL = EmailForPlayback(
    ident="m1",
    body=("Morning Stan,\n\nThe board said yes to the £1,840 quote for the east panes. Could you "
          "start on Thursday 20 March at 8:30? Nina will have the keys.\n\nOnward,\nTeddy"),
    subject="Re: Greenhouse glazing",
    to=["stan@kglazing.example"],
    is_reply=True,
    writer_names=("Teddy", "Quill"),
)


def test_recipient_comes_from_the_greeting_or_the_address():
    assert recipient_name(EMAIL) == "Stan"
    bare = EmailForPlayback("m2", "Can you send the file?", to=["lucy.gonzalez@x.example"])
    assert recipient_name(bare) == "Lucy"


def test_facts_are_taken_verbatim_and_never_the_writer():
    facts = extract_facts(EMAIL, recipient="Stan")
    assert facts[:3] == ["£1,840", "Thursday 20 March", "8:30"]
    assert "Nina" in facts
    assert not {"Teddy", "Stan", "Onward"} & set(facts)


def test_a_sentence_opened_with_an_everyday_word_names_no_one():
    # The writer's other mail uses "regarding" and "hopefully" as words, "Keith" as a name.
    everyday = everyday_words([
        "regarding the lease, hopefully we close soon.", "I asked Keith about it.",
        "Keith is out; hopefully back monday. sent regarding the fax to keith@x.example"])
    assert {"regarding", "hopefully"} <= everyday and "keith" not in everyday
    email = EmailForPlayback("m3", "Jim,\n\nRegarding the lease: Keith signed. Hopefully "
                             "Grigsby agrees.\n\nPhillip", to=["jim@x.example"],
                             writer_names=("Phillip",))
    assert {"Regarding", "Hopefully"} <= set(extract_facts(email, recipient="Jim"))
    facts = extract_facts(email, recipient="Jim", everyday=everyday)
    assert not {"Regarding", "Hopefully"} & set(facts)
    assert {"Keith", "Grigsby"} <= set(facts)
    # Key phrases with the reader's or writer's name in them are the greeting or sign-off.
    phrases = extract_facts(EmailForPlayback("m4", "Jim,\n\nGreat, cheers Jim.\n\nPhillip",
                                             writer_names=("Phillip",)), recipient="Jim",
                            keyphrases=lambda body: ["great cheers jim", "quick turnaround"])
    assert "quick turnaround" in phrases and "great cheers jim" not in phrases


def test_instruction_is_usable_and_varies_in_form():
    instruction = make_instruction(EMAIL)
    assert instruction.text.lower().startswith(("reply to stan", "stan:"))
    assert check_instruction(instruction.text, EMAIL).usable
    forms = {make_instruction(EmailForPlayback(f"id{i}", EMAIL.body, EMAIL.subject)).form
             for i in range(40)}
    assert forms == {"notes", "sentence", "bullets", "terse", "request"}


def test_checks_catch_echo_meta_and_invented_facts():
    copied = "The board said yes to the £1,840 quote for the east panes"
    assert check_instruction(f"tell Stan {copied}", EMAIL).echo
    assert check_instruction("To instruct someone to write a message about glass", EMAIL).meta
    invented = check_instruction("reply to Stan: quote is £2,000, start Monday with Bob", EMAIL)
    assert set(invented.invented) == {"£2,000", "2,000", "Bob"}
    assert not invented.usable


@pytest.mark.slow
@pytest.mark.shared_data
def test_playback_on_the_shared_account_is_at_least_90_percent_usable(enron_store):
    from trainer.dataset import own_emails
    from trainer.playback import EmbeddingKeyphrases
    from trainer.playback_run import playback

    emails = own_emails(enron_store)
    assert len(emails) > 500
    assert {"Phillip", "Allen"} <= set(emails[0].writer_names)
    instructions, report = playback(emails, EmbeddingKeyphrases(enron_store.embedder))
    assert report.emails == len(emails) == len(instructions)
    assert report.usable_share >= 0.90, report.to_json()
    assert report.methods == {METHOD: len(emails)}
    assert report.emails_per_min > 100
    # The writer is never a third party in his own instructions.
    assert not any("Phillip" in i.facts for i in instructions)


def test_a_typed_request_is_built_from_the_emails_own_acts_and_facts():
    from trainer.playback import _request, email_acts

    facts = extract_facts(EMAIL, recipient="Stan")
    assert email_acts(EMAIL.body) == ["confirm", "ask"]
    text = _request("Stan", "Greenhouse glazing", facts, EMAIL.body)
    assert text.startswith("confirm to Stan about greenhouse glazing: £1,840")
    assert "; ask if that works (Thursday 20 March, 8:30)" in text
    check = check_instruction(text, EMAIL)
    assert check.usable and not check.invented
    thanks = "Hi Jo,\n\nThank you for the 18 bags of compost. They arrived today.\n\nTeddy"
    assert _request("Jo", "", ["18"], thanks) == "thank Jo: 18"
    assert email_acts("The rota is attached.") == ["tell"]


def test_key_phrases_never_run_across_figures_punctuation_or_lines():
    from trainer.playback import EmbeddingKeyphrases

    body = ("Hi Bernard,\n\nThursday 22nd, 9am — perfect. HB- noted, I'll bring the spare "
            "washers\nand the long ladder for the barn roof.\n\nCheers,\nTeddy")
    candidates = EmbeddingKeyphrases(embedder=None).candidates(body)
    assert "spare washers" in candidates and "long ladder" in candidates
    # Each candidate is written in the email as it stands, words in a row.
    flat = " ".join(body.lower().split())
    assert all(phrase in flat for phrase in candidates), candidates
    assert not any(word in candidates for word in ("thursday nd", "nd am", "perfect hb"))
    assert not [p for p in candidates if "i'll" in (p.split()[0], p.split()[-1])], candidates


def test_names_one_a_line_are_several_but_a_wrapped_name_is_one():
    listed = EmailForPlayback(
        "m5", "Naomi,\n\nThe desk for the spring rotation:\nMarta Ruiz\nOskar Lind\nIngrid Moe\n"
        "\nOwnership Structure\nWhat we agreed stands.\n\nPhil", writer_names=("Phil",))
    facts = extract_facts(listed, recipient="Naomi", limit=10)
    assert {"Oskar Lind", "Ingrid Moe"} <= set(facts)
    assert not [f for f in facts if "\n" in f or len(f.split()) > 2], facts
    wrapped = EmailForPlayback(
        "m6", "Naomi,\n\nI spoke to the new analyst this morning about the desk, and she is keen;"
              " Ingrid\nMoe starts on Monday with the west team.\n\nPhil", writer_names=("Phil",))
    assert "Ingrid Moe" in extract_facts(wrapped, recipient="Naomi")
    instruction = make_instruction(wrapped)
    assert "Ingrid Moe" in instruction.text
    assert check_instruction(instruction.text, wrapped).usable
