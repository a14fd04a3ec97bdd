"""An email pasted into a request to be answered ("reply to this: "Hi Sam, are you free
Thursday? Thanks, Ana" — say yes"), read apart from what the user wants said: the email
replied to, who wrote it, and what to answer. No model; English only."""

from __future__ import annotations

import re

from trainer.story import about_the_writing, sentences
from trainer.titles import HONORIFIC

# "reply to this: "Hi Sam, are you free Thursday? Thanks, Ana" — say yes, 2pm works": the
# email replied to, pasted into the request, and what to say to it.
_PASTED = re.compile(
    r"^\s*(?i:(?:(?:hi|hey|ok)[,!.]?\s+)?(?:can\s+(?:you|u)\s+|could\s+you\s+|pls\s+|please\s+)?"
    r"(?:help\s+me\s+)?)?(?i:reply|respond|answer|re)"
    r"(?:(?:\s+to)?\s+(?i:this|the\s+following)(?:\s+(?i:email|message|mail|note))?|\s+(?i:to)(?=\s*:)|(?<=(?i:re))(?=\s+(?i:this)))"
    r"(?:\s+(?i:this))?"
    r"(?:\s+(?i:from)\s+(?:(?P<sender>[A-ZÀ-Þ][\w'’-]+)(?:\s*\([^()\n]{1,40}\))?(?=\s*[:—–-])|(?i:the)\s+[^:'\"“]{1,40}?))?\s*[:—–-]?\s*"
    r"(?:[\"“](?P<quoted>[^\"”]{8,})[\"”]"
    # 'Hi Mum, can I borrow £50? Love Jack x' — in single quotes, apostrophes inside
    r"|['‘](?P<single>[^\n]{8,}?)['’](?=\s*(?:[—–:,.-]|\n|$))"
    # ">> Hi, is the bike still available? … Rob": quoted a line at a time
    r"|\n(?P<marked>(?:[ \t]*>+[^\n]*(?:\n|$))+)"
    r"|\n(?P<lines>.+?)\n\s*\n)\s*[—–:,.-]*\s*(?P<rest>\S.*)$",
    re.S)
# How the one who wrote the pasted email signed it: "Thanks, Ana", "Regards,\nKate".
_SIGNED = re.compile(r"(?:^|\n|[.!?]\s+|,\s+|\s(?=[—–-]))(?:(?:many\s+|kind\s+|best\s+)?(?:thanks|thank\s+you|regards|"
                     r"best|cheers|all\s+the\s+best|warmly|sincerely|love|x+)\s*,?\s*\n?\s*)?"
                     r"[—–-]?\s*(?P<name>[A-ZÀ-Þ][\w'’-]+)(?:\s+[A-ZÀ-Þ][\w'’-]+)?(?:\s+x+)?\s*[.!]?\s*$", re.I)
# Who signs for a desk, not a person: "Customer Services", "The Support Team".
_DESK_SIGNED = {"customer", "customers", "support", "team", "the", "accounts", "billing", "sales",
                "admin", "reception", "service", "services", "management", "office", "hr"}


# "…? Thanks, Melissa Grant, Accounts, Harbour Creative", "Regards, Mr. J. Holloway, Head of
# Year 8": the name after the last sign-off, whatever follows it.
_SIGNED_THEN = re.compile(
    r"(?:\b(?:thanks|thank\s+you|regards|best(?:\s+wishes)?|cheers|sincerely|love|warmly|"
    r"(?:yours\s+)?(?:faithfully|truly))\s*,?|\s[—–-])\s*\n?\s*"
    # (the name in its own case: "… would love to chat" signs no one "to")
    rf"(?P<name>(?-i:(?:{HONORIFIC}\.?\s+)?(?:[A-Z]\.\s*)?[A-ZÀ-Þ][\w'’-]+))(?=\s*(?:[,.!(]|\s+(?-i:[A-Z])|\s+x+\b|$))",
    re.I)
