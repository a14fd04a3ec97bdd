"""Hand a draft over to the user's mail client: an .eml file, or a mailto: link."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import quote

from app.drafting import Draft


def draft_to_message(draft: Draft, *, sender: str = "", to: str = "") -> EmailMessage:
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    recipient = to or (draft.reply_to.sender if draft.reply_to else "")
    if recipient:
        msg["To"] = recipient
    msg["Subject"] = draft.subject
    from datetime import UTC, datetime

    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain="amanuensis.local")
    if draft.reply_to and draft.reply_to.message_id:
        msg["In-Reply-To"] = f"<{draft.reply_to.message_id}>"
        refs = list(dict.fromkeys([*draft.reply_to.references, draft.reply_to.message_id]))
        msg["References"] = " ".join(f"<{r}>" for r in refs)
    # Mail clients open this as an editable draft rather than a received message.
    msg["X-Unsent"] = "1"
    msg.set_content(draft.text)
    return msg


def save_eml(draft: Draft, path: Path, *, sender: str = "", to: str = "") -> Path:
    path = Path(path)
    path.write_bytes(bytes(draft_to_message(draft, sender=sender, to=to)))
    return path


def mailto_url(draft: Draft, to: str = "") -> str:
    recipient = to or (draft.reply_to.sender if draft.reply_to else "")
    query = f"subject={quote(draft.subject)}&body={quote(draft.text)}"
    return f"mailto:{quote(recipient, safe='@,')}?{query}"
