"""A request as people type it, read plainly before it is written as an email
(``trainer.literal``): "pls remind gus abt invoice #5582" → "remind Gus about invoice
#5582"; "hey can you tell Anand …" → "tell Anand …"; "chase Alicia on the order" →
"follow up with Alicia on the order"; "…, but be nice" → "…".

Only spelling and framing change: every word that carries what is to be said stays. No
model; English only.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from trainer.addressing import as_addressed
from trainer.facts import COMMON, OPENERS
from trainer.story import ASIDE_AFTER_NAME, TONE, retold

# Shorthand, as a whole word: what it stands for.
_SHORTHAND = {
    "pls": "please", "plz": "please", "u": "you", "ur": "your",
    "abt": "about", "w/": "with", "w/o": "without", "tmrw": "tomorrow", "tmr": "tomorrow",
    "tmrow": "tomorrow", "tomoz": "tomorrow", "thx": "thanks", "thnx": "thanks",
    "bc": "because", "b/c": "because", "cuz": "because", "coz": "because", "esp.": "especially",
    "esp": "especially", "asap": "as soon as possible", "im": "I'm", "ive": "I've",
    "dont": "don't", "cant": "can't", "didnt": "didn't", "doesnt": "doesn't",
    "isnt": "isn't", "wasnt": "wasn't", "havent": "haven't", "wouldnt": "wouldn't",
    "couldnt": "couldn't", "shouldnt": "shouldn't", "thats": "that's", "theyre": "they're",
    "youre": "you're", "r": "are", "b4": "before", "2moro": "tomorrow", "2morrow": "tomorrow",
    "wrt": "re", "rn": "right now", "ppl": "people", "mtg": "meeting", "appt": "appointment",
    "wk": "week", "wks": "weeks", "eod": "end of day", "cn": "can", "cud": "could",
    "wud": "would", "2day": "today", "2nite": "tonight", "2night": "tonight",
    "msg": "message", "msgs": "messages", "wfh": "working from home", "hes": "he's", "shes": "she's",
}
_SHORT_WORD = re.compile(
    r"(?<![\w/@.#-])(" + "|".join(re.escape(k) for k in sorted(
        _SHORTHAND, key=len, reverse=True)) + r")(?![\w/@-]|\.\w)", re.I)
# "follow up w jordan @ brightline": with Jordan at Brightline.
_WITH_AT = [(re.compile(r"\b(up|in|touch|base)\s+w\s+(?=\w)", re.I), r"\1 with "),
            # "need 2 know", "fwd it 2 carla": to, not two ("2 tickets", "2 kids" stay)
            (re.compile(r"\b(need|needs|have|has|got|gotta|going|want|wants|like|due|forward|fwd|send|sent|"
                        r"email|reply|talk|speak|say|said|late|come|go|went|it|them|him|her|this|that|ask|asked|"
                        r"tell|told|back|push|move|moved|what|thx|thanks|thank|msg|note|message|text)\s2\s(?=(?-i:[a-z]))(?![a-z]+s\b|(?:more|less|extra|new|"
                        r"of|or|x|big|small|other|spare|free)\b)", re.I), r"\1 to "),
            # "fwd the rota 2 carla ask her …": to them
            (re.compile(r"\s2\s(?=[a-z][a-z'’-]+\s+(?:ask|tell|and|re|abt|about|pls|please|asap)\b)"), " to "),
            # "thx 4 the intro": for
            (re.compile(r"(?<=[a-z])\s4\s(?=(?:the|a|an|your|his|her|my|our|this|that|it|me|us|him|them|all|"
                        r"everything|[a-z]+ing)\b)"), " for "),
            # "chase it w niamh", "sort it w dev": with
            (re.compile(r"\b(it|this|that|chase|check|sort|discuss|raise|talk|speak)\s+w\s+(?=[a-z])", re.I),
             r"\1 with "),
            # "write to Ollie n ask if he's coming": and
            (re.compile(r"(?<=[A-Za-z])\s+n\s+(?=[a-z])"), " and "),
            (re.compile(r"(?<=\w)\s+@\s+(?=[A-Za-z])"), " at "),
            # "email Carlos re: my membership": about it, not a colon after "Carlos re"
            (re.compile(r"(?<=\s)(re|Re|RE):\s+"), r"\1 "),
            # "1:1 w kev", "call w sam": with them
            (re.compile(r"\b(1:1|meeting|call|chat|catch-?up|sync|lunch|coffee|shift)\s+w\s+(?=[A-Za-z])",
                        re.I), r"\1 with "),
            # "email 2 lisa", "msg 2 the team": to them
            (re.compile(r"\b(email|e-mail|write|msg|message|text|reply|note|send\s+\w+|say\s+\w+)"
                        r"\s+2\s+(?=[A-Za-z])", re.I), r"\1 to ")]
# "my cuz Anil": a cousin ("cuz" is "because" elsewhere).
_COUSIN = re.compile(r"\b(my|our|his|her|your)\s+(?:cuz|coz)\b", re.I)
# "ill be late", "ill send it": I'll, where a verb follows ("ill" is a word too).
_ILL = re.compile(r"\bill\s+(?=(?:be|have|get|send|call|bring|do|make|need|try|check|see|"
                  r"pick|drop|come|let|sort|ask|pay|look|email|text|ring)\b)", re.I)

# The verbs a request opens its clauses with.
REQUEST_VERBS = ("tell|ask|let|say|reply|answer|mention|explain|remind|thank|decline|accept"
                 "|confirm|invite|apologise|apologize|congratulate|welcome|propose|suggest"
                 "|update|warn|cancel|send|check|inform|get|wish|urge|offer|credit|order|agree"
                 "|promise|announce")
# The request said to the assistant: "can you ask Tom …", "I want you to tell Jo …".
_TO_THE_ASSISTANT = re.compile(
    r"^(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:help\s+me\s+)?|please\s+|help\s+me\s+(?:to\s+)?|"
    r"(?:please\s+)?assist\s+me\s+(?:to\s+|in\s+)?|"
    # "How would I tell my client Hamish that …?", "what do I say to my daughter's coach …?"
    r"how\s+(?:would|should|do|can|could)\s+I\s+(?:(?:politely|nicely|gently|best|kindly|tactfully)\s+)?|"
    r"what\s+(?:do|should|would|can|could)\s+I\s+(?=say\s+to\b)|"
    # "what's a nice way to tell Greg …", "best way to ask my boss …"
    r"(?:what['’]?s\s+|what\s+is\s+)?(?:a|the)\s+(?:(?:nice|good|polite|kind|gentle|tactful|best|"
    r"professional|diplomatic|decent)\s+)?way\s+to\s+|(?:the\s+)?best\s+way\s+to\s+|"
    r"i\s+(?:want|need|['’]d\s+like|would\s+like)\s+you\s+to\s+)"
    rf"(?=(?:{REQUEST_VERBS}|say\s+to|do\s+an?\s|put\s+together|reply|write|respond|email|message|draft|follow|schedule|set|arrange|"
    r"introduce|intro|forward|decline|accept|chase|nudge|ping|congrats)\b)", re.I)


def _to_the_writer(text: str) -> str:
    """The request with what it says to the assistant taken off: "Could you draft something
    to Ellie thanking her? I got the job!" → "draft something to Ellie thanking her. I got
    the job!" (the question was the assistant's, not the email's)."""
    asked = _TO_THE_ASSISTANT.match(text)
    if not asked:
        return text
    text = text[asked.end():]
    return re.sub(r"\?(?=\s|$)", ".", text, count=1) if asked.group(0).strip().lower() \
        .startswith(("can", "could", "would", "will", "how", "what")) else text


