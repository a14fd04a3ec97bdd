"""Typed-request benchmark: how requests as people type them are read, with no model.

    .venv/bin/python bench/bench_requests.py [--compare REV] [--file F.jsonl ...] [--json]

For each request (``tests/fixtures/typed/*.jsonl`` by default: ``request`` and the
``reader`` it is for) it reports whether the person written to is found (the greeting's
name, ``trainer.greetings.named_in_instruction``), and whether the request's own email
(``trainer.literal.literal_body``, which drafting falls back on) is given and passes the
form checks (``trainer.checks.check_draft``) inside a greeting and sign-off.

``--compare REV`` reads the same requests with the code of git revision REV (a worktree,
in a subprocess) in the same run, for before/after numbers, and counts the emails that
differ. Writes bench/out/requests.json.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "typed"

# Run inside the tree being measured, so that another revision's code reads the requests.
_MEASURE = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
from trainer.checks import check_draft
from trainer.greetings import named_in_instruction
from trainer.literal import literal_body
import time
out = []
for line in sys.stdin:
    item = json.loads(line)
    request, reader = item["request"], item.get("reader", "")
    began = time.perf_counter()
    named = named_in_instruction(request)
    body = literal_body(request, reader=reader)
    took = time.perf_counter() - began
    defects = None
    if body is not None:
        text = (f"Hi {reader},\n\n" if reader else "Hi all,\n\n") + body + "\n\nBest,\nSam"
        defects = check_draft(text, instruction=request, sign_off="Best,\nSam",
                              allowed_names=[reader] if reader else []).defects
    out.append({"named": named, "body": body, "defects": defects, "ms": round(took * 1000, 2)})
print(json.dumps(out))
'''


def read_requests(files: list[Path]) -> list[dict]:
    items = []
    for path in files:
        for line in path.read_text().splitlines():
            if line.strip():
                items.append(json.loads(line))
    return items


def measure(tree: Path, items: list[dict]) -> list[dict]:
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(tree)], cwd=tree,
                          input="\n".join(json.dumps(i) for i in items), capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def found_reader(item: dict, result: dict) -> bool:
    named, reader = result["named"], item.get("reader", "")
    if not reader:  # a group, greeted as one or by the names of the few it is ("Sam and
        # Priya"), or someone named by title ("Mrs Okafor", "Councillor Patel")
        return not named or " and " in named or bool(re.match(
            r"(?:Dr|Mr|Mrs|Miss|Ms|Mx|Prof|Professor|Councillor|Cllr|Rev|Sir|Dame)\b\.?\s+[A-Z]", named))
    return same_person(named, reader)


def same_person(named: str, reader: str) -> bool:
    """Whether the greeting's name is the reader's, as written either way: "Dr Osei" is
    "Dr. Osei"; "Hamish" is "Hamish Grant"; "Mike and Tony" greets Tony too."""
    def words(name: str) -> list[str]:
        return name.replace(".", " ").lower().split()
    def within(got: list[str], wanted: list[str]) -> bool:
        return any(got[i:i + len(wanted)] == wanted for i in range(len(got)))

    got, wanted = words(named), words(reader)
    # "Dr Amara Okonkwo" is greeted "Dr Okonkwo"
    greeted = [got[0], got[2]] if len(got) == 3 and re.fullmatch(_TITLES, got[0]) else got
    return bool(got) and (within(got, wanted) or within(greeted, wanted))


_TITLES = r"dr|mr|mrs|miss|ms|mx|prof|professor|herr|frau|coach|aunty|auntie|aunt|uncle|father|sister"


def summary(items: list[dict], results: list[dict]) -> dict:
    named = [i for i in items if i.get("reader")]
    return {
        "requests": len(items),
        "email_given": sum(r["body"] is not None for r in results),
        "email_without_form_defect": sum(r["defects"] == [] for r in results),
        "reader_found": sum(found_reader(i, r) for i, r in zip(items, results, strict=True)
                            if i.get("reader")),
        "to_a_named_reader": len(named),
        "group_left_unnamed": sum(found_reader(i, r) for i, r in zip(items, results, strict=True)
                                  if not i.get("reader")),
        "to_a_group": len(items) - len(named),
        # Read with no model, per request: the slowest shows a regular expression gone wrong
        "slowest_ms": max((r.get("ms", 0.0) for r in results), default=0.0),
    }


def worktree(revision: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="requests-rev-")) / "tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "-f", "--detach", str(folder),
                    revision], check=True, capture_output=True)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", metavar="REV", help="the same requests, read at REV")
    parser.add_argument("--file", action="append", type=Path, help="requests (.jsonl)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--show", action="store_true", help="print each request and email")
    args = parser.parse_args(argv)
    files = args.file or sorted(FIXTURES.glob("*.jsonl"))
    items = read_requests(files)
    started = time.perf_counter()
    results = measure(REPO, items)
    report = {"files": [str(f) for f in files], "seconds": round(time.perf_counter() - started, 2),
              "now": summary(items, results)}
    if args.compare:
        tree = worktree(args.compare)
        try:
            before = measure(tree, items)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                           capture_output=True)
        report["compare"] = args.compare
        report["before"] = summary(items, before)
        report["emails_changed"] = sum(a["body"] != b["body"]
                                       for a, b in zip(before, results, strict=True))
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "requests.json").write_text(json.dumps(report, indent=2))
    if args.show:
        for item, result in zip(items, results, strict=True):
            print(f"{item['request']!r}\n  to {result['named'] or '-'}: {result['body']}"
                  f"{'  ' + str(result['defects']) if result['defects'] else ''}\n")
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    rows = [("now", report["now"])] + ([("before", report["before"])] if args.compare else [])
    for label, s in rows:
        print(f"{label:>6}: email without a form defect {s['email_without_form_defect']}/"
              f"{s['requests']} (given {s['email_given']}); reader found {s['reader_found']}/"
              f"{s['to_a_named_reader']}; group requests greeting no one by name "
              f"{s['group_left_unnamed']}/{s['to_a_group']}; slowest {s['slowest_ms']:.0f} ms")
    if args.compare:
        print(f"emails that differ from {args.compare}: {report['emails_changed']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