# "he wrote: "…" — I can do 10% off", "my boss sent this: "…"", "Colm emailed: '…' — answer
# him that …": the email answered, pasted, and who sent it.
_PASTED_SAID = re.compile(
    r"^\s*(?:(?P<who>(?i:he|she|they)|[A-ZÀ-Þ][\w'’-]+|(?:(?i:my|our|a|an|the)\s+)?[a-z][\w'’-]*)\s+"
    r"(?i:wrote|emailed|e-mailed|messaged|sent(?:\s+(?:me\s+)?this)?|said|asked|replied)"
    r"(?:\s+(?i:me|us))?(?:\s+(?i:this))?"
    # "Got this from Amelie: '…'"
    r"|(?i:(?:i\s+)?(?:just\s+)?(?:got|received)\s+this(?:\s+(?:e-?mail|message|mail|one|note))?\s+from)\s+"
    r"(?P<from>[A-ZÀ-Þ][\w'’-]+))\s*:?\s*"
    r"(?:[\"“](?P<quoted>[^\"”]{8,})[\"”]|['‘](?P<single>[^\n]{8,}?)['’](?=\s*(?:[—–:,.-]|\n|$)|"
    r"\s+(?=(?i:tell|say|reply|answer|ask|yes|no)\b)))"
    r"\s*[—–:,.-]*\s*(?P<rest>\S.*)$", re.S)


_SIGNED_FOR_A_DESK = re.compile(r"(?:[A-Z][\w&'’-]*[ \t]+){1,3}(?i:team|services?|desk|office|department|bookings|"
                                r"support|administration|admissions|reception|management|lettings|estates|care|"
                                r"accounts|billing)\b|(?i:property|facilities|estate|building)[ \t]+(?i:management|team|office)\b")
# Who sends, said by what they are: "Supplier sent this:", "Landlord wrote:".
_NOT_SENDERS = {"supplier", "customer", "client", "landlord", "landlady", "recruiter", "boss",
                "manager", "tenant", "agent", "school", "teacher", "neighbour", "neighbor",
                "someone", "somebody", "council", "bank", "company", "seller", "buyer"}
# "I'm Chris from TalentBridge": who wrote it, said in it.
_INTRODUCES_SELF = re.compile(r"\b(?:I['’]m|I\s+am|this\s+is|my\s+name\s+is)\s+(?P<name>[A-ZÀ-Þ][\w'’-]+)"
                              r"(?=\s+(?:from|at|with|here)\b|\s*[,.])")
# A signature with no sign-off: "Lucy (no. 22)", "— Priya".
_LAST_LINE_NAME = re.compile(r"\n\s*(?P<name>[A-ZÀ-Þ][\w'’-]+)(?:\s+[A-ZÀ-Þ][\w'’-]+)?\s*(?:\([^)\n]{1,30}\))?\s*$")


def signer(pasted: str) -> str:
    """Who signed a pasted email: "Melissa" of "Thanks, Melissa Grant, Accounts"; "Mr.
    Holloway" of "Regards, Mr. J. Holloway"; "" where no one did, or a desk did."""
    found = list(_SIGNED_THEN.finditer(pasted))
    name = found[-1].group("name") if found else ""
    # "Kind regards, Outpatient Bookings Team": a desk, whatever its first word
    if found and _SIGNED_FOR_A_DESK.match(pasted, found[-1].start("name")):
        return ""
    if not found:
        signed = _SIGNED.search(pasted) or _LAST_LINE_NAME.search(pasted) or _INTRODUCES_SELF.search(pasted)
        name = signed.group("name") if signed else ""
    if found and re.match(HONORIFIC, name):
        # "Professor Ilse Haraldsen": greeted by the title and the surname
        surname = re.match(r"\s+([A-ZÀ-Þ][\w'’-]+)(?=\s*(?:[,.\n(]|$))", pasted[found[-1].end("name"):])
        if surname:
            name = f"{name.split()[0]} {surname.group(1)}"
    name = re.sub(r"\b[A-Z]\.\s*", "", name).strip() if re.match(HONORIFIC, name) else name
    if name.lower() in ("thanks", "regards", "best", "cheers", "hi", "hello", "dear") \
            or name.lower() in _DESK_SIGNED:
        return ""
    return name