# Talk before the request: "hey", "ok so", "so", "right,", "um".
_CHATTER = re.compile(r"^(?:(?:(?:hi|hello)\s+po|hey|hi|hello|hiya|heya|ok|okay|so|um|uh|right|alright|oh|kindly|urgent|"
                      r"good\s+(?:morning|afternoon|evening)|dear\s+(?:sir|madam|sir\s*/\s*madam))\b[,.!]?\s+"
                      # "idk how to word this but …", "not sure how to say this, …"
                      r"|(?:idk|i\s+don['’]?t\s+know|not\s+sure)\s+how\s+to\s+(?:word|say|phrase|put)"
                      r"\s+(?:this|it)\s*(?:,?\s*but|,?\s*so|[,.:;—–-])?\s+"
                      # "Pls find below details and draft mail to …"
                      r"|(?:pls|please|kindly)\s+find\s+(?:the\s+)?below\s+(?:details|info|information)\s*(?:and|,)\s+)+", re.I)
_TO_THEM = re.compile(r"(?:^|(?<=[.!?]\s))(?i:to)\s+(?P<who>[A-Z][\w'’-]+)\.(?:\s+|$)")
# Whom to write to, said by what they are and then named: "email the new analyst (Anjali
# Raghunathan) and …", "tell the client (Beatriz at Monteverde Capital) that …", "email my
# counterpart at the Port Authority, Valentina (V. Ostrowski on her signature), re …",
# "write to the guy from TotalEnergies, Lorenzo something, and …", "message the school's
# SENCO, Mrs Adeleke, asking …": the name.
_TO_WHOM = (r"(?P<verb>(?:^|(?<=[.!?]\s))(?:(?:we|i)\s+(?:need|have|want)\s+to\s+)?(?i:e-?mail|write\s+to|message|tell|ask|remind|thank|"
            r"reply\s+to|let|update|invite|warn|for|to)\s+)(?:(?i:the|my|our)\s+|(?=[A-Z][\w'’-]+['’]s\s+[a-z]))")
_ROLE_IN_BRACKETS = re.compile(
    _TO_WHOM + r"(?:[\w'’-]+\s+){0,3}?[\w'’-]+\s*\((?P<name>[A-ZÀ-Þ][\w'’-]+(?:\s+[A-ZÀ-Þ][\w'’-]+)?)"
    r"(?:\s*(?:at|from|of)\s+[^()]{1,40}|\s*,\s*(?-i:[a-z])[^()]{0,40})?\)")
_ROLE_THEN_NAME = re.compile(
    _TO_WHOM + r"(?:[\w'’&-]+\s+){0,5}?[\w'’&-]+,\s+(?P<name>(?:(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.?\s+)?[A-ZÀ-Þ][\w'’-]+"
    r"(?:\s+[A-ZÀ-Þ][\w'’-]+)?)(?:\s+something)?(?:\s*\([^()]{1,60}\))?\s*(?P<end>[,:])")


def _named_after_role(found: re.Match) -> str:
    """ "email my counterpart at the Port Authority, Valentina (…), re …" → "email Valentina,
    re …"; "… mum, Claire, that fees …" → "… Claire that fees …"."""
    joined = re.match(r"\s*(?:that|to|about|re|regarding|asking|saying|and)\b", found.string[found.end():])
    verb = found.group("verb")
    if found.group("end") == ":" or re.match(r"(?i)(?:for|to)\s", verb):  # "For …, Grzegorz: …"
        return f"write to {found.group('name')}: "
    return verb + found.group("name") + ("" if joined else ",")


# "Pls help me write to my landlord …": the ask to write is the request.
_HELP_ME = re.compile(r"^(?:(?:please|pls|kindly)\s+)?(?:(?:can|could)\s+(?:you|u)\s+)?help\s+(?:me\s+)?(?:to\s+)?"
                      r"(?=(?:write|draft|email|reply|respond|answer|prepare|compose|send)\b)", re.I)
# What the writer must do, said of themselves: "need to tell Pat …", "gotta ask …".
_OBLIGED = re.compile(r"^(?:i\s+)?(?:need\s+to|have\s+to|gotta|must|should|want\s+to)\s+"
                      r"(?=(?:tell|ask|remind|thank|let|email|write|reply|message|text|"
                      r"follow|chase|confirm|decline|invite|update|warn|send|inform)\b)", re.I)
# "tell landlord heating broke AGAIN", "tell plumber come after 2": someone by their role,
# typed without "the".
_BARE_ROLE = re.compile(
    r"\b(?P<verb>tell|ask|remind|thank|email|message|msg|text|warn|update|let)\s+"
    r"(?P<role>landlord|landlady|plumber|builder|electrician|boss|manager|teacher|coach|doctor|"
    r"dentist|vet|cleaner|nanny|babysitter|neighbour|neighbor|caretaker|receptionist|accountant|"
    r"lawyer|solicitor|mechanic|contractor|decorator|gardener|agent|tenant|team|office|"
    r"school|council|bank)\b(?!['’]|\s+(?-i:[A-Z]))", re.I)
# "tell both tom and aisha …": both, by name.
# "intro email connecting Femi (our data lead) and Ingrid (runs analytics at Halden)", "write
# an intro between my friend Kofi, who's a photographer, and my cousin Ama": two people
# introduced to each other, and what each is.
_ONE_OF_TWO = (r"(?:(?:my|our|a)\s+(?:[a-z-]+\s+){{0,2}}?)?(?P<{0}>[A-ZÀ-Þ][\w'’-]+(?:\s+[A-ZÀ-Þ][\w'’-]+)?)(?![\w'’-])"
               r"(?:\s*\((?P<{0}_is>[^()]{{2,60}})\)|\s*,\s*who(?:['’]s|\s+is|\s+)\s*(?P<{0}_who>[^,?.!]{{2,60}}?)\s*(?=[,?.!]|$)"
               r"|\s*,\s*(?P<{0}_role>(?:an?|the|our|my)\s+[^,]{{2,40}}?)\s*,)?")
_TWO_INTRODUCED = re.compile(
    r"^(?:(?:please|pls)\s+)?(?:(?:write|draft|send|do|need|want)\s+(?:me\s+)?(?:an?\s+)?)?"
    r"(?:(?:intro|introduction|introductory)\s+(?:e-?mail|note|message|mail)?\s*(?:connecting|between|for|to|introducing)"
    r"|(?:e-?mail|note|message)\s+(?:connecting|introducing)|connect|introduce)\s+"
    + _ONE_OF_TWO.format("a") + r"\s*,?\s+(?:and|&|with)\s+" + _ONE_OF_TWO.format("b")
    # ("introduce Aisha and Graham to Pedro" is to Pedro)
    + r"(?!\s+to\s)\s*(?:[,;:.?—–-]+\s*)?(?P<rest>.*)$", re.S)


def _said_of(name: str, found: re.Match, key: str) -> str:
    """ "(runs analytics at Halden)" → "Ingrid runs analytics at Halden"; "(our data lead)",
    ", who's a photographer," → "Femi is our data lead"."""
    what = found.group(f"{key}_is") or found.group(f"{key}_who") or found.group(f"{key}_role") or ""
    what = what.strip()
    if not what:
        return ""
    first = what.split()[0].lower()
    verb = first.endswith("s") and first not in ("his", "hers", "its", "this", "us") \
        or first in ("has", "does", "can", "will", "just", "also", "used", "knows")
    return f"{name} {what}" if verb else f"{name} is {what}"


