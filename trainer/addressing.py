"""Who a request is for, as people type it, put the one way ``trainer.literal`` reads it:
"write to Priya and ask whether she's free" → "ask Priya whether she's free"; "Write to
Olivia in HR. I need …" → "write to Olivia: I need …"; "respond to Kev's email - yes" →
"reply to Kev: yes"; "His name is Walter btw" (said to the assistant) → "".

Only who it is for changes: every word that carries what is to be said stays. No model;
English only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from trainer.facts import COMMON
from trainer.pasted import pasted_reply
from trainer.pronouns import to_you
from trainer.titles import HONORIFIC, KIN, PARTICLES, TITLE

# A name as typed, with a title or family word before it: "Mr. Okafor", "Coach Miller",
# "Aunt Carol", "Claire and Tom".
_TITLE = TITLE
_NAME = (rf"(?:(?:(?:Mr\.?\s*(?:&|and)\s*Mrs|Mrs\.?\s*(?:&|and)\s*Mr)\.?\s+)?{_TITLE}?[A-Z][\w'’-]+(?:\s+{PARTICLES}(?!I\b)[A-Z][\w'’-]+)?"
         r"(?:\s*(?:,|and|&|\+)\s*[A-Z][\w'’-]+)*"
         # "email nana to say …", "msg mum": family, greeted as they are called
         r"|(?i:mum|mom|mam|dad|nana|nan|nanna|grandma|grandad|grandpa|granny|gran)\b(?!\s+[A-Z]))")
# Who they are, before the name: "my sister Chloe", "the property manager Omar Haddad",
# "the neighbour, Derek,", "my tenant Grace".
_ROLE_BEFORE = (r"(?:(?:the|my|our)\s+(?:[a-z'’-]+\s+){0,2}(?!(?:the|a|an|of|for|to|in|at|on|with)\s)[a-z'’-]+,?\s+(?=[A-Z])"
                r"|(?:patient|client|customer|tenant|student|pupil|candidate|applicant)\s+"
                rf"(?={HONORIFIC}\b)"
                # "write to supplier Pavlos", "email head nurse Gabriela": the role, typed bare
                r"|(?:supplier|landlord|landlady|client|customer|tenant|colleague|neighbou?r|contractor|"
                r"plumber|builder|electrician|(?:head\s+)?nurse|matron|coach|tutor|driver)\s+(?=[A-Z][a-z]))?")
# What asks for the email: "write to", "draft a reply to", "send a quick note to",
# "a thank-you to".
_MAIL_NOUN = (r"\s+(?:(?:an?|my)\s+)?(?:(?:quick|short|brief|polite|formal|official|friendly|follow-up)\s+)?"
              r"(?:email|e-mail|mail|note|message|reply|response|line|notice|letter|follow-up|"
              r"follow\s+up|thank-you|thank\s+you(?:\s+note)?)(?:\s+from\s+me)?")
_WRITE = (r"(?:(?:write|email|e-mail|message|msg|reply|respond|answer|draft|compose|prepare|emailing|writing|"
          r"messaging|do|put\s+together)"
          rf"(?:\s+(?:back|out|up))?(?:{_MAIL_NOUN}|\s+something(?:\s+(?:nice|short|quick|brief|kind|polite|"
          r"friendly|sweet|lovely|formal))?|\s+a\s+few\s+lines)?"
          r"|send(?:\s+(?:it|this|these|them|the\s+attached))?(?=\s+to\s)"
          # "get a note out to Ngozi"
          r"|get\s+(?:an?\s+)?(?:quick\s+)?(?:note|email|e-mail|message|line|reply)\s+(?:out|off|over)"
          rf"|(?:send|shoot|drop)(?:{_MAIL_NOUN}|\s+(?:an?\s+)?(?:[a-z]+\s+)?(?:update|announcement|notice|invitation|invite))"
          r"|(?:(?:I\s+)?need\s+)?(?:an?\s+)?(?:(?:quick|short|brief|little|urgent|formal|polite|"
          r"friendly)\s+){0,2}(?:note|message|email|line|reply|response)"
          r"|(?:an?\s+)?(?:[A-Za-z]+\s+)?(?:update|announcement|reminder|notice|letter)"
          r"|(?:an?\s+)?(?:quick|short)\s+one|something(?:\s+(?:short|quick|brief))?)")
_WRITE = f"(?i:{_WRITE})"
_TO = rf"(?:\s+(?:back\s+)?(?:to|for)\s+|\s+(?=[A-Z]|(?:the|my|our)\s|{_TITLE}))"
# Who they are, after the name: "in HR", "the builder", "at Harrow & Finch", "'s email
# about the budget".
_ROLE_AFTER = (r"(?:\s+(?:sir|ma['’]?am|madam|ji|po)\b"
               r"|\s+(?:next\s+door|upstairs|downstairs|across\s+the\s+road)"
               r"|\s+who\s+[^.!?,]{1,60}?(?=[.!?])"
               r"|\s+(?:in|from|at)\s+the\s+[A-Z][\w&'’.-]*(?:\s+(?:of|for|and|&)?\s*[A-Z][\w&'’.-]*)*"
               r"|\s+(?:in|from|at)\s+(?:[A-Z][\w&'’.-]*(?:\s+[a-z]+)?|HR|IT|(?:the\s+)?[a-z]+(?:\s+[a-z'’]+){0,2}?)(?:\s+(?:&\s+)?[A-Z][\w&'’.-]*)*"
               r"|\s+the\s+[a-z]+(?:\s+[a-z]+)?(?:\s+(?:of|at|for)\s+(?:the|our|my)\s+[a-z]+)?|\s+(?:customer\s+service|support|help\s*desk|billing|accounts|"
               r"sales|reception|office)|\s*\([^()]{1,40}\)"
               r"|\s+[—–]\s+(?:the|my|our|a|an|his|her)\s+[^—–,.:;]{1,30}?\s+[—–](?=\s))?")
_THEIR_MAIL = (r"(?:['’]s?\s+(?:last\s+|latest\s+|recent\s+)?(?:email|e-mail|message|note|mail|"
               r"complaint|question|query|request|reply|invitation|invite|text|offer|quote|"
               r"proposal|enquiry|inquiry|feedback|comments|review|application|order|post|ad|listing)"
               r"(?:\s+(?:about|re|regarding|on)\s+[^.,:;!?—–-]{1,80}?"
               r"|\s+(?:where|in\s+which|asking|saying)\s+[^.;!?—–]{1,100}?)?)?")
# "Ms. Lindqvist, Leo's form tutor —": whose they are, kept for the request to say.
_OWNER = (r"(?P<owner>,\s+[A-Z][\w'’-]+['’]s\s+[a-z]+(?:\s+[a-z]+)?(?=\s*(?:[,:—–]|\s-\s)))?")
_WHO = rf"{_ROLE_BEFORE}(?P<who>{_NAME}){_ROLE_AFTER}{_THEIR_MAIL}{_OWNER},?"
# What the email does, said as the writer's gerund: "write to Tunde chasing invoice …".
_GERUND = r"saying|telling|letting|updating|asking|thanking|chasing|reminding|inviting|explaining|confirming|warning|informing|welcoming|congratulating|apologi[sz]ing|suggesting|offering|proposing|requesting|declining|accepting|following"

# "write to Priya and ask whether …", "reply to Martin and thank him for …": the act, to them.
_AND_ACT = re.compile(
    rf"^{_WRITE}{_TO}{_WHO}\s+(?:and\s+(?P<verb>ask|tell|thank|remind|invite|congratulate|warn|see|"
    r"apologi[sz]e|confirm|let|update|welcome)(?:\s+(?:him|her|them))?"
    # "Email Tyler tell him he's been selected": the same, typed without "and"
    r"|,?\s*(?P<bare>ask|tell|remind|warn|let)\s+(?:him|her|them))\b(?P<rest>.*)$", re.S)
# "Write to Olivia in HR. I need …", "respond to Kev's email - yes we …", "quick note to
# Anita: running late": who it is for, then what to say.
_THEN_SAY = re.compile(
    rf"^{_WRITE}{_TO}{_WHO}(?:,\s+(?:she|he|they)['’](?:s|re)\s+[^.!?]{{1,60}}?"
    r"(?:\s+and\s+(?=(?:I|tell|ask|let)\b)|(?=[.!?])))?"
    r"\s*(?:(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bProf)[.:;—–]|\s-\s"
    rf"|,?\s+(?=(?:{_GERUND})\b)|\s+to\s+say\s+(?:that\s+)?"
    r"|(?<=,)\s+(?!(?:she|he|they)['’](?:s|re)\b)|(?<=\sand\s)|\s+that\s+|\s+and\s+(?=(?:cc|copy)\s)"
    # "Send this to Hamid and say these are the plans"
    r"|\s+and\s+(?:say|tell\s+(?:him|her|them)|let\s+(?:him|her|them)\s+know)\s+(?:that\s+)?)"
    r"\s*(?P<rest>\S.*)$",
    re.S)
# "email Dr. Chen's office to request a copy of …": what the email is for, said.
_WRITING_TO = re.compile(
    rf"^{_WRITE}{_TO}(?:{_TITLE}?[A-Za-z][\w'’&.-]*\s+){{1,5}}?to\s+(?P<act>request|enquire|inquire|"
    r"book|arrange|register|report|complain|apply|order|query|dispute|cancel|reschedule)\b"
    r"(?P<rest>.*)$", re.S)
# "write to the neighbour, Derek, about his tree": who, said plainly, then what about.
_ABOUT = re.compile(rf"^{_WRITE}{_TO}{_WHO}\s+(?=(?:about|regarding|re:?)\s)", re.S)
# "write a thank-you to Pete for fixing …": thanks, with what for.
_THANKS_FOR = re.compile(rf"^{_WRITE}{_TO}{_WHO}\s+(?=for\s)", re.S)
_THANKS_WRITTEN = re.compile(r"thank(?:-|\s)you|thanks|thx")

# "(the agent I spoke to was …", "(her assistant is …": a person, by what they do, is
# named (not "(the deadline is Friday)").
_SOMEONE_IS = (r"(?:the\s+|his\s+|her\s+|their\s+|my\s+|our\s+)?(?:[a-z]+\s+)?"
               r"(?:agent|assistant|contact|person|rep|representative|manager|secretary|"
               r"receptionist|guy|lady|woman|man|one|teacher|tutor|coach|officer|adviser|advisor|"
               r"caseworker|handler|recruiter|nurse|doctor|engineer|landlord|owner|boss|"
               r"name)(?:\s+[A-Za-z]+){0,4}\s+(?:is|was)\s+")
# Said to the assistant about the reader's name: "(her first name is Astrid)", "(first name
# Dana)", "(the agent I spoke to was Felicity)", "His name is Walter btw", "first name Sanjay".
_NAME_IN_BRACKETS = re.compile(
    r"\s*\((?:(?:his|her|their)\s+)?(?:first\s+)?name(?:['’]s|\s+is)?\s+(?P<a>[A-Za-z][\w'’-]+)\)"
    rf"|\s*\({_SOMEONE_IS}(?P<b>[A-Z][\w'’-]+)\)")
_NAME_SENTENCE = re.compile(
    r"(?:^|(?<=[.!?])\s+)(?:(?:his|her|their)\s+(?:first\s+)?name(?:['’]s|\s+is)\s+[A-Z]\w*"
    r"|(?:[Hh]is|[Hh]er|[Tt]heir)\s+(?:first\s+)?name(?:['’]s|\s+is)\s+\w+)[^.!?]*(?:[.!?]|$)")
# "My landlord is Mr. Patel, first name Sanjay. Tell him …": who they are, then the request.
_WHO_THEY_ARE = re.compile(
    rf"^(?:my|our)\s+[a-z]+(?:\s+[a-z]+)?\s+is\s+(?:called\s+)?{_TITLE}?[A-Z][^.!?]{{0,60}}[.!?]\s+"
    r"(?=(?:tell|ask|let|remind|thank|email|write|reply|warn|invite)\s+(?:him|her|them)\b)", re.I)
# "Got an email from Felix asking about the spare room. Tell him …": what led to it.
_WHAT_CAME = re.compile(
    r"^(?:I\s+)?(?:got|had|received)\s+(?:an?\s+)?(?:email|message|note|text|call)\s+from\s+"
    r"[A-Z][^.!?]{0,80}[.!?]\s+(?=(?:tell|ask|let|remind|thank|reply|write|say)\b)", re.I)
# "apologize to Mr. Okafor (Daniel) for …", "tell ms. reyes (isabel) that …": the name in
# brackets is the one they go by.
_GOES_BY = re.compile(rf"^(?P<verb>[a-z]+(?:\s+(?:up\s+)?(?:with|to))?)\s+(?:{_TITLE}[\w'’-]+|"
                      r"the\s+[a-z]+)\s*\((?:(?:his|her|their)\s+)?(?:first\s+)?(?:name\s+(?:is\s+)?)?"
                      r"(?P<name>[A-Za-z][a-z'’-]+)\)", re.I)
# "mr okafor", "email to miss clarke", "patient mr Adebayo": a title typed in lower case
# ("I miss you" is no title).
# Family words read as a title only where someone is addressed: "tell uncle femi …"
_AFTER_VERB = "|".join(rf"(?<=\b(?i:{verb})\s)" for verb in (
    "to", "tell", "ask", "thank", "thx", "email", "remind", "msg", "message", "text", "invite"))
_TITLED = re.compile(r"\b((?i:mr|mrs|ms|dr|prof|herr|frau)|(?<=\bto\s)(?i:miss)|Miss"
                     rf"|(?:{_AFTER_VERB})(?i:{KIN}))"
                     r"(?:\.\s*|\s+)(?!(?i:you|u|ya|them|him|her|it|this|that|the|and|being|seeing)\b)"
                     r"([a-zA-Z])(?=[a-z'’-]+)")


_NOT_KIN_NAMES = {"about", "for", "if", "whether", "when", "what", "to", "that", "we", "i", "he",
                  "she", "they", "is", "was", "will", "can", "could", "thanks", "sorry", "happy"}


def _titled(found: re.Match) -> str:
    title, word = found.group(1), re.match(r"[\w'’-]+", found.string[found.start(2):]).group(0)
    if title[0].isupper() and (found.group(2).isupper() or title == "Dr"
                               or re.match(r"and\b|the\b|this\b|&", word)):
        return found.group(0)  # as the request wrote it ("Maple Dr this week", "Mr. and Mrs.")
    if word.lower() in COMMON or re.fullmatch(KIN, title, re.I) and word.lower() in _NOT_KIN_NAMES:
        return found.group(0)  # "remind aunty about dinner"
    dot = "" if re.fullmatch(KIN, title, re.I) or title.lower() in ("herr", "frau", "miss") else "."
    return f"{title.capitalize()}{dot} {found.group(2).upper()}"


# "… write him an email saying I need a repair date": what to say, after who it is for.
# "can u write something polite but firm asking her to have a word": ask her to.
_WRITE_ASKING = re.compile(
    r"^(?:(?i:can|could)\s+(?:you|u)\s+)?(?i:write|draft|send)\s+(?:me\s+)?(?:something|an?\s+"
    r"(?:[\w-]+\s+){0,3}?(?:email|note|message|line))(?:\s+(?:[\w-]+\s+){0,4}?)??\s*"
    r"(?P<verb>asking|telling|reminding|thanking)\s+(?P<rest>(?:him|her|them)\b.*)$", re.S)
_WRITE_THEM = re.compile(
    r"^(?i:write|email|message|send|draft|reply)\s+(?:to\s+)?(?:him|her|them)"
    r"(?:\s+(?:an?\s+)?(?:[\w-]+\s+){0,3}?(?:email|note|message|line|reply))?\s+"
    rf"(?:(?:saying|to\s+say|telling\s+(?:him|her|them))\s+(?:that\s+)?|(?=(?:{_GERUND})\s))"
    r"(?P<rest>\S.*)$", re.S)
# "to the neighbourhood watch group: …": who it is for, then what to say.
_TO_LEAD = re.compile(rf"^to\s+(?P<who>(?:the|all|our|my)\s+[^:;.]{{1,40}}?|{_TITLE}?[A-Z][\w'’-]+)"
                      r"(?:,\s+[A-Z][^.:,]{1,30})?\s*(?:[:.,—–]|\s-)\s*"
                      r"(?P<rest>\S.*)$", re.I | re.S)
# "…. Send it to Gloria at the front desk": who gets it, said to the assistant last.
_SEND_IT_TO = re.compile(r"(?:^|(?<=[.!?;])\s*|\s*,\s*)(?i:send|address)\s+(?:it|this|the\s+"
                         r"(?:email|note|message))\s+to\s+(?:(?i:their|his|her|the|our|my)\s+[a-z]+,?\s+)?"
                         r"[A-Z][^.!?;]{0,40}[.!]?\s*$")


_TOLD_NAME = re.compile(
    r"\b(?i:first\s+name)(?:['’]s|\s+is)?\s+(?P<a>[A-Za-z][\w'’-]+)"
    r"|\b(?i:contact|contact\s+person|recruiter|hiring\s+manager)(?:\s+(?:is|was)|['’]s)\s+(?P<d>[A-Z][\w'’-]+)"
    # "agent is Gemma", not "the letting agent is Parkview Lettings"
    r"|\b(?i:agent|host|organi[sz]er|coordinator)\s+(?:is|was)\s+(?P<j>[A-Z][\w'’-]+)\b"
    r"(?!\s+(?:Lettings|Estates?|Ltd|Limited|Properties|Homes|Group|LLP|Inc|Agency)\b)"
    r"|\b(?i:it['’]s)\s+(?i:to|for)\s+(?P<e>[A-Z][\w'’-]+)"
    rf"|\b(?:a|an|the|my|our)\s+(?:[a-z]+\s+){{1,3}}(?:named|called)\s+(?P<f>(?:{HONORIFIC}\.?\s+)?[A-Z][\w'’-]+)"
    r"|\((?i:to|for)\s*:?\s*(?P<g>[A-Z][\w'’-]+)\)"
    # "… It goes to Ravi.", "This is going to Wanjiru.", "Send to Mrs Achterberg."
    rf"|(?:^|(?<=[.!?])\s*)(?:(?i:it|this)\s+)?(?:(?i:goes|is\s+going)\s+to|(?i:send\s+(?:it\s+|this\s+)?to))\s+"
    rf"(?P<i>(?:{HONORIFIC}\.?\s+)?[A-Z][\w'’-]+)\s*[.!]?\s*$"
    # "decline the sat shift pls, to Sean": who it is for, said last
    r"|[,;—–]\s*(?i:to|for)\s+(?P<h>(?!(?i:now|today|tomorrow|tonight|me|us|you|all|everyone|them|him|her|"
    r"later|sure|free|real|good|once|ages|years|weeks|days|months)\b)[A-Za-z][\w'’-]+)\s*[.!]?\s*$"
    rf"|\b(?i:his|her|their)\s+(?:(?i:first)\s+)?(?i:name)(?:['’]s|\s+is)\s+(?P<b>(?:{HONORIFIC}\.?\s+)?[A-Z][\w'’-]+)"
    rf"|\({_SOMEONE_IS}(?P<c>[A-Z][\w'’-]+)\)")


# "Draft: Zoë - thanks …", "Note for Siobhán: …", "Email to Fatima:": a label on the request.
_LABEL = re.compile(r"^(?i:body|message|text)\s*:\s*(?=\w)|^(?i:reply|response|answer)\s*:\s*(?=\w)|^(?i:draft|note|memo)\s*:\s*(?=(?i:to)\s+[A-ZÀ-Þ])|^(?i:draft|note|message|memo)\s*(?:(?i:for|to)\s+(?=[A-ZÀ-Þ][\w'’-]+"
                    r"(?:\s+[A-ZÀ-Þ][\w'’-]+)?\s*[:—–])|:\s*(?=[A-ZÀ-Þ]))|^(?i:e-?mail)\s*:\s*(?=\w)")
# "to Ruth\nsorry can't do the rota …": who, on a line of its own.
_TO_ALONE = re.compile(r"^\s*(?:(?i:email|e-mail|message|note|reply|write)\s+)?(?i:to|for)\s+(?P<who>[A-ZÀ-Þ][\w'’-]+(?:\s+[A-ZÀ-Þ][\w'’-]+)?)\s*:?\s*$")
# "reply yes to Hannah": the answer, to them.
_ANSWER_TO = re.compile(r"^(?i:reply|say|answer|respond)\s+(?P<answer>(?i:yes|no))\s+(?i:to)\s+"
                        r"(?P<who>[A-ZÀ-Þ][\w'’-]+)\s*$")
# "lucy re saturday: yes to the bbq": the name, then what it is about.
_NAME_RE = re.compile(r"^(?P<who>[A-Za-zÀ-þ][\w'’-]+)\s+re\s+(?P<topic>[^:]{1,40}):\s*(?P<rest>\S.*)$",
                      re.S)


def name_told(text: str) -> str:
    """The name the request tells the assistant its reader goes by: "first name Sanjay",
    "His name is Walter btw", "(her assistant is Marisol)", "Mr. Okafor (Daniel)"; "" when
    it tells none."""
    found = _TOLD_NAME.search(text)
    if found:
        name = next(group for group in found.groups() if group)
        return name[:1].upper() + name[1:]
    titled = re.search(rf"{_TITLE}[A-Z][\w'’-]+\s*\((?P<name>[A-Za-z][a-z'’-]+)\)", text)
    if titled:
        return titled.group("name").capitalize()
    goes_by = _GOES_BY.match(_TITLED.sub(_titled, text))
    if goes_by:
        name = goes_by.group("name")
        return name[:1].upper() + name[1:]
    return ""


# "email jo@acme.com that the invoice is paid": written to an address.
_TO_ADDRESS = re.compile(
    rf"^{_WRITE}\s+(?:(?i:to)\s+)?(?P<address>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)\s*"
    r"(?:[:,—–]\s*|\s-\s*|\s+(?:(?i:that|and|saying|asking|about|re)\b)\s*|\s+(?i:to)\s+(?=(?i:ask|tell|say|confirm|"
    r"remind|let|check|request|thank|apologi[sz]e|cancel|book)\b))(?P<rest>\S.*)$", re.S)
# Addresses that are a desk, not a person: "info@", "accounts@".
_DESKS = {"info", "admin", "accounts", "account", "support", "sales", "hello", "contact", "office",
          "team", "enquiries", "inquiries", "noreply", "billing", "hr", "help", "bookings",
          "reception", "orders", "service", "mail", "post", "jobs", "careers", "press", "ap", "ar",
          "finance", "payables", "receivables", "legal", "it", "ops", "procurement", "purchasing",
          "payroll", "facilities", "events", "marketing", "invoices", "claims", "lettings",
          "rentals", "lets", "studio", "shop", "store", "membership", "members",
          "customerservice", "customercare", "care", "returns", "refunds", "complaints",
          "feedback", "webmaster", "secretary", "chair", "treasurer", "club", "school", "desk",
          "frontdesk", "booking", "reservations", "stay", "hotel", "tickets", "box"}


def address_name(address: str) -> str:
    """The first name an address gives ("jo@acme.com" → "Jo", "sam.lee@…" → "Sam"); ""
    for a desk ("accounts@…") or an address that gives none."""
    first = re.split(r"[._+-]", address.split("@")[0])[0]
    if len(first) < 2 or not first.isalpha() or first.lower() in _DESKS:
        return ""
    return first.capitalize()


def asked_address(text: str) -> tuple[str, str]:
    """(the request as written to the person at the address it names, that address)."""
    found = _TO_ADDRESS.match(text.strip())
    if not found:
        return text, ""
    rest = found.group("rest")
    if re.match(r"\s*(?i:about|re)\b", text.strip()[found.end("address"):]):
        rest = f"about {rest}"  # "email accounts@… about invoice 4471"
    name = address_name(found.group("address"))
    return (f"write to {name}: {rest}" if name else rest), found.group("address")


# "To: Nkechi\nRe: Saturday\nSay I can't make it", "to: k.obrien@… — asking about …":
# header lines typed at the top of a request.
_TO_HEADER = re.compile(r"^\s*(?i:to)\s*:\s*(?P<who>[^\n—–]+?)\s*(?:[—–-]\s+|\n|$)")
_RE_HEADER = re.compile(r"^\s*(?i:re)\s*:\s*(?P<topic>[^\n]+?)\s*(?:\n|$)")


def _headed(text: str) -> str:
    """A request that opens with "To:" (and "Re:") lines, as written to them about that."""
    to = _TO_HEADER.match(text)
    if not to:
        return text
    rest = text[to.end():]
    topic = _RE_HEADER.match(rest)
    if topic:
        rest = f"re {topic.group('topic')}, " + rest[topic.end():].lstrip()
    who = to.group("who").strip()
    if "@" in who:
        return f"email {who} — {rest.strip()}"
    return f"write to {who}: {rest.strip()}"


def as_addressed(text: str) -> str:
    """``text`` with who it is for said the one way ``trainer.literal`` reads. Only its
    first line: "write to Jeff:\n- rent roll\n- keys" is the notes under it. A sentence
    after the first that writes to them ("Accept the offer. Write to Jasmine saying I
    accept …") keeps only what it says."""
    text = _LABEL.sub("", text)
    text = _headed(text)
    text = asked_address(text)[0]
    pasted = pasted_reply(text)
    if pasted:  # what to say, to the one who wrote it; the email itself is not the request
        said, _, sender = pasted
        text = f"reply to {sender}: {said}" if sender else said
    first, newline, after = text.partition("\n")
    alone = _TO_ALONE.match(first)
    if alone and after.strip():
        return f"write to {alone.group('who')}:{newline}{after}"
    # Sentences, and "… - can you email Kerry and …": a dash before writing to someone.
    pieces = re.split(r"((?<=[.!?])\s+(?=[A-Za-z])|\s+[-—–]\s+(?=(?i:(?:can|could)\s+(?:you|u)\s+)?"
                      r"(?:email|write|message|reply|respond)\b))",
                      _addressed_line(_SEND_IT_TO.sub("", _ASKED_OF_ME.sub("", first))))
    said = pieces[0]
    for joint, sentence in zip(pieces[1::2], pieces[2::2], strict=True):
        rewritten = _later_sentence(sentence)
        moved = re.match(r"write to (?P<who>[^:]{1,60}): (?P<rest>.*)$", rewritten, re.S)
        if moved and rewritten != sentence and not said.lower().startswith(("write to", "reply to")):
            # "I'm a teacher. I need to email Mrs Nwosu about …": who it is for, first
            context = said if re.search(r"[.!?]$", said.strip()) else said.strip() + "."
            said = f"write to {moved.group('who')}: {context} {moved.group('rest')}"
            continue
        if rewritten != sentence and not joint.strip():
            said += " " + rewritten
        elif rewritten != sentence:
            said = said.rstrip(" .") + ". " + rewritten  # "… room 4B - can you email Kerry"
        else:
            said += joint + sentence
    return said + newline + after


# "Can you shoot an email to Brandon and …": the ask to write, asked of the assistant.
_ASKED_OF_ME = re.compile(rf"^(?i:can|could|would)\s+(?i:you|u)\s+(?i:please\s+|pls\s+)?(?={_WRITE}{_TO})")


def _later_sentence(sentence: str) -> str:
    """A sentence after the first that writes to someone, as what it says."""
    asking = _WRITE_ASKING.match(sentence)
    if asking:
        return f"{asking.group('verb')[:-3]} {asking.group('rest')}"
    act = _AND_ACT.match(re.sub(r"^(?i:can|could)\s+(?:you|u)\s+", "", sentence))
    if act:
        return _acted(act)
    later = _THEN_SAY.match(sentence) or _WRITE_THEM.match(sentence)
    if later:
        return later.group("rest")
    needed = _NEED_TO.match(sentence)
    if needed:  # "Hi, I'm a nurse on nights. I need to email my manager Siobhan to swap …"
        bare = _BARE_ADDRESS.match(sentence[needed.end():])
        said = re.search(r"\s+who\s+(?P<said>[^.!?]+)", sentence[needed.end():])
        if bare and said and not re.match(r"(?:I|we)\b", said.group("said")):
            # "I need to email Ferdinand who hasn't paid his dues": what he hasn't done
            return f"write to {_said_who(bare.group('who'))}: {to_you('he ' + said.group('said'), False)}."
        if bare:  # "I would like to write to my old friend Margaret." and then what to say
            return f"write to {_said_who(bare.group('who'))}: "
        return _addressed_line(sentence[needed.end():])
    if re.match(r"(?i:email|write|message|reply)\b", sentence):  # "grandma's 90th — email the cousins …"
        return _addressed_line(sentence)
    return sentence


# "Rachel needs to know that the start moved": tell Rachel.
_NEEDS_TO_KNOW = re.compile(
    r"^(?P<who>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+(?:needs|has|wants|ought|should|must)\s+"
    r"(?:to\s+)?(?:know|hear|be\s+told)\s+(?:that\s+)?(?P<rest>\S.*)$", re.S)
# "accept the invite but say I may have to leave early": the "but", said.
_BUT_SAY = re.compile(r"\s+but\s+(?:say|mention|tell\s+(?:him|her|them))\s+(?:that\s+)?", re.I)


# "email grandad Joe happy birthday from all of us": wishing it.
# "email my accountant Harriet with the docs she asked for: …": sending them.
_WITH_THINGS = re.compile(rf"^{_WRITE}{_TO}{_WHO}\s+with\s+(?P<things>.+)$", re.S)
# "Rewrite this … and send to Connor: 'As I said …'": the user's own words, to them.
_REWRITE = re.compile(r"^(?i:rewrite|reword|rephrase|polish|tidy\s+up|improve|fix)\s+(?i:this|the\s+following|my\s+"
                      r"(?:email|message|note))\b[^:'\"“‘]*?(?:(?i:send)\s+(?:it\s+)?(?i:to)\s+"
                      r"(?P<who>[A-ZÀ-Þ][\w'’-]+))?[^:'\"“‘]*:?\s*['\"“‘](?P<text>.+)['\"”’]\s*$", re.S)
_WISH = re.compile(rf"^{_WRITE}{_TO}{_WHO}\s+(?=(?i:happy|merry|good\s+luck|get\s+well|all\s+the\s+best|"
                   r"congratulations|congrats|best\s+wishes)\b)", re.S)


def _said_who(who: str) -> str:
    """Who, as the request reader reads a name: "Mr & Mrs Delaney" → "Mr and Mrs Delaney",
    "Jakub + Marta + Sven" → "Jakub, Marta and Sven"."""
    who = re.sub(r"\s*&\s*", " and ", who).replace(".", "")
    names = [n.strip() for n in who.split("+")]
    if len(names) > 1:
        who = ", ".join(names[:-1]) + " and " + names[-1]
    return re.sub(r"^(coach|aunt|auntie|uncle|grandad|grandpa|grandma|gran|granny|nana|cousin)\b",
                  lambda m: m.group(1).capitalize(), who)


# "write a cover email for my application to the sous chef role at Harbour House"
_COVER = re.compile(r"^(?i:write|draft|compose|send)?\s*(?:an?\s+)?(?i:cover(?:ing)?)\s+(?:(?i:letter)\s+)?(?i:email|letter|note)"
                    rf"(?:\s+(?i:to)\s+(?:{HONORIFIC}\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)?"
                    r"\s+(?:for|to\s+go\s+with)\s+(?:my\s+)?(?:application\s+(?:to|for)\s+)?(?P<x>.+)$", re.S)
# "Write a formal complaint to British Gas about being billed …"
_COMPLAINT = re.compile(r"^(?i:write|send|make|draft)\s+(?:an?\s+)?(?:(?i:formal|official)\s+)?"
                        r"(?i:complaint)\s+(?:(?i:to)\s+[^.]{1,40}?\s+)?(?i:about|re|regarding)\s+"
                        r"(?P<x>.+)$", re.S)
# "resignation letter to my boss Greg. last day 31 Jan."
_RESIGNATION = re.compile(rf"^(?:(?i:write|draft|send)\s+)?(?:(?i:my|an?)\s+)?(?:(?i:formal)\s+)?"
                          r"(?:(?i:resignation)\s+(?i:letter|email|note)|(?i:letter|email|note)\s+of\s+"
                          rf"(?i:resignation))\s+(?i:to|for)\s+{_ROLE_BEFORE}(?P<who>{_NAME})"
                          r"(?P<rest>.*)$", re.S)
# "email Siobhan to swap my shift", "email Ama to ask if …": what the email is for.
_TO_DO = re.compile(rf"^{_WRITE}{_TO}{_WHO}\s+to\s+(?P<verb>[a-z]+)\b(?P<rest>.*)$", re.S)
_ACTS_ON_THEM = {"ask", "tell", "remind", "thank", "let", "confirm", "invite", "congratulate",
                 "welcome", "warn", "update", "check", "see", "apologise", "apologize"}
# Sentences after the first that say what the writer needs to do: "I need to email …".
_NEED_TO = re.compile(r"^(?:so\s+)?(?:I\s+)?(?:need|want|have|['’]d\s+like|would\s+like)\s+to\s+"
                      r"(?=(?:email|write|message|reply|respond|ask|tell|thank|remind|let)\b)", re.I)
# "my professor, Dr. Ananya Rao, …": the name, for who they are.
_APPOSITION = re.compile(rf"(?:\b(?:my|our|the|a|an)|{_TITLE}?\b[A-Z][\w'’-]+['’]s)\s+[a-z'’-]+(?:\s+[a-z'’-]+)?,\s+(?P<who>{_TITLE}?"
                         r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?),")


# "sympathy email to Harold, his wife passed away last week"
_SYMPATHY = re.compile(rf"^(?:(?i:write|draft|send)\s+)?(?:an?\s+)?(?i:sympathy|condolence|condolences)\s+"
                       rf"(?i:email|note|message|card|letter)\s+(?i:to|for)\s+{_WHO}\s*(?P<rest>[,—–-].+)$", re.S)
# "write Amit an email. he asked for feedback …"
_WRITE_NAME_A_MAIL = re.compile(rf"^(?i:write|send|drop|shoot)\s+(?P<who>{_NAME})\s+(?:an?\s+)?"
                                r"(?:[\w-]+\s+)?(?i:email|note|message|line|mail)\s*[.:,;—–-]\s*"
                                r"(?P<rest>\S.*)$", re.S)


# "I would like to write to my old friend Margaret.": who, and nothing else yet
_BARE_ADDRESS = re.compile(rf"^{_WRITE}{_TO}{_WHO}\s*[.!]?\s*$", re.S)


# "thank you email to all the volunteers …", "sorry note to Marguerite for …", "congrats
# email to Anouk on …": the act the email is.
_KIND_OF_MAIL = re.compile(
    r"^(?:(?:I\s+)?need\s+)?(?:(?:write|draft|send|compose)\s+)?(?:an?\s+)?(?:(?:quick|short|brief|little|big)\s+)?"
    r"(?:(?:note|email|message|letter|card)\s+of\s+(?=thanks\b|apology\b|congratulations\b))?"
    r"(?P<kind>thank[\s-]you|thanks|thx|sorry(?:-for-the-delay)?|apology|congrats|congratulations|"
    r"welcome|birthday)\s+"
    r"(?:(?:email|e-mail|note|message|card|line|text)\s+)?(?:to|for)\s+(?P<rest>\S.*)$", re.I | re.S)
_KIND_VERB = {"sorry": "apologise to", "apology": "apologise to", "congrats": "congratulate",
              "congratulations": "congratulate", "welcome": "welcome"}
# "reach out to the guy selling the bike, Liam something, ask if …": the name, set off.
_NAME_SET_OFF = re.compile(
    rf"^{_WRITE}{_TO}(?:the|my|our|a|an)\s+[^,.;:]{{1,60}},\s+(?P<who>[A-Z][\w'’-]+)"
    r"(?:\s+something|\s+[A-Z][\w'’-]+)?,\s+(?P<rest>\S.*)$", re.S)
# "email the school office, Noah will be off …", "get back to Ella's teacher about …": to
# someone by what they are.
_ROLE_WHO = (rf"(?P<role>(?:{HONORIFIC}\.?\s+)?[A-Z][\w'’-]+['’]s\s+(?!(?:email|e-mail|message|note|mail|complaint|"
             r"question|query|request|reply|invitation|invite|text|offer)\b)[a-z]+"
             r"|(?:the|my|our|all(?:\s+the|\s+our|\s+my)?)\s+(?:(?!(?:his|her|their|him|them|I)\b)[A-Za-z0-9'’-]+\s+){0,6}?"
             rf"(?!{HONORIFIC}\b)[A-Za-z0-9'’-]*[a-z0-9]"
             r"|(?:everyone|everybody)(?:\s+(?:in|on|at|from)\s+(?:the|my|our)\s+(?:[A-Za-z0-9'’-]+\s+){0,3}?[A-Za-z0-9'’-]*[a-z0-9])?"
             # "email to insurance company re …": a desk, typed without "the"
             r"|(?:[a-z]+\s+)?(?:company|office|department|council|bank|insurer|insurers|agency|clinic|surgery|"
             r"support|helpdesk|reception|admissions|team)(?=\s+(?:re|about|regarding)\b|\s*[:,—–])"
             r"|landlord|landlady|HR|IT)"
             # "my students' parents (Grade 7 science)": what the brackets say is left out
             r"(?:\s*\([^()]{1,30}\))?")
_TO_ROLE = re.compile(
    rf"^{_WRITE}{_TO}{_ROLE_WHO}(?:['’]s?\s+(?:email|message|note|letter|post|question))?"
    r"(?:\s*(?P<sep>[.:;,—–?]|\s-\s)\s*|\s+that\s+|\s+(?P<about>(?:about|re|regarding)\s)"
    rf"|\s+(?P<ing>(?:{_GERUND})\s)|\s+to\s+say\s+(?:that\s+)?"
    # "email the vet to ask for …", "email the Fernandes couple (Ana and Luis) to let them know …"
    r"|\s+to\s+(?P<verb>ask|tell|let|remind|thank|invite|warn|update|congratulate)\b(?:\s+(?:him|her|them))?\s*)"
    r"(?P<rest>\S.*)$", re.S)


# "Send a reminder to all tenants at 14 Harcourt Road that the water will be off …"
_REMINDER = re.compile(
    r"^(?i:send|write|email|draft|do)\s+(?:(?i:an?)\s+)?(?:(?i:quick|friendly|gentle|short|polite|final)\s+)?"
    r"(?i:reminder)\s+(?:(?i:email|note|message)\s+)?(?i:to)\s+(?P<who>[^:;.—–]{1,60}?)"
    r"(?:\s+(?P<joined>(?:that|about|of|to)\s.+)|\s*[:;,—–]\s*(?P<said>\S.+))$", re.S)


# "say happy retirement to Brian from all of us": the wish, to them.
_SAY_WISH = re.compile(
    r"^(?i:say|send|wish)\s+(?P<wish>(?i:happy|merry)\s+[\w'’ ]{2,30}?|(?i:congrats|congratulations|good\s+luck|"
    rf"well\s+done|get\s+well\s+soon|best\s+wishes))\s+(?i:to)\s+(?P<who>{_NAME})(?P<rest>(?:\s|[,.!]).*|)$", re.S)


def _said_wish(found: re.Match) -> str:
    wish = found.group("wish")
    if re.match(r"(?i:happy|merry)", wish):
        return f"wish {found.group('who')} a {wish.lower()}{found.group('rest')}"
    if re.match(r"(?i:congrats|congratulations|well)", wish):
        return f"congratulate {found.group('who')}{found.group('rest')}"
    return f"wish {found.group('who')} {wish.lower()}{found.group('rest')}"


# "Write an email introducing my colleague Tunde to my old uni friend Hannah, they're …"
_INTRODUCING = re.compile(
    r"^(?i:write|draft|send|do)\s+(?:(?i:an?)\s+)?(?:(?i:quick|short)\s+)?(?i:email|note|message)\s+"
    r"(?i:introducing)\s+(?:(?:my|our)\s+(?:[a-z-]+\s+){1,3})?(?P<a>[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+)?\s+"
    r"(?i:to)\s+(?:(?:my|our)\s+(?:[a-z-]+\s+){1,3})?(?P<b>[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+)?(?P<rest>.*)$",
    re.S)
# "Help me write an invite for our street party. Date: …"
_INVITE_FOR = re.compile(
    r"^(?i:write|draft|send|do|make)\s+(?:(?i:an?)\s+)?(?:(?i:email|e-mail)\s+)?(?i:invite|invitation)\s+"
    r"(?i:for|to)\s+(?P<event>(?i:our|my|the|a)\s+[^.:;]{1,50}?)\s*(?:[.:;]|\s-\s)\s*(?P<rest>.*)$", re.S)


def _reminded(found: re.Match) -> str:
    return f"remind {found.group('who')} " + (found.group("joined") or f"that {found.group('said')}")


def _acted(act: re.Match) -> str:
    verb = act.group("verb") or act.group("bare")
    return _acted_on(verb.lower(), act.group("who"), act.group("rest"))


def _acted_on(verb: str, who: str, rest: str) -> str:
    if verb == "see":  # "email Kerry and see if anyone's handed it in"
        verb = "ask"
    if verb == "let" and re.match(r"\s+know\b", rest):
        return f"let {who}{rest}"
    return f"{verb} {who}{rest}"


def _without_asides(text: str) -> str:
    """``text`` without what it tells the assistant about the reader ("(first name Dana)",
    "His name is Walter btw", "My landlord is Mr. Patel.", "Got an email from Felix …"),
    with the name they go by where it gives one."""
    text = _TITLED.sub(_titled, text)
    goes_by = _GOES_BY.match(text)
    if goes_by:
        name = goes_by.group("name")
        text = f"{goes_by.group('verb')} {name[:1].upper()}{name[1:]}{text[goes_by.end():]}"
    text = _NAME_IN_BRACKETS.sub("", text)
    text = _NAME_SENTENCE.sub("", text).strip()
    text = re.sub(r",\s+first\s+name\s+[A-Z][\w'’-]+(?=[.,;])", "", text)
    text = re.sub(r",?\s*(?:(?i:the)\s+)?(?i:contact)\s+(?:person\s+)?(?:is|was)\s+[A-Z][\w'’-]+"
                  r"(?:\s+[A-Z][\w'’-]+)?(?=[.,;]|$)", "", text)
    text = _WHO_THEY_ARE.sub("", text)
    text = _APPOSITION.sub(_apposed, text)
    text = re.sub(r"(?:^|(?<=[.!?]))\s*(?i:it['’]s)\s+(?i:to|for)\s+[A-Z][\w'’-]+\s*[,.]?\s*", " ",
                  text).strip()
    text = re.sub(r"\b(?:a|an|the|my|our)\s+(?:[a-z]+\s+){1,3}(?:named|called)\s+(?=[A-Z])", "", text)
    text = re.sub(r"\s*\((?i:to|for)\s*:?\s*[A-Z][\w'’-]+\)", "", text)
    told = name_told(text)
    if told:
        text = re.sub(rf"\s*[,;—–]\s*(?i:to|for)\s+(?i:{re.escape(told)})\s*[.!]?\s*$", "", text)
    text = re.sub(rf"(?:^|(?<=[.!?]))\s*(?:(?i:it|this)\s+)?(?:(?i:goes|is\s+going)\s+to|(?i:send\s+(?:it\s+|this\s+)?to))\s+"
                  rf"(?:{HONORIFIC}\.?\s+)?[A-Z][\w'’-]+\s*[.!]?\s*$", "",
                  text).strip()
    # "…, its from Chidi": whose invitation it is, told to the assistant
    text = re.sub(r"\s*[,;—–]\s*(?i:it['’]?s|it\s+is|this\s+is)\s+from\s+[A-Z][\w'’-]+\s*[.!]?\s*$", "", text)
    # "The recruiter's Mackenzie.", "Hiring manager is Fatima Rahman.": told to the assistant
    text = re.sub(r"(?:^|(?<=[.!?]))\s*(?i:the\s+)?(?i:recruiter|hiring\s+manager|contact(?:\s+person)?)"
                  r"(?:['’]s|\s+is|\s+was)\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s*[.!]", "", text).strip()
    text = _WHAT_CAME.sub("", text)
    return _BUT_SAY.sub(", but ", text)


def _apposed(found: re.Match) -> str:
    """"email the customer, Mrs Kaur, the electrician found …" → "email Mrs Kaur, the
    electrician found …"; "tell my professor, Dr. Rao, that …" → "tell Dr. Rao that …"."""
    after, before = found.string[found.end():], found.string[:found.start()]
    joined = re.match(rf"\s*(?:that|to|about|re|regarding|for|and|with|(?:{_GERUND}))\b", after)
    written_to = re.search(r"\b(?i:email|e-mail|message|write\s+to|reply\s+to|note\s+to)\s*$", before)
    return found.group("who") + ("," if written_to and not joined else "")


def _to_do(found: re.Match) -> str:
    verb, who, rest = found.group("verb"), _said_who(found.group("who")), found.group("rest")
    if verb == "say":
        return f"write to {who}: {rest.lstrip()}"
    if verb == "confirm":  # "email Lucía to confirm her lessons, Thursdays 4-5pm"
        return f"confirm with {who}{rest}"
    if verb in _ACTS_ON_THEM:
        return _acted_on(verb, who, re.sub(r"^\s+(?:him|her|them)\b", "", rest))
    return f"write to {who}: I'd like to {verb}{rest}"


def _kind_of_mail(found: re.Match) -> str | None:
    kind = found.group("kind").lower()
    if kind == "sorry-for-the-delay":
        whom = re.match(rf"{_ROLE_BEFORE}(?P<who>{_NAME})[,.]?(?P<after>.*)$", found.group("rest"), re.S)
        return f"write to {_said_who(whom.group('who'))}: I'm sorry for the delay. " \
               f"{whom.group('after').strip()}" if whom else None
    if kind != "birthday":
        return f"{_KIND_VERB.get(found.group('kind').lower(), 'thank')} {found.group('rest')}"
    # "birthday email for my manager Anjali, from me"
    whom = re.match(rf"{_ROLE_BEFORE}(?P<who>{_NAME})(?P<after>.*)$", found.group("rest"), re.S)
    return f"wish {whom.group('who')} a happy birthday{whom.group('after')}" if whom else None


def _said_to(found: re.Match) -> str:
    owner = found.groupdict().get("owner") or ""
    # "… saying Amelia will be off": what is said, not the saying of it
    rest = re.sub(r"^(?:saying|telling\s+(?:him|her|them))\s+(?:that\s+)?", "", found.group("rest"))
    return f"write to {_said_who(found.group('who'))}{owner}{' —' if owner else ':'} {rest}"


def _said_to_role(found: re.Match) -> str | None:
    if re.fullmatch(r"(?:the|my|our)\s+(?:\w+\s+)?(?:email|note|message|reply)", found.group("role")):
        return None  # "write to the email …" is no one
    if found.group("verb"):
        return _acted_on(found.group("verb"), found.group("role"), " " + found.group("rest"))
    if found.group("sep") == "?" and not re.match(r"(?i:can|could|would|will)\b", found.string):
        return None  # "email the team?" asks the assistant only after "can you"
    lead = found.group("about") or found.group("ing") or ""
    return f"write to {found.group('role')}: {lead}{found.group('rest')}"


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]


