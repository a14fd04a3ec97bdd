"""HTML to readable plain text, for HTML-only mail and .html documents.

For mail, the quoting that clients express only in the markup (Gmail's ``gmail_quote``,
Outlook's ``divRplyFwdMsg`` and its ``border-top`` separator, Thunderbird's
``moz-cite-prefix``, Yahoo's ``yahoo_quoted``) is made explicit first: those parts, and
everything after a reply separator, become blockquotes, which the text shows as ``>``
lines — as plain-text mail quotes — so the cleaner sees the quote whatever the client.
"""

from __future__ import annotations

import re

import html2text

# Containers that hold someone else's message (or its attribution): quoted themselves.
_QUOTE_CLASSES = {"gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote",
                  "zmail_extra", "zmail_extra_hr"}
# Outlook puts the quoted message after these, in the same container, not inside them:
# everything from one of them on is quoted.
_SEPARATOR_IDS = re.compile(r"^(?:divRplyFwdMsg|appendonsend|x_divRplyFwdMsg|"
                            r"x_appendonsend|OLK_SRC_BODY_SECTION|yahoo_quoted_\w*)$", re.I)
_SEPARATOR_CLASSES = {"outlookmessageheader"}
_BORDER_TOP = re.compile(r"border-top\s*:\s*solid", re.I)


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
        text = re.sub(r"<[^>]+>", " ", markup)
    # html2text escapes what Markdown would read as a list or heading ("\-- ", "\+1",
    # "1\. "); this is plain text, so the escapes go, and a signature's "-- " stays one.
    lines = [_MD_NUMBER.sub(r"\1\2.", _MD_ESCAPE.sub(r"\1\2", line.rstrip()))
             for line in text.splitlines()]
    return "\n".join(lines).strip()


_MD_ESCAPE = re.compile(r"^(\s*(?:>\s*)*)\\([-+*#=_`])")
_MD_NUMBER = re.compile(r"^(\s*(?:>\s*)*)(\d+)\\\.")


def _classes(element) -> set[str]:
    return {c.lower() for c in (element.get("class") or "").split()}


def _is_container(element) -> bool:
    return bool(_classes(element) & _QUOTE_CLASSES)


def _is_separator(element) -> bool:
    if _classes(element) & _SEPARATOR_CLASSES or _SEPARATOR_IDS.match(element.get("id") or ""):
        return True
    style = element.get("style") or ""
    return element.tag == "div" and bool(_BORDER_TOP.search(style)) and \
        "padding" in style.lower()


def _quote_from(element) -> None:
    """Put ``element`` and everything after it in the document into blockquotes."""
    from lxml import html as lxml_html

    node = element
    while node is not None and node.getparent() is not None and node.tag != "body":
        parent = node.getparent()
        follow = [node] if node is element else []
        sibling = node.getnext()
        while sibling is not None:
            follow.append(sibling)
            sibling = sibling.getnext()
        if follow:
            quote = lxml_html.Element("blockquote")
            follow[0].addprevious(quote)
            for moved in follow:
                quote.append(moved)  # the tail text moves with its element
        node = parent


def _mark_signature(element) -> None:
    """Gmail's signature block, delimited as a plain-text signature is, unless the
    writer's "-- " already stands just before it."""
    from lxml import html as lxml_html

    before = element.getprevious()
    while before is not None and before.tag == "br" and not (before.tail or "").strip():
        before = before.getprevious()
    near = (before.tail or "") if before is not None else (element.getparent().text or "")
    if before is not None and not near.strip():
        near = before.text_content()
    if element.text_content().lstrip().startswith("--") or near.strip().endswith("--"):
        return
    element.addprevious(lxml_html.fromstring("<div>-- </div>"))


def mail_html_to_text(markup: str) -> str:
    """The text of an HTML mail, with the quotes its client marked up shown as quotes."""
    try:
        from lxml import etree
        from lxml import html as lxml_html

        root = lxml_html.document_fromstring(markup)
    except (ValueError, etree.ParserError, ImportError):
        return html_to_text(markup)
    for signature in root.xpath('//*[contains(concat(" ", normalize-space(@class), " "),'
                                ' " gmail_signature ")]'):
        _mark_signature(signature)
    for container in [e for e in root.iter() if isinstance(e.tag, str) and _is_container(e)]:
        if not _inside_quote(container):
            container.tag = "blockquote"  # shown as "> " lines, as plain-text mail quotes
    first = next((e for e in root.iter() if isinstance(e.tag, str) and e.tag != "blockquote"
                  and _is_separator(e) and not _inside_quote(e)), None)
    if first is not None:
        _quote_from(first)  # Outlook's empty "appendonsend" marker too: the reply follows it
    return html_to_text(lxml_html.tostring(root, encoding="unicode"))


def _inside_quote(element) -> bool:
    return any(a.tag == "blockquote" for a in element.iterancestors())