def _two_introduced(text: str) -> str:
    found = _TWO_INTRODUCED.match(text)
    if not found or found.group("a").lower() in NOT_A_NAME | COMMON:
        return text
    a, b = found.group("a").split()[0], found.group("b").split()[0]
    said = [part for part in (_said_of(a, found, "a"), _said_of(b, found, "b")) if part]
    rest = found.group("rest").strip()
    told = " and ".join(said)
    tail = "; ".join(part for part in (told, rest) if part)
    return f"introduce {a} and {b}" + (f": {tail}" if tail else "")


# "ask tom and aisha if they …": two people, by name.
_TWO = re.compile(r"^(?P<verb>tell|ask|remind|thank|invite)\s+(?P<a>[a-z][a-z'’-]{1,14})\s+(?:and|&)\s+"
                  r"(?P<b>[a-z][a-z'’-]{1,14})\s+(?=(?:if|whether|to|that|about|for)\b)")
_BOTH = re.compile(r"\b(?P<verb>tell|ask|remind|thank|email(?:\s+to)?|message|msg|text|invite|let)\s+both\s+"
                   r"(?P<a>[A-Za-z][a-z'’-]+)\s+(?:and|&)\s+(?P<b>[A-Za-z][a-z'’-]+)\b")
# How to write it, which only the writer can carry out: "but be nice", "keep it short",
# "— want it to sound genuinely grateful, not corporate", "firm but polite".
_TONE = TONE
# How an email sounds, never what it is about ("big, warm, bright" is a room).
_STYLE = (r"(?:friendly|polite|professional|formal|informal|casual|firm|gentle|upbeat|tactful|"
          r"diplomatic|apologetic|enthusiastic|gracious|respectful)")
# Only where a clause opens with it: "the path must be clear." is the email's, and stays.
_HOW_TO_WRITE = [
    re.compile(rf"(?:^|\s*[,;.]\s*(?:but\s+|and\s+|so\s+)?|(?<=[?!])\s*|\s+(?:but|and|so)\s+)"
               rf"(?:be|sound|keep\s+it|make\s+it|don['’]t\s+be|don['’]t\s+sound|"
               rf"keep\s+the\s+tone)\s+(?:\w+\s+)?{_TONE}\b(?:\s+(?:but|and)\s+{_TONE})?"
               r"(?:\s+about\s+it)?"
               # "keep it light, he's a mate": why, told to the assistant
               r"(?:\s*,\s*(?:he|she|they)['’](?:s|re)\s+(?:a|an|my|our|old)\s+(?:\w+\s+)?"
               r"(?:mate|friend|pal|buddy|colleague|client|friends|mates)|\s*,\s*(?:he|she|they)['’](?:s|re)\s+"
               r"(?:junior|new(?:\s+here)?|young|shy|sensitive|\d{2,3}))?(?=\s*(?:[,;.]|$))", re.I),
    # A closing note of tone alone: "… casual", "Very polite and formal.", "firm.",
    # "Apologetic tone.", "keep it short, not pushy", "friendly, don't want drama".
    re.compile(rf"(?:(?<=[.!?,;])|\s+[—–-]|^)\s*(?:(?:very|quite|but|and|&|not|too|a\s+bit)\s+)*"
               rf"{_TONE}(?:\s*(?:,|and|&|but)?\s*(?:(?:very|quite|not|too|a\s+bit)\s+)*{_TONE})*"
               r"(?:\s+tone)?(?:\s*,?\s*(?:(?:I\s+)?don['’]t\s+want\s+(?:any\s+)?drama|no\s+drama))?"
               r"(?:\s*,\s*(?:he|she|they)['’](?:s|re)\s+(?:junior|new|young|\d{2,3}))?"
               # "polite but firm, he's a good client": why, told to the assistant
               r"(?:\s*,\s*(?:he|she|they)['’](?:s|re)\s+(?:a|an|my|our|old)\s+(?:\w+\s+)?"
               r"(?:mate|friend|pal|buddy|colleague|client|customer|friends|mates))?"
               r"(?:\s*,?\s*(?:and\s+|but\s+)?not\s+(?:too\s+)?(?:long|wordy|formal|stiff))?\s*[.!]*\s*$",
               re.I),
    # "don't be passive aggressive but he needs to do it": what follows the "but" is said.
    re.compile(rf"(?:(?<=[.!?]\s)|^)(?:don['’]t\s+(?:be|sound)|be|sound)\s+(?:too\s+|so\s+)?"
               rf"(?:\w+\s+)?{_TONE}\s+but\s+(?=\w)", re.I),
    # "explaining this, friendly, and ask …": a tone between commas
    re.compile(rf",\s*(?:very\s+|quite\s+)?{_STYLE}(?:\s+(?:but|and)\s+{_STYLE})?\s*"
               rf"(?=,\s*(?:and\s+|then\s+)?(?:{REQUEST_VERBS})\b)", re.I),
    # "want to thank him and ask …": the thanks and the ask are what is said
    re.compile(r"(?:^|(?<=[.!?,;—–-]\s)|(?<=\band\s))(?:I\s+)?(?:want|need|['’]d\s+like|would\s+like)\s+to\s+(?=(?:thank|ask|tell|"
               r"remind|invite|congratulate)\s+(?:him|her|them)\b)", re.I),
    # "Tell Rosalind, formally, that …"
    re.compile(r",\s*(?:formally|politely|nicely|gently|firmly|kindly|briefly|informally|casually|"
               r"diplomatically|tactfully|honestly|frankly|openly|directly)\s*,", re.I),
    # "… — let him know.", "Please let her know.", "Reply to him.": the act, said to the assistant
    re.compile(r"(?:\s*[,;—–-]\s*|(?<=[.!?])\s*|^|\s+(?=(?:please|pls)\s))(?:please\s+|pls\s+|just\s+)?(?:let\s+(?:him|her|them)\s+know|"
               r"reply\s+to\s+(?:him|her|them)|send\s+it\s+to\s+(?:him|her|them)(?:\s+directly)?|"
               r"tell\s+(?:him|her|them)|(?:e-?mail|text|message)\s+(?:him|her|them))\s*[.!]?\s*$", re.I),
    # "short pls: accept …", "formal please — …": how to write it, as a label
    re.compile(rf"^(?:(?:very|quite)\s+)?{_TONE}(?:\s+(?:and|but)\s+{_TONE})?\s*(?:please|pls)?\s*[:—–]\s*(?=\w)",
               re.I),
    # "Can you write the email?", "could u draft it for me?": to the assistant, in passing
    re.compile(r"(?:(?<=[.!?]\s)|^)(?:(?:can|could|would)\s+(?:you|u)\s+(?:please\s+)?|please\s+)(?:write|draft|do)\s+"
               r"(?:the|an|this|that|it|me\s+an?)\s*(?:email|e-mail|message|note|reply|one)?\s*(?:for\s+me)?\s*[?.!]\s*",
               re.I),
    # "Can you make it sound professional?": to the assistant
    re.compile(rf"(?:(?<=[.!?]\s)|^)(?:(?:can|could)\s+you\s+)?(?:please\s+)?(?:make|formulate|word|phrase|write)\s+it\s+(?:sound\s+)?(?:more\s+|a\s+bit\s+)?"
               rf"{_TONE}\b[^.!?]*[.!?]?\s*$", re.I),
    # "don't grovel", "don't panic her", "not sure how to word this without …": to the
    # assistant, closing the request.
    re.compile(r"(?:(?<=[.!?]\s)|^|\s*[,;]\s*)(?:don['’]t\s+(?:grovel|waffle|ramble|overdo\s+it|"
               r"(?:panic|worry|scare|alarm|upset|overwhelm)\s+(?:him|her|them)|make\s+it\s+(?:a\s+)?"
               r"(?:big\s+)?(?:deal|drama|thing))|(?:idk|not\s+sure|i['’]m\s+not\s+sure)\s+how\s+to\s+"
               r"(?:word|say|phrase|put)\s+(?:this|it)\b[^.!?]*)[.!]?\s*$", re.I),
    # "… a meeting without alarming her": how, not what
    re.compile(r"\s+without\s+(?:alarming|upsetting|offending|scaring|panicking|worrying|"
               r"annoying|embarrassing)\s+(?:him|her|them|anyone|everyone)\b", re.I),
    # "… without sounding rude", "without being too pushy", "without coming across as needy"
    re.compile(rf"\s+without\s+(?:sounding|being|seeming|coming\s+across\s+as|looking)\s+"
               rf"(?:(?:too|so|very|overly|a\s+bit)\s+)?(?:like\s+(?:a|an)\s+)?{_TONE}\b", re.I),
    # "Politely, but make it clear it's urgent": what is clear is said.
    re.compile(r"(?:\b(?:politely|nicely|gently|firmly|kindly)\s*,?\s*)?(?:\bbut\s+|\band\s+)?"
               r"\bmake\s+(?:it\s+)?(?:very\s+)?clear\s+(?:that\s+)?(?=\w)", re.I),
    re.compile(r"\s*[,;.—–-]+\s*(?:i\s+)?(?:want|need|would\s+like)\s+it\s+to\s+(?:sound|read|"
               r"come\s+across)\b[^;.]*", re.I),
    re.compile(rf"\s*[,;.]\s*(?:it\s+)?should\s+(?:sound|read|come\s+across)\s+(?:\w+\s+)?"
               rf"{_TONE}\b[^;.]*", re.I),
]
# A bare tone before what is written: "a firm but polite email saying …".
_TONE_BEFORE = re.compile(rf"\b(?:an?\s+)({_TONE}(?:\s+(?:but|and)\s+{_TONE})?)\s+"
                          r"(?=(?:email|note|message|reply|line)\b)", re.I)