# The email pasted as a block of its own, anywhere in the request: lines quoted with ">",
# lines between "---" rules (or after one to the end, or before one from the start), or a
# long span in double quotes.
_QUOTED_LINES = re.compile(r"(?:^|\n)(?P<block>(?:[ \t]*>[^\n]*(?:\n|$))+)")
_RULED = re.compile(r"(?:^|\n)[ \t]*-{3,}[ \t]*\n(?P<block>.+?)(?:\n[ \t]*-{3,}[ \t]*(?:\n|$)|$)", re.S)
_RULED_BEFORE = re.compile(r"^(?P<block>.+?)\n[ \t]*-{3,}[ \t]*\n", re.S)
_IN_QUOTES = re.compile(r"[\"“](?P<block>[^\"”]{40,})[\"”]")
# "Reply to this saying …: 'Hi there, love your oak tables … Thanks, Eilidh'": in single
# quotes, ending the request (apostrophes inside)
_IN_SINGLE_QUOTES = re.compile(r"(?:(?<=[\s:—–-])|^)['‘](?P<block>[^\n]{40,})['’]\s*[.!]?\s*$")
# Pasted first, then what to answer after a blank line: "hey can u send the slides? Mo\n\n
# reply - attached".
_PASTED_FIRST = re.compile(r"^(?P<block>.+?)\n[ \t]*\n(?=\s*(?i:pls\s+|please\s+)?(?i:reply|respond|answer|write\s+back)\b)",
                           re.S)
# Pasted as it came, after a blank line: from its greeting to its signature's last line.
_GREETED = re.compile(r"(?:^|\n[ \t]*\n)(?P<block>(?i:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings|"
                      r"to\s+whom\s+it\s+may\s+concern)\b"
                      r"[^\n]{0,60}\n.+?)(?=\n[ \t]*\n(?!.*?\n[ \t]*\n)(?=.*(?i:reply|respond|answer|tell|say|accept|decline|"
                      r"confirm|thank|agree|ask))|$)", re.S)
# What asks for a reply, and how it is said before what to answer: "Can you reply to this
# email from my landlady:", "Help me reply to this.", "write back", "Reply to this customer
# and tell him …".
_REPLY_WORDS = re.compile(r"(?i)\b(?:reply|respond|answer|write\s+back|get\s+back\s+to)\b")
_REPLY_LEAD = re.compile(
    r"^\s*(?i:(?:hi|hey|ok)[,!.]?\s+)?(?i:(?:can|could)\s+(?:you|u)\s+|pls\s+|please\s+|kindly\s+)*"
    r"(?i:help\s+me\s+)?(?i:(?:write|draft|prepare)\s+(?:a\s+)?)?(?i:reply|respond|answer|write\s+back|get\s+back)"
    r"(?:\s+(?i:to))?(?:\s+(?i:this|it|the\s+following|the\s+email\s+below|(?:the\s+)?below(?:\s+(?:e-?mail|mail|message))?|"
    r"her|him|them)|\s+(?:[A-ZÀ-Þ][\w'’-]+|(?i:the|my|our)\s+[a-z]+)['’]s\s+(?i:e-?mail|message|note|mail)(?:\s+(?i:below))?)?"
    r"(?:\s+(?i:email|message|mail|note|customer|client|supplier|recruiter|person|one))?(?:\s+(?i:from)\s+(?:(?i:my|our|the)\s+)?[^:,.\n]{1,40}?)?"
    r"(?:\s+(?i:for\s+me|pls|please))?\s*(?:[,:.—–-]+\s*|\s+(?i:and)\s+|\s+(?=(?i:saying|say|telling|tell)\b)"
    r"|\s+(?=[a-z]+ing\b)|\s+(?=(?i:that['’]?s|thats|which\s+is)\b)|$)")
