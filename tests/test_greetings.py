"""Greeting someone the request names only by their role (``trainer.greetings``)."""

import pytest

from trainer.greetings import GreetingBook, resolve_recipient, role_addressed


@pytest.mark.parametrize("instruction, role", [
    ("email the vet to ask for the vaccination record", "the vet"),
    ("tell my landlord the boiler is off again", "my landlord"),
    ("write to the school office: Noor is off with a cold", "the school office"),
    ("ask the plumber if Thursday works", "the plumber"),
    ("tell my boss I'm off sick", "my boss"),
    ("tell Stan the panes arrived", ""),
    ("remind the tenants the bins go out tonight", ""),
])
def test_a_request_to_someone_by_their_role_is_read(instruction, role):
    assert role_addressed(instruction) == role


def test_someone_by_their_role_is_greeted_without_a_name_in_the_users_way():
    greets_by_hi = GreetingBook()
    for n in range(4):
        greets_by_hi.learn([f"p{n}@example.org"], "Hi Rosa —\n\nThe keys are on the hook.\n\nTeddy")
    to_the_vet = resolve_recipient(greets_by_hi, instruction="email the vet to ask for the record")
    assert to_the_vet.role == "the vet" and not to_the_vet.name
    assert greets_by_hi.greeting_for(to_the_vet) == "Hello,"
    writes_dear = GreetingBook()
    for n in range(4):
        writes_dear.learn([f"p{n}@example.org"], "Dear Rosa,\n\nThe keys are on the hook.\n\nAda")
    assert writes_dear.greeting_for(to_the_vet) == "Dear Sir or Madam,"
    names_only = GreetingBook()
    for n in range(4):
        names_only.learn([f"p{n}@example.org"], "Rosa,\n\nThe keys are on the hook.\n\nAl")
    assert names_only.greeting_for(to_the_vet) is None  # "Rosa," has no word to say alone
    nobody = resolve_recipient(greets_by_hi, instruction="write a note about the bins")
    assert greets_by_hi.greeting_for(nobody) is None
