"""The main job on the bundled sample persona: import her mailbox, search it, and draft a
new email in her voice with the emails of hers it retrieved.

Run by ``make demo``; training joins here with the trainer.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli import main as cli

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "sample"


def main() -> int:
    print(f"== Importing the sample persona's mail and documents from {SAMPLE}", flush=True)
    code = cli(["import", str(SAMPLE / "mail"), str(SAMPLE / "documents")])
    if code not in (0, 1):
        return code
    for query, extra in (("greenhouse glass repair quote", ["--own"]),
                         ("seed order price", [])):
        print(f"\n== Searching: {query!r} {' '.join(extra)}", flush=True)
        cli(["search", query, "-k", "3", *extra])
    print("\n== What is in the store", flush=True)
    cli(["stats"])
    instruction = "tell Stan the board approved the glazing quote; ask when he can start"
    print(f"\n== Drafting in Teddy's voice: {instruction!r}", flush=True)
    return cli(["draft", instruction, "--length", "short", "--seed", "7"])


if __name__ == "__main__":
    sys.exit(main())