# After these, a lowercase word is the person written to: "tell kev …", "ask ben if …".
_TO_PERSON = re.compile(r"\b(?P<verb>(?:1:1|meeting|call|chat|catch-?up|sync|lunch|coffee|shift|reschedule)\s+with|"
                        r"(?:offer|invite|invitation|email|message|request|proposal|quote|it['’]?s|is)\s+from|"
                        r"tell|ask|remind|thank|thanks(?!\s+(?:email|e-mail|note|message|card|letter)\b)|condolences\s+to|sorry\s+to|"
                        r"apologi[sz]e\s+to|let|email\s+to|message\s+to|note\s+to|email|message|text|cc|copy|"
                        r"congratulate|invite|update|warn|follow\s+up\s+with|write\s+to|"
                        r"reply\s+to|introduce|decline|welcome)\s+(?P<name>[a-z][a-z'’-]{1,14})"
                        r"(?=\s|[,:;—–-]|$)", re.I)
NOT_A_NAME = set("""everyone everybody all staff team crew class board committee parents
tenants volunteers folks guys people someone anyone nobody him her them me us you it
about around again back how what when where whether if that this those these the a an
my our his their its your whoever both each either neither off out up over through
myself yourself ourselves themselves
finance security accounting accounts legal marketing sales hr ops support admin reception
management facilities payroll procurement engineering design product office
customer client patient pupil student candidate applicant resident landlord tenant boss manager teacher doctor dentist vet plumber builder
administrator caretaker receptionist secretary director principal headteacher coordinator officer supervisor inspector
neighbour neighbor contractor supplier vendor agent lawyer accountant coach
mum mom dad gran grandma grandpa nana auntie uncle
email note letter message card pack party drinks lunch dinner aboard address
because since as so but and or if when while though although unless until before after
accept decline confirm agree refuse reject approve reply respond answer apologise apologize
say tell ask remind thank welcome yes no sure ok okay head nurse chief senior matron""".split())


# Family, greeted by what they are called: "Hi Mum", "Dear Nana".
_FAMILY = {"mum", "mom", "mam", "dad", "nana", "nan", "gran", "grandma", "grandpa", "grandad", "granny"}
# The ends of plural nouns ("tenants", "members", "families"), which names seldom have.
_PLURAL = re.compile(r"(?:ers|ors|ours|ents|ants|ees|ists|ians|ies|ches|ings|ds|ts|ks|ps)$")


# A request that opens by naming whom it is for: "Vera - can she resend the invoice?",
# "All: the AGM is on the 13th", "Team — standup moves to 9:30".
_NAMED_LEAD = re.compile(r"^\s*(?P<who>[A-ZÀ-Þ][\w'’-]+(?:(?:\s*,\s*|\s+(?:and|&)\s+)[A-ZÀ-Þ][\w'’-]+)*)"
                         r"\s*(?::|\s[—–-]|,)\s*(?P<rest>\S.*)$", re.S)
_GROUP_LEAD = re.compile(r"^\s*(?P<who>all|everyone|everybody|team|folks|guys|both)(?:\s*[:—–]|\s+-)\s*"
                         r"(?P<rest>\S.*)$", re.I | re.S)


def _birthday_who(who: str) -> str:
    """ "my cousin anil" → "Anil"; "uncle femi" → "Uncle Femi"."""
    who = re.sub(r"(?i)^(?:my|our)\s+(?:[a-z-]+\s+)?(?=\S+$)", "", who)
    return who.title() if who.islower() else who


def _the(thing: str) -> str:
    """ "rate sheet" → "the rate sheet"; "my notes", "the deck", "Q3 numbers" as they are."""
    return thing if re.match(r"(?i:the|a|an|my|our|his|her|their|this|these|those)\b|[A-Z0-9]", thing) \
        else f"the {thing}"


def _small_lead(found: re.Match) -> str:
    """ "rachel: site visit is off" → "write to Rachel: …"; not "note: …", "update: …"."""
    who = found.group("who")
    if who.lower() in COMMON | OPENERS | NOT_A_NAME or who.lower() in _LABELS or _PLURAL.search(who):
        return found.group(0)
    return f"write to {who.capitalize()}: "


_LABELS = {"fyi", "note", "update", "reminder", "draft", "subject", "re", "urgent", "important",
           "body", "message", "reply", "todo", "summary", "context", "background", "points",
           "agenda", "details", "info", "quick", "short", "formal", "casual", "thanks", "sorry"}


def named_lead(text: str) -> re.Match | None:
    """The person a request opens with, by name ("Vera - …"; not "Note: …"): groups
    ``who`` and ``rest``."""
    found = _NAMED_LEAD.match(text)
    return found if found and found.group("who").lower() not in COMMON | OPENERS else None


def group_lead(text: str) -> re.Match | None:
    """The group a request opens with ("All: …", "Team — …"): groups ``who`` and ``rest``."""
    return _GROUP_LEAD.match(text)


# "email the team, subject: Friday drinks - we're meeting at 6", "(subject line: Van
# returned)": the subject the user wants, which is no part of what is said.
_ASKED_SUBJECT = re.compile(
    r"(?:^|\s*[,;]\s*|(?<=[.!?])\s*|\n|\s*\()\s*(?i:subject(?:\s+line)?|subj)\s*"
    r"(?:\s*(?:(?i:should\s+be|is|of)\s+|[:—–]\s*)?['\"‘“](?P<quoted>[^'\"’”\n]+)['\"’”]"
    r"|(?:[:—–]|\s-)\s*(?P<subject>[^\n;()]+?)\s*(?:\)|(?=\s+[-—–]\s+|\n|;|$)))\.?")