# "… write back booking the 19th": the answer, as the writer says it
_ANSWERED = {"booking": "I'd like to book", "accepting": "I'm happy to accept",
             "declining": "I'm afraid I have to decline", "confirming": "Just to confirm:",
             "agreeing": "I agree", "thanking": "Thank you"}


# Who sent the paste, said in the request's lead or in the header lines copied with it.
_FROM_SOMEONE = re.compile(r"^\s*(?i:(?:i\s+|we\s+)?(?:just\s+)?(?:got|received|had)\s+this(?:\s+(?:e-?mail|message|mail|one|note))?"
                           r"\s+from)\s+(?P<name>[A-ZÀ-Þ][\w'’-]+)\b(?![’']s)")
_FROM_HEADER = re.compile(r"(?m)^[ \t]*From[ \t]*:[ \t]*\"?(?P<name>[A-ZÀ-Þ][\w'’-]+)")


def _pasted_block(text: str) -> tuple[str, str] | None:
    """(the request without the pasted email, the email) for a block pasted anywhere (one
    pasted with its header lines is ``_headed_block``'s)."""
    for pattern in (_QUOTED_LINES, _RULED, _IN_QUOTES, _IN_SINGLE_QUOTES, _RULED_BEFORE, _GREETED, _PASTED_FIRST):
        found = pattern.search(text)
        if not found:
            continue
        block = found.group("block")
        if pattern is _QUOTED_LINES:
            block = re.sub(r"(?m)^[ \t]*>+[ \t]?", "", block)
        rest = (text[:found.start()] + "\n" + text[found.end():]).strip()
        answer = _GOT_THIS.sub("", rest).strip()
        if len(block.split()) >= 5 and rest and (_REPLY_WORDS.search(rest) or _ANSWERS.match(answer)):
            return rest, block.strip()
    return None


# "accept, and ask whether …", "I want to decline": what to answer, said without "reply".
_ANSWERS = re.compile(r"(?i)\s*(?:(?:pls|please|just|i\s+want\s+to|i['’]d\s+like\s+to|we\s+want\s+to)\s+)?"
                      r"(?:accept|decline|confirm|agree|refuse|thank|apologi[sz]e|say|tell|ask|yes|no)\b")
# The header lines a mail client shows, copied with the email: "From: Ahmed Al-Rashidi".
_HEADER_LINE = re.compile(r"(?m)^[ \t]*(?:From|Subject|Sent|Date|To|Cc)[ \t]*:[^\n]*$")


def _headed_block(text: str) -> tuple[str, str] | None:
    """An email pasted with its header lines ("From: …", "Subject: …"), up to the paragraph
    after it that says what to answer."""
    headers = list(_HEADER_LINE.finditer(text))
    greeted = bool(headers) and re.match(r"\s*\n[ \t]*(?i:dear|hi|hello|hey|good\s+(?:morning|afternoon))\b",
                                         text[headers[-1].end():])
    if not headers or not (re.match(r"\s*From\b", headers[0].group(0)) or len(headers) >= 2 or greeted):
        return None
    start = headers[0].start()
    breaks = [b for b in re.finditer(r"\n[ \t]*\n", text) if b.start() >= headers[-1].end()]
    if len(breaks) < 2 and not (breaks and greeted):  # the headers, the email, what to answer
        return None
    block, rest = text[start:breaks[-1].start()], (text[:start] + "\n" + text[breaks[-1].end():]).strip()
    if len(block.split()) < 8 or not (_REPLY_WORDS.search(rest) or _ANSWERS.match(rest)
                                      or re.search(r"(?i)\b(?:accept|decline|tell|say|ask)\b", rest)):
        return None
    return rest, block.strip()


