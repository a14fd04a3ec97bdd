"""HTML to readable plain text, for HTML-only mail and .html documents."""

from __future__ import annotations

import html2text


def html_to_text(markup: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0  # keep paragraphs on one line; the cleaner works line by line
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ignore_links = True
    converter.ignore_tables = False
    converter.unicode_snob = True
    try:
        text = converter.handle(markup)
    except Exception:  # noqa: BLE001 - html2text can trip over badly broken markup
        import re

        text = re.sub(r"<[^>]+>", " ", markup)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip()