# Each way a request names who it is for, first match first, and the request put the one
# way ``trainer.literal`` reads it (or None: not this way after all).
_READINGS: list[tuple[re.Pattern, Callable[[re.Match], str | None]]] = [
    (_NEEDS_TO_KNOW, lambda m: f"tell {m.group('who')} {m.group('rest')}"),
    (_ANSWER_TO, lambda m: f"tell {m.group('who')} {m.group('answer').lower()}"),
    (_NAME_RE, lambda m: None if m.group("who").lower() in ("email", "reply", "note", "write")
     else f"write to {_capitalised(m.group('who'))}: re {m.group('topic')}, {m.group('rest')}"),
    (_TO_LEAD, lambda m: f"write to {m.group('who')}: {m.group('rest')}"),
    (_COVER, lambda m: f"say I'm writing to apply for {m.group('x')}"),
    (_COMPLAINT, lambda m: f"say I'm writing to complain about {m.group('x')}"),
    (_RESIGNATION, lambda m: f"write to {_said_who(m.group('who'))}: I'm writing to resign. "
     f"{m.group('rest').lstrip(' .')}".rstrip()),
    (_WRITING_TO, lambda m: f"say I'm writing to {m.group('act')}{m.group('rest')}"),
    (_REMINDER, _reminded),
    (_INTRODUCING, lambda m: f"introduce {m.group('a')} and {m.group('b')}{m.group('rest')}"),
    (_INVITE_FOR, lambda m: f"say you're invited to {m.group('event')}. {m.group('rest')}".strip()),
    (_SAY_WISH, _said_wish),
    (_TO_DO, _to_do),
    (_AND_ACT, lambda m: _acted(m)),
    (_THANKS_FOR, lambda m: f"thank {m.group('who')} {m.string[m.end():]}"
     if _THANKS_WRITTEN.search(m.string[:m.end()].lower()) else None),
    (_WISH, lambda m: f"wish {_said_who(m.group('who'))} {m.string[m.end():]}"),
    (_WITH_THINGS, lambda m: f"send {_said_who(m.group('who'))} {m.group('things')}"),
    (_REWRITE, lambda m: (f"write to {m.group('who')}: " if m.group("who") else "say ")
     + m.group("text")),
    (_SYMPATHY, lambda m: f"write to {_said_who(m.group('who'))}: I'm so sorry to hear "
     f"{m.group('rest').lstrip(' ,—–-')}"),
    (_WRITE_NAME_A_MAIL, lambda m: f"write to {_said_who(m.group('who'))}: {m.group('rest')}"),
    (_KIND_OF_MAIL, _kind_of_mail),
    (_THEN_SAY, _said_to),
    (_NAME_SET_OFF, _said_to),
    (_TO_ROLE, _said_to_role),
    (_ABOUT, lambda m: f"write to {_said_who(m.group('who'))}: {m.string[m.end():]}"),
]


def _addressed_line(text: str) -> str:
    text = _without_asides(text)
    for pattern, reading in _READINGS:
        found = pattern.match(text)
        said = reading(found) if found else None
        if said is not None:
            return said
    return text
