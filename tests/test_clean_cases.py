"""The cleaner on our own cases in fourteen languages: every client's attribution, header
block, forward marker, signature and footer, HTML quoting, and own text that only looks
like a quote."""

from collections import Counter

import pytest

from tests.clean_cases import judge, load_cases, own_text

CASES = load_cases()


def test_the_corpus_is_ours_and_broad():
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES)
    languages = Counter(c.language for c in CASES)
    for language in ("en", "de", "fr", "es", "it", "pt", "nl", "da", "sv", "no", "pl", "ru",
                     "ja", "zh"):
        assert languages[language] >= 8, language


def test_no_case_loses_the_writers_words_and_nearly_all_come_out_clean():
    verdicts = {c.id: judge(c, own_text(c)) for c in CASES}
    cut = sorted(i for i, v in verdicts.items() if v == "cut_own")
    kept = sorted(i for i, v in verdicts.items() if v == "kept_other")
    assert not cut, f"own words cut in: {cut}"
    clean = sum(v == "clean" for v in verdicts.values()) / len(verdicts)
    assert clean >= 0.97, f"{clean:.1%} clean; someone else's text kept in: {kept}"


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == "own-only"],
                         ids=lambda c: c.id)
def test_text_that_only_looks_like_a_quote_is_kept_whole(case):
    assert judge(case, own_text(case)) == "clean"
