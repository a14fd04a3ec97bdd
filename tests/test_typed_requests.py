"""The typed requests of ``tests/fixtures/typed``, read as a whole: who each is for, and
the request's own email, as ``bench/bench_requests.py`` counts them."""

import json
import re
from pathlib import Path

import pytest

from trainer.checks import check_draft
from trainer.greetings import first_name, named_in_instruction
from trainer.literal import literal_body

FIXTURES = Path(__file__).parent / "fixtures" / "typed"


def _requests() -> list[dict]:
    return [json.loads(line) for path in sorted(FIXTURES.glob("*.jsonl"))
            for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def requests() -> list[dict]:
    found = _requests()
    assert len(found) >= 250
    return found


def test_nearly_every_typed_request_becomes_an_email_without_a_form_defect(requests):
    clean = 0
    for item in requests:
        reader = item["reader"]
        body = literal_body(item["request"], reader=reader)
        if body is None:
            continue
        draft = (f"Hi {reader},\n\n" if reader else "Hi all,\n\n") + body + "\n\nBest,\nSam"
        clean += not check_draft(draft, instruction=item["request"], sign_off="Best,\nSam",
                                 allowed_names=[reader] if reader else []).defects
    assert clean >= 0.97 * len(requests)


def test_the_person_written_to_is_found_in_nearly_every_typed_request(requests):
    named = [item for item in requests if item["reader"]]
    found = sum(_same_person(named_in_instruction(item["request"]), item["reader"])
                for item in named)
    assert found >= 0.95 * len(named)
    # To a group, or to someone the request gives no first name: greeted as a group, by
    # the names of the few it is to ("Sam and Priya"), or by title ("Mrs Okafor").
    groups = [item for item in requests if not item["reader"]]
    fitting = sum(bool(re.fullmatch(_GROUP_GREETED, named_in_instruction(item["request"])))
                  for item in groups)
    assert fitting >= 0.85 * len(groups)


def _same_person(named: str, reader: str) -> bool:
    # "Dr Osei" greets "Dr. Osei"; "Mike and Tony" greets Tony; "Dr Amara Okonkwo" is
    # greeted "Dr Okonkwo"
    def words(name: str) -> list[str]:
        return name.replace(".", " ").lower().split()
    got, wanted = words(named), words(reader)
    return bool(got) and (any(got[i:i + len(wanted)] == wanted for i in range(len(got)))
                          or words(first_name(named)) == wanted)


_GROUP_GREETED = (r"|.+ and .+|(?:Dr|Mr|Mrs|Miss|Ms|Mx|Prof|Professor|Councillor|Cllr|Rev|Sir|Dame)\b"
                  r"\.?\s+[A-Z].*")