def asked_subject(instruction: str) -> tuple[str, str]:
    """(the request without the subject line it asks for, that subject; "" for none)."""
    found = _ASKED_SUBJECT.search(instruction)
    if not found:
        return instruction, ""
    # "From: Gabrielle Moreau\nSubject: Do you ship to France?": an email pasted with the
    # header lines a mail client shows, whose subject is its own
    around = instruction[max(0, instruction.rfind("\n", 0, max(0, found.start() - 1))):found.end() + 200]
    if re.search(r"(?im)^[ \t]*(?:from|sent|date)[ \t]*:", around) or re.match(
            r"(?:[^\n]*\n)?\s*(?i:dear|hi|hello|hey|good\s+(?:morning|afternoon))\b", instruction[found.end():]):
        return instruction, ""
    rest = (instruction[:found.start()] + instruction[found.end():]).strip()
    rest = re.sub(r"^\s*[-—–:]\s*", "", rest)
    return rest, (found.group("subject") or found.group("quoted")).strip().rstrip(".")


# "start with Dear Sir or Madam", "sign it from all of us in ops", "sign off with love, Mum":
# how the email opens and closes, which the user asks for and no sentence says.
_ASKED_OPENING = re.compile(
    r"(?:^|\s*[,;]\s*|(?<=[.!?])\s*|\n)\s*(?i:start|open|begin)\s+(?i:it\s+)?(?i:with)\s+"
    r"(?P<greeting>(?i:dear|hi|hello|hey|good\s+(?:morning|afternoon)|to\s+whom)\b[^\n;.]*?)"
    r"\s*(?=[,;.]\s|\n|$)")
_ASKED_CLOSING = re.compile(
    r"(?:^|\s*[,;]\s*|(?<=[.!?])\s*|\n)\s*(?i:sign)\s+(?i:it\s+|off\s+|it\s+off\s+)?"
    r"(?:(?i:(?P<from>from)|with|as)\s+|(?<=(?i:off) )(?=['\"‘“]))(?P<sign_off>[^\n;.]+?)\s*(?=[;.]\s|\n|\.?$)")


def asked_framing(instruction: str) -> tuple[str, str, str]:
    """(the request without them, the greeting it asks for, the sign-off it asks for)."""
    greeting = sign_off = ""
    opening = _ASKED_OPENING.search(instruction)
    if opening:
        greeting = opening.group("greeting").strip()
        greeting = greeting[:1].upper() + greeting[1:]
        greeting += "" if greeting[-1:] in ",:—–-!" else ","
        instruction = (instruction[:opening.start()] + instruction[opening.end():]).strip()
    closing = _ASKED_CLOSING.search(instruction)
    if closing:
        # "with just 'Cheers, T'": the words quoted
        said = re.sub(r"^(?i:just|simply|only)\s+", "", closing.group("sign_off").strip()).strip("'\"‘’“”")
        if "," in said:  # "love, Mum": the closing word and the name
            word, _, name = said.partition(",")
            sign_off = f"{word.strip()[:1].upper()}{word.strip()[1:]},\n{name.strip()}"
        else:  # "from all of us in ops", "as Dr. Patel": who signs
            sign_off = said[:1].upper() + said[1:]
        instruction = (instruction[:closing.start()] + instruction[closing.end():]).strip()
        instruction = re.sub(r"([.!?])\s*\.$", r"\1", instruction)
    return instruction.strip(" ,;"), greeting, sign_off