# How the paste was introduced: "Got this from school:", "My neighbour sent this.", "They
# emailed me:".
_GOT_THIS = re.compile(
    r"^\s*(?:(?i:(?:i\s+|we\s+)?(?:just\s+)?(?:got|received|had)\s+this(?:\s+(?:e-?mail|message|mail|one|note|reply))?"
    r"(?:\s+from\s+[^:.\n]{1,40}?)?)|(?i:(?:my|our|the|a|an)\s+)?[\w'’-]+(?:\s+[\w'’-]+)?\s+(?i:sent|emailed|e-mailed|"
    r"messaged|wrote)(?:\s+(?i:me|us))?(?:\s+(?i:this))?)\s*[:.]\s*(?=\S|$)")


def _what_to_answer(rest: str) -> str:
    """The request without its ask for a reply: "Reply to this, say yes Thursday works" →
    "say yes Thursday works"; "write a reply thats a bit more firm … its not ok" → what
    follows it."""
    parts = [part.strip() for part in rest.split("\n") if part.strip()]
    said = []
    for part in parts:
        part = _GOT_THIS.sub("", part)
        lead = _REPLY_LEAD.match(part)
        part = part[lead.end():] if lead else part
        part = re.sub(r"^(?i:saying|say)\s+(?:that\s+)?", "", part)
        # "Inform that shipment is delayed", "Tell them we paid": what to tell them
        part = re.sub(r"^(?i:inform|tell|let\s+(?:him|her|them)\s+know)\s+(?:(?i:him|her|them)\s+)?(?:(?i:that)\s+)?"
                      r"(?=\w)(?!(?i:him|her|them)\b)", "", part)
        part = re.sub(r"^(?i:booking|accepting|declining|confirming|agreeing|thanking)\b",
                      lambda m: _ANSWERED[m.group(0).lower()], part)
        # "… a reply thats a bit more firm": how to write it
        tone = re.match(r"(?i)(?:that['’]?s|thats|which\s+is)\s+(?P<how>.+)$", part)
        if tone and about_the_writing(tone.group("how")):
            continue
        # "… i have my kids. dont want to sound like im not a team player": how to write it
        part = " ".join(sentence for sentence in sentences(part) if not about_the_writing(sentence))
        part = part.strip().rstrip(":;,")
        if part.strip(" .,:;"):
            said.append(part)
    return " ".join(s if s[-1:] in ".!?" else s + "." for s in said).strip()


def pasted_reply(text: str) -> tuple[str, str, str] | None:
    """(what to say, the email replied to as pasted, who wrote it) where a request pastes
    the email it answers ("reply to this: "…" — say yes"); None where it pastes none."""
    headed = _headed_block(text)
    found = None if headed else _PASTED.match(text)
    if not found:
        said = None if headed else _PASTED_SAID.match(text)
        if not said:
            block = headed or _pasted_block(text)
            if not block:
                return None
            rest, pasted = block
            # "Got this from Ravi: …", "From: Ellery Nakashima": who sent it, said
            named = _FROM_SOMEONE.search(rest) or _FROM_HEADER.search(pasted)
            sender = named.group("name") if named else ""
            return _what_to_answer(rest), pasted, sender or signer(pasted)
        pasted = (said.group("quoted") or said.group("single")).strip()
        who = said.group("who") or said.group("from")
        # "They sent:", "A recruiter sent:", "Supplier sent this:": whoever signed it
        sender = who if who[0].isupper() and who.lower() not in _DESK_SIGNED | _NOT_SENDERS \
            and not re.match(r"(?i:my|our|a|an|the|he|she|they)\b", who) else signer(pasted)
        rest = re.sub(r"^(?i:answer|reply\s+to|tell|say\s+to)\s+(?:him|her|them)\s+(?:that\s+)?", "",
                      said.group("rest"))
        # "— write back confirming …", "Write back to him: …": the ask to reply goes
        if _REPLY_LEAD.match(rest):
            rest = _what_to_answer(rest) or rest
        return rest.strip(), pasted, sender
    marked = re.sub(r"(?m)^[ \t]*>+[ \t]?", "", found.group("marked") or "")
    pasted = (found.group("quoted") or found.group("single") or marked
              or found.group("lines") or "").strip()
    sender = found.group("sender") or signer(pasted)
    return found.group("rest").strip(), pasted, sender
