"""The typed requests of ``tests/fixtures/typed``, read as a whole: who each is for, and
the request's own email, as ``bench/bench_requests.py`` counts them."""

import json
from pathlib import Path

import pytest

from trainer.checks import check_draft
from trainer.greetings import named_in_instruction
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
    found = sum(item["reader"] in named_in_instruction(item["request"]).split()
                for item in named)
    assert found >= 0.95 * len(named)
    groups = [item for item in requests if not item["reader"]]
    unnamed = sum(not named_in_instruction(item["request"]).strip()
                  or " and " in named_in_instruction(item["request"]) for item in groups)
    assert unnamed >= 0.85 * len(groups)
