"""Our own reply/quote/forward/signature cases (``tests/fixtures/clean_cases/*.toml``), and
how a cleaner's output is judged against each: clean, someone else's text kept, or the
writer's own words cut. Used by ``tests/test_clean_cases.py`` and ``bench/bench_clean.py``."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent / "fixtures" / "clean_cases"


@dataclass(frozen=True)
class CleanCase:
    id: str
    language: str
    client: str
    kind: str
    own: str
    text: str = ""
    html: str = ""
    file: str = ""


def load_cases(directory: Path = CASES_DIR) -> list[CleanCase]:
    cases = []
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as handle:
            for entry in tomllib.load(handle).get("case", []):
                cases.append(CleanCase(
                    id=entry["id"], language=entry.get("language", ""),
                    client=entry.get("client", ""), kind=entry.get("kind", ""),
                    own=entry["own"], text=entry.get("text", ""), html=entry.get("html", ""),
                    file=path.name))
    return cases


def normalise(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{2,}", "\n\n", "\n".join(lines)).strip()


def fold(text: str) -> str:
    return " ".join(text.split())


def own_text(case: CleanCase, clean: Callable[[str], str] | None = None) -> str:
    """What the importer would keep as the writer's words for ``case``."""
    from store.clean import clean_body
    from store.htmltext import mail_html_to_text

    clean = clean or (lambda text: clean_body(text).body)
    return clean(mail_html_to_text(case.html) if case.html else case.text)


def judge(case: CleanCase, got: str) -> str:
    """"clean", "cut_own" (some of the writer's words are missing) or "kept_other"."""
    if case.html:
        want, have = fold(case.own), fold(got)
        if want == have:
            return "clean"
        return "kept_other" if want in have else "cut_own"
    want, have = normalise(case.own), normalise(got)
    if want == have:
        return "clean"
    have_lines = [fold(line) for line in have.split("\n")]
    missing = [line for line in want.split("\n") if line.strip()
               and fold(line) not in have_lines]
    return "cut_own" if missing else "kept_other"
