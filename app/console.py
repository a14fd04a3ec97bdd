"""What every command prints: one JSON document on stdout, or words for people on stderr."""

from __future__ import annotations

import json
import sys


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def err(text: str) -> None:
    print(text, file=sys.stderr)