# Other verbs for the same act.
_SAME_ACT = [
    # "message greg the van keys are under the mat", "text jo we're running late": tell
    (re.compile(r"^(?:message|text|email)\s+(?P<who>(?-i:[a-z]{2,12}|[A-Z][a-z]{1,12}))\s+"
                r"(?=(?:(?:the|my|our|your|his|her)\s+(?:[\w'’-]+\s+){0,3}(?:is|are|was|were|will|has|have|"
                r"isn['’]t|aren['’]t|won['’]t|needs?)\b|(?:we|it|they|he|she)(?:['’](?:s|re|ll|ve)|\s+(?:are|is|was|were|will|"
                r"won['’]t|can|can['’]t|have|has|need|needs)\b)))", re.I),
     r"tell \g<who> "),
    # "wfh tomorrow, tell my manager lucy": what to say, then whom to
    (re.compile(r"^(?P<what>[^,;:]{3,80}?)\s*[,;—–-]\s*(?:pls\s+|please\s+)?(?:tell|let)\s+(?:my\s+|our\s+|the\s+)?"
                r"(?:(?:[a-z]+\s+){0,2}(?:manager|boss|teacher|landlord|landlady|team|lead|supervisor|coach)\s+)?"
                r"(?P<who>[A-Za-z][a-z'’-]{1,14})(?:\s+know)?\s*[.!]?$", re.I),
     lambda m: m.group(0) if m.group("who").lower() in NOT_A_NAME | COMMON
     else f"tell {m.group('who').capitalize()}: {m.group('what')}"),
    # "email the council's parking services to appeal a ticket": the reason for writing
    (re.compile(r"^(?:write\s+to|email|e-mail|message)\s+(?P<who>(?:the|my|our)(?:\s+(?![a-z]+ing\s+to\b)[^,.:;\s]+){1,5}?)\s+to\s+"
                r"(?!(?:say|tell|ask|let|remind|thank|invite|confirm|inform|check|see|find|the|a|an|my|our|me|you|"
                r"him|her|them|us|be)\b)(?=[a-z]+\s)", re.I),
     r"write to \g<who>: I'm writing to "),
    # "email hr re my p45": the department
    (re.compile(r"^(?:write\s+to|email|e-mail|message|send\s+(?:a|an)\s+(?:note|email|message)\s+to)\s+"
                r"(?P<who>hr|payroll|accounts|finance|reception|admissions|billing|IT)\s+"
                r"(?=(?:re|about|regarding|my|our|i|i['’]m|we)\b)", re.I),
     lambda m: f"write to the {m.group('who').upper() if len(m.group('who')) == 2 else m.group('who')} team"
               + (" " if re.match(r"(?i)re|about|regarding", m.string[m.end():]) else ": ")),
    # "write to bookings@lakeside.co.uk want to move our stay": to the address, in the
    # writer's words
    (re.compile(r"^(?:write\s+to|email|e-mail|message)\s+(?P<who>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)\s*[,:—–-]?\s+"
                r"(?:i\s+)?(?=(?:want|need|would\s+like)\b)", re.I),
     r"write to \g<who>: I "),
    (re.compile(r"^(?i:chase|nudge|ping|poke|bug)\s+(?:up\s+)?(?P<who>\S+(?:\s+[A-Z]\S*)?)"
                # "chase dev in procurement re …": where they work, which the email does not say
                r"(?:\s+(?:in|at|from)\s+\S+)?(?:\s+again)?\s+(?=(?i:on|about|re|regarding|for)\b)"),
     r"follow up with \g<who> "),
    (re.compile(r"^(?i:chase|nudge|ping|poke|bug)\s+(?:up\s+)?(?P<who>\S+(?:\s+[A-Z]\S*)?)"
                r"(?:\s+again)?(?=\s*[:—–,]|\s+-)"), r"follow up with \g<who>"),
    (re.compile(r"^(?:say\s+)?congrats\s+to\s+", re.I), "congratulate "),
    (re.compile(r"^intro\s+", re.I), "introduce "),
    # "touch base with Abi re the quote", "check in w/ Abi about …", "nudge Lorraine"
    (re.compile(r"^(?:touch\s+base|check\s+in)\s+with\s+", re.I), "follow up with "),
    (re.compile(r"^(?i:chase|nudge|ping|poke|bug)\s+(?:up\s+)?(?P<who>[A-Za-z][\w'’-]*)\s*$"),
     r"follow up with \g<who>"),
    (re.compile(r"^get\s+back\s+to\s+", re.I), "reply to "),
    (re.compile(r"^say\s+to\s+", re.I), "write to "),
    (re.compile(r"^reach\s+out\s+to\s+", re.I), "write to "),
    (re.compile(r"^give\s+(?P<who>\S+(?:\s+[A-Z]\S*)?)\s+a\s+heads[\s-]up\s+(?:that\s+|about\s+)?",
                re.I), r"tell \g<who> "),
    (re.compile(r"^heads[\s-]up\s+to\s+", re.I), "tell "),
    (re.compile(r"^say\s+(?:thanks|thank\s+you)\s+to\s+", re.I), "thank "),
    # "polite no to Liam's invite", "a quick yes to Jo"
    (re.compile(r"^(?:(?:pls|please)\s+)?(?:(?:do|send|give)\s+)?(?:an?\s+)?(?:polite|nice|gentle|quick|firm|friendly|kind)\s+(no|yes)\s+to\s+",
                re.I), r"say \1 to "),
    # "get jess to order more": ask her to (where a clause opens with it, too)
    (re.compile(r"(?:^|(?<=[,.;]\s))get\s+(?P<who>[A-Za-z][\w'’-]*)\s+to\s+(?=[a-z])", re.I),
     r"ask \g<who> to "),
    # "loop in Maria on the Henderson thread and ask her …": written to Maria
    (re.compile(r"^loop\s+in\s+(?P<who>[A-Za-z][\w'’-]*)\s+(?:on|to)\s+(?P<x>[^,.;]+?)"
                r"(?:\s+and\s+|\s*[,.;]\s*)(?=\w)", re.I),
     r"write to \g<who>: I'm looping you in on \g<x>; "),
    (re.compile(r"^call\s+off\s+", re.I), "cancel "),
    # "get the Henry Hub strip from Chen pls": ask Chen for it
    (re.compile(r"^(?i:get|grab|pull)\s+(?P<x>(?:the|a|an|his|her|their|our|my)\s+[^,.;]{1,50}?)\s+(?i:from)\s+"
                r"(?P<who>[A-Z][\w'’-]+)\b"), r"ask \g<who> for \g<x>"),
    # "delegate the audit request to Kim", "have Tomasz look at …"
    (re.compile(r"^(?i:delegate|hand\s+off|pass)\s+(?P<x>[^,.;]{1,50}?)\s+(?i:to)\s+(?P<who>[A-Z][\w'’-]+)\b"),
     r"ask \g<who> to take on \g<x>"),
    (re.compile(r"^(?i:have|get)\s+(?P<who>[A-Z][\w'’-]+)\s+(?=(?:look|check|send|call|review|sign|fix|update|"
                r"book|sort|chase|draft|prepare|confirm)\b)"), r"ask \g<who> to "),
    # "fwd rate sheet to lisa, say prices firm till fri": forwarded, and what to say
    (re.compile(r"^(?i:(?:please|pls|can\s+(?:you|u))\s+)?(?i:fwd|forward)\s+(?P<x>[^,.;:]{1,50}?)\s+(?i:to)\s+(?P<who>[A-Za-z][\w'’-]+)"
                r"(?:\s*,?\s*(?:and\s+)?(?i:say|tell\s+(?:him|her|them))\s+(?:that\s+)?|\s*[:—–-]\s*"
                r"|\s*,?\s*(?:and\s+)?(?=(?i:ask)\s+(?:him|her|them)\b))(?=\w)"),
     lambda m: f"write to {m.group('who').capitalize()}: I'm forwarding {_the(m.group('x'))}. "),
    # "fyi to raj: q3 numbers slipping"
    (re.compile(r"^(?i:fyi)\s+(?i:to|for)\s+(?P<who>[A-Za-z][\w'’-]+)\s*[:,—–-]\s*(?=\w)"),
     lambda m: f"write to {m.group('who').capitalize()}: "),
    # "Can you check if Naomi is still good to present": ask her
    (re.compile(r"^(?i:check|find\s+out|see)\s+(?:if|whether)\s+(?P<who>[A-Z][a-z'’-]+)\s+"
                r"(?=(?:is|was|has|can|will|could|would|still)\b)"),
     r"ask \g<who> whether \g<who> "),
    # "quick yes to Bianca, works for me": yes, and what goes with it
    (re.compile(r"^(?:an?\s+)?(?:(?:quick|polite|short)\s+)?(?:reply\s+|say\s+)?(?P<a>yes|no)\s+to\s+"
                r"(?P<who>[A-Z][\w'’-]+)\s*[,:—–-]\s*(?=\w)", re.I), r"write to \g<who>: \g<a>, "),
    # "Be blunt with Kowalski: …": the tone is the writer's, the rest is to Kowalski
    (re.compile(rf"^(?:be|sound|keep\s+it)\s+(?:\w+\s+)?{_TONE}\s+with\s+(?P<who>[A-Z][\w'’-]+)\s*[:,—–-]\s*",
                re.I), r"write to \g<who>: "),
    # "For Gloria: the revised org chart …"
    (re.compile(r"^(?i:for)\s+(?P<who>[A-Z][\w'’-]+)\s*[:—–]\s*(?=\w)"), r"write to \g<who>: "),
    # "rachel: site visit is off", "hey alan, need the gas nom": a first name, typed small
    (re.compile(r"^(?:(?i:hey|hi|hiya|yo)\s+)?(?P<who>[a-z][a-z'’-]{2,14})\s*(?:[:,]|\s[-—–])\s+(?=\w)"), _small_lead),
    # "chase it with niamh": follow up with them on it
    (re.compile(r"(?:^|(?<=\s))(?:chase|follow\s+up\s+on)\s+(?:it|this|that)\s+with\s+(?P<who>[A-Za-z][a-z'’-]+)\b",
                re.I), r"follow up with \g<who> on it"),
    # "marcus needs to know the deck is due … email him": whom the request opens on
    (re.compile(r"^(?P<who>[a-z][a-z'’-]{2,14})\s+(?=(?:needs|wants|has|is|was|should|must|can|will)\b"
                r"[^.]*\b(?:email|tell|text|message|let|remind|ask)\s+(?:him|her)\b)"),
     lambda m: m.group(0) if m.group("who") in NOT_A_NAME | COMMON else f"{m.group('who').capitalize()} "),
    # "tell the client angela voss …": what they are, then their name, typed small
    # ("tell landlord boiler broke", "tell the client invoice 2291 is late" name no one)
    (re.compile(r"\b(?P<verb>tell|ask|email|remind|thank|message)\s+(?:the|my|our)\s+(?:client|customer|contact|"
                r"recruiter|supplier|agent)\s+(?P<who>[a-z][a-z'’-]{1,14})(?P<sur>\s+[a-z][a-z'’-]{2,14})?"
                r"(?=\s)(?!\s+(?:is|are|was|were|has|have|had|will|won['’]t|can|can['’]t|needs|isn['’]t|doesn['’]t|"
                r"broke|broken|\d))"),
     lambda m: m.group(0) if m.group("who") in NOT_A_NAME | COMMON else
     f"{m.group('verb')} {m.group('who').capitalize()}" + (m.group('sur').title() if m.group('sur') and m.group('sur').strip() not in COMMON else (m.group('sur') or ""))),
    (re.compile(r"^(?:text|ping|message|drop)\s+(?=[A-Z])"), "email "),
    # "happy bday msg to uncle femi", "birthday wishes to Ana"
    (re.compile(r"^(?:a\s+)?(?:happy\s+)?(?:bday|b-day|birthday)\s+(?:msg|message|note|email|wishes|card)\s+(?:to|for)\s+"
                r"(?P<who>.+?)\s*(?P<rest>[^\w\s].*)?$", re.I),
     lambda m: f"wish {_birthday_who(m.group('who'))} a happy "
               f"birthday{(' ' if m.group('rest')[:1] not in ',;:.!' else '') + m.group('rest') if m.group('rest') else ''}"),
    # "extension request to prof. lindqvist for my essay"
    (re.compile(r"^(?:an?\s+)?extension\s+request\s+(?:to|for)\s+(?P<who>.+?)\s+(?:for|on)\s+(?P<x>.+)$", re.I),
     r"ask \g<who> for an extension on \g<x>"),
    # "pls draft sick note to boss, migraine": off sick, and why
    (re.compile(r"^(?:draft\s+|write\s+)?(?:a\s+)?sick\s+(?:note|email|message)\s+(?:to|for)\s+(?:my\s+|the\s+)?"
                r"(?P<who>[\w'’ -]{1,30}?)\s*(?:[,:—–-]\s*(?P<why>.+))?$", re.I),
     lambda m: f"write to my {m.group('who')}: I'm off sick{' — ' + m.group('why') if m.group('why') else ''}."),
    # "write to the landlord the washing machine is leaking", "email mrs patel my son will be
    # late": whom to, then what to say, typed with nothing between
    (re.compile(r"^(?:write|email|e-mail|msg|message|text)\s+(?:to\s+)?(?P<who>(?:the\s+|my\s+)?(?:estate\s+agent|"
                r"letting\s+agent|landlord|landlady|plumber|builder|electrician|school\s+office|school|nursery|"
                r"vet|dentist|gp|surgery|council|agent|accountant|cleaner|childminder|caretaker|"
                r"(?:mrs|mr|ms|miss|dr|prof)\.?\s+(?!and\b)(?-i:[a-z][a-z'’-]+|[A-Z][a-z'’-]+)(?<!['’]s)))\s+"
                r"(?!(?:re|about|regarding|that|to|and|asking|saying|for|on|at|in|from|with|of|pls|please|"
                r"office|department|surgery|tax|planning|agent|team|desk|reception|practice)\b)(?=(?-i:[a-z0-9]))", re.I),
     r"write to \g<who>: "),
    # "write to bev cant come to training wed", "email Freddie sorry about the window"
    (re.compile(r"^(?:write\s+to|email|msg|message|text)\s+(?P<who>(?-i:[a-z]{2,12}|[A-Z][a-z]{1,12}))\s+"
                r"(?=(?:cant|can't|can’t|wont|won't|isnt|isn't|im|i'm|running|sorry|thanks|thx)\b)", re.I),
     lambda m: f"write to {m.group('who')}: " + ("I'm " if m.string[m.end():].lower().startswith("sorry") else "")),
    # "email ingrid confirm dinner sat", "write to the gym cancel my membership": whom to, then
    # the act with no word between
    (re.compile(r"^(?:write\s+to|email|msg|message)\s+(?P<who>(?:the\s+)?(?-i:[a-z]{2,14}|[A-Z][\w'’-]{1,14}))\s+"
                r"(?=(?:cancel|confirm|ask|remind|book|check|chase|request|order|postpone|reschedule|"
                r"move|decline|accept)\s+(?!(?:to|of|for|and|is|was)\b)\w)", re.I),
     lambda m: f"write to {m.group('who')[:1].upper() + m.group('who')[1:] if m.group('who')[:4] != 'the ' else m.group('who')}: "),
    # "… The organiser is Ines. Write to say I'm stepping back": what to say
    (re.compile(r"(?<=[.!?]\s)(?i:write|email|message)\s+(?:(?i:him|her|them)\s+)?(?i:to\s+say)\s+(?:(?i:that)\s+)?"),
     ""),
    # "To Henrietta re: the plot transfer: …", "email for dimitri — cant make thurs", "draft
    # for olamide at the gym — cancelling": whom to, first
    (re.compile(r"^(?:(?i:to|for)\s+(?P<who>[A-Z][\w'’-]+)(?=\s+(?i:re|about|regarding)\b)"
                r"|(?i:an?\s+)?(?i:email|e-mail|draft|note|msg|message)\s+(?i:for|to)\s+"
                r"(?!(?i:this|that|it|them|him|her|us|me|the|my|our|all|everyone|everybody|below|customer|client|"
                r"team|staff|hr)\b)(?P<low>[A-Za-z][\w'’-]+)"
                r"(?:\s+(?i:at|from|in)\s+(?:(?i:the)\s+)?[\w'’-]+)?\s*[—–:]\s*)"),
     lambda m: f"write to {m.group('who') or m.group('low')[:1].upper() + m.group('low')[1:]}: "),
    # "I owe Benedikt an apology for snapping at him": the apology, to them
    (re.compile(r"^(?:I\s+)?owe\s+(?P<who>[A-Z][\w'’-]+)\s+an?\s+apology\s+(?=for\b)"), r"apologise to \g<who> "),
    (re.compile(r"^(?:I\s+)?owe\s+(?P<who>[A-Z][\w'’-]+)\s+an?\s+(?:email|reply|answer|update)\b\s*(?:about|on|re)?\s*"),
     r"write to \g<who>: "),
    # "Volunteer thank-you to Yusra, who ran …"
    (re.compile(r"^(?:(?:a|our|my)\s+)?(?:[A-Za-z]+\s+)?thank[\s-]you(?:\s+(?:note|email|message))?\s+to\s+(?=[A-Z])"),
     "thank "),
    # "need Rashid to resend the invoice": ask them to
    (re.compile(r"^(?:I\s+)?(?:need|want)\s+(?P<who>[A-Z][a-z'’-]+)\s+to\s+(?=[a-z]+\b)"),
     r"ask \g<who> to "),
    # "quick one to siobhan - running late", "write a quick one to Fionnuala to say …"
    (re.compile(r"^(?:(?:write|send|draft|do|drop)\s+)?(?:an?\s+)?(?:quick|short|brief)\s+(?:one|line|note|msg|message)\s+"
                r"(?:to|2)\s+(?P<who>(?-i:[a-z]{2,14}|[A-Z][\w'’-]{1,14}))(?:\s*[:,—–-]\s*|\s+(?:to\s+)?(?:say|saying)\s+"
                r"(?:that\s+)?)(?=\w)", re.I),
     lambda m: f"write to {m.group('who')[:1].upper() + m.group('who')[1:]}: "),
    # "pls write somthing to the parents group re bake sale"
    (re.compile(r"^(?:write|send|draft)\s+(?:some\s?thing|somthing|smth|sth)\s+(?:nice\s+|short\s+)?to\s+", re.I),
     "write to "),
    # "complain to amazon my parcel never came": the complaint
    (re.compile(r"^complain\s+to\s+(?!the\b)(?P<who>[\w&'’.-]+)\s+(?!about\b)(?P<next>\w+)", re.I),
     lambda m: "say I'm writing to complain: " + ("" if m.group("next").lower() in (
         "my", "the", "our", "i", "we", "order", "your", "their") else m.group("who") + " ") + m.group("next")),
    # "thank u to ben", "thx note to mrs okafor for the cake"
    (re.compile(r"^(?:(?:a\s+)?(?:quick|short|little|big|huge|massive)\s+)?(?:thx|thanks|thank\s*(?:u|you))\s+"
                r"(?:(?:note|msg|message|email|e-mail|card)\s+)?to\s+", re.I),
     "thank "),
    # "send kev the wifi password its Blue77tiger": to them, what it is
    (re.compile(r"^send\s+(?P<who>[A-Za-z][a-z'’-]+)\s+(?:the|our|my)\s+(?P<x>[\w -]{1,30}?)\s*"
                r",?\s*(?:its|it['’]s|it\s+is|=)\s+(?P<y>\S.*)$", re.I),
     lambda m: f"write to {m.group('who')}: the {m.group('x')} is {m.group('y')}"),
    # "need the q3 deck from siobhan asap": ask them for it
    (re.compile(r"^(?:i\s+)?need\s+(?P<x>(?:the|a|an|my|our|his|her)\s+[^,.;]{1,40}?)\s+from\s+"
                r"(?!(?:finance|hr|legal|it|ops|sales|marketing|accounts|payroll|procurement|admin|"
                r"support|reception|the|a|an|my|our|you|them)\b)(?P<who>(?-i:[a-z])[a-z'’-]+)\b", re.I),
     r"ask \g<who> for \g<x>"),
    # "write nikhil that i got the parcel"
    (re.compile(r"^write\s+(?!(?:to|a|an|the|something|this|that|it|up|back|me)\b)(?P<who>[a-z][a-z'’-]+)\s+"
                r"(?=that\b|saying\b|to\s+say\b)", re.I), r"write to \g<who> "),
]


def plain_request(instruction: str, everyday: Collection[str] = frozenset()) -> str:
    """The request in plain words: shorthand spelt out, chatter and how-to-write notes
    dropped, other verbs for an act turned to the ones ``trainer.literal`` reads, and
    the person written to capitalised ("tell sophie …"). ``everyday``: the user's
    everyday words (``trainer.facts.everyday_words``), never taken for a name."""
    instruction = asked_framing(asked_subject(instruction)[0])[0]
    lines = []
    for line in instruction.splitlines():
        line = _COUSIN.sub(r"\1 cousin", line)
        line = _SHORT_WORD.sub(lambda m: _spelt(m.group(0)), line)
        line = _ILL.sub("I'll ", line)
        for pattern, replacement in _WITH_AT:
            line = pattern.sub(replacement, line)
        line = re.sub(r"\bi\b(?=\s|['’])", "I", line)
        # "loop him in on the roadmap": update him on it
        line = re.sub(r"(?i)\bloop\s+(him|her|them|[A-Z][\w'’-]+)\s+in\s+on\b", r"update \1 on", line)
        # "intimating that I will be on leave": informing (Indian English)
        line = re.sub(r"(?i)\bintimat(e|ing)\b", lambda m: "inform" + m.group(1)[1:].replace("ng", "ing")
                      if m.group(1).lower() == "ing" else "inform", line)
        lines.append(line)
    text = _untyped_verb(_HELP_ME.sub("", "\n".join(lines).strip()))
    told_to = _TO_THEM.search(text)  # "… To Wiremu. Ask if he …": who it is to, as a sentence
    if told_to:
        text = f"write to {told_to.group('who')}: " + (text[:told_to.start()] + " " + text[told_to.end():]).strip()
    text = _ROLE_IN_BRACKETS.sub(r"\g<verb>\g<name>", _ROLE_THEN_NAME.sub(_named_after_role, text, count=1),
                                 count=1)
    text = _to_the_writer(retold(_CHATTER.sub("", text)))
    text = _OBLIGED.sub("", text)
    text = _BARE_ROLE.sub(lambda m: f"{m.group('verb')} the {m.group('role')}", text, count=1)
    text = _BOTH.sub(lambda m: f"{m.group('verb')} {m.group('a').capitalize()} and "
                               f"{m.group('b').capitalize()}", text, count=1)
    # "let book club know …": the club, not someone called Book
    text = re.sub(r"\b(let|tell|email|remind|thank|invite|message)\s+(?!(?:the|my|our|all)\b)"
                  r"([a-z]+\s+(?:club|team|group|committee|society|association|crew|choir|class))\b",
                  r"\1 the \2", text, count=1)
    text = _two_introduced(text)
    two = _TWO.match(text)
    if two and not {two.group("a"), two.group("b")} & (NOT_A_NAME | COMMON | set(everyday)):
        text = f"{two.group('verb')} {two.group('a').capitalize()} and {two.group('b').capitalize()} " \
            + text[two.end():]
    for pattern, replacement in _SAME_ACT:
        text = pattern.sub(replacement, text, count=1)
    for pattern in _HOW_TO_WRITE:
        text = pattern.sub("", text)
    text = _TONE_BEFORE.sub(lambda m: "an " if re.match(r"[aeiou]", text[m.end():], re.I)
                            else "a ", text)
    text = _TO_PERSON.sub(lambda m: _named(m, everyday), text)
    text = ASIDE_AFTER_NAME.sub(r"\1\2", text)
    text = as_addressed(text.strip(" ,;"))
    return text.strip(" ,;") or instruction.strip()


# The verbs a request opens with whose letters, swapped in typing, are no other word.
_TYPED_VERBS = set(REQUEST_VERBS.split("|")) - {"ask", "let", "say", "get"} | {
    "follow", "email", "write", "introduce", "forward", "chase", "nudge", "remind"}


def _untyped_verb(text: str) -> str:
    """The opening verb with two letters swapped in typing put right: "follwo up w/ kate",
    "thnak Jo", "rmeind the team"."""
    found = re.match(r"[A-Za-z]+", text)
    if not found or found.group(0).lower() in _TYPED_VERBS:
        return text
    typed = found.group(0).lower()
    for n in range(len(typed) - 1):
        swapped = typed[:n] + typed[n + 1] + typed[n] + typed[n + 2:]
        if swapped in _TYPED_VERBS:
            spelt = swapped.capitalize() if found.group(0)[0].isupper() else swapped
            return spelt + text[found.end():]
    return text


def _spelt(word: str) -> str:
    if len(word) > 1 and word.isupper():
        return word  # "IM", "BC", "UR": an acronym, not shorthand
    plain = _SHORTHAND[word.lower()]
    return plain[:1].upper() + plain[1:] if word[:1].isupper() and plain[:1].islower() else plain


# Short words ending as adverbs and participles do that are not names ("Kelly", "Ahmed",
# "Emily" are; "politely", "attached", "interested" are long enough to tell).
_SHORT_ADVERBS = {"kindly", "nicely", "firmly", "warmly", "gently", "early", "only", "simply",
                  "fully", "daily", "really", "briefly", "quickly", "calmly", "boldly", "asked",
                  "used", "named", "based", "fixed", "moved", "added", "signed", "booked",
                  "sorted", "shared", "closed", "opened", "agreed", "missed", "need", "sent"}


def _adverb_or_participle(word: str) -> bool:
    return word in _SHORT_ADVERBS or word.endswith(("ed", "ly")) and len(word) >= 7


def _named(match: re.Match, everyday: Collection[str]) -> str:
    name = match.group("name")
    lowered = re.split(r"['’]", name.lower())[0]  # "who's", "who'll": who
    following = match.string[match.end():].split(maxsplit=1)
    if lowered in _FAMILY:
        return f"{match.group('verb')} {name.capitalize()}"  # "sorry to mum": greeted "Mum"
    if lowered in NOT_A_NAME or lowered in COMMON or lowered in everyday \
            or _PLURAL.search(lowered) or lowered.endswith("ing") or _adverb_or_participle(lowered) \
            or following and re.fullmatch(r"[a-z]+s", following[0]) \
            and following[0] not in COMMON:  # "market traders", not "bill his dog"
        return match.group(0)
    return f"{match.group('verb')} {name[:1].upper()}{name[1:]}"
