"""The request itself, written as an email: "tell Stan the board approved the glazing quote;
ask when he can start" → "The board approved the glazing quote. When can you start?".

No model: the imperative of each clause becomes what the writer says to the person, with
the person's pronouns turned to "you". It says exactly what was asked and nothing else, so
drafting falls back on it when every draft the model wrote fails the checks (a small model
often talks about the request instead of writing the email). English requests only;
``None`` when a clause is not one it knows how to say.
"""

from __future__ import annotations

import re

from trainer.clauses import INTRODUCES, clauses
from trainer.facts import DATE, TIME
from trainer.phrasing import NO_PHRASEBOOK, Phrasebook
from trainer.pronouns import (
    AGREE,
    about_the_introduced,
    owner_named,
    reader_pronoun,
    to_you,
    whose_pronouns,
)
from trainer.titles import HONORIFIC, PARTICLES
from trainer.typed import NOT_A_NAME, REQUEST_VERBS, group_lead, named_lead, plain_request

# Who the clause is addressed to: a name or two ("Stan", "Dr. Carr", "Sam and Priya"),
# a group, or a pronoun.
_PERSON = (r"(?:Mr\.?\s*(?:&|and)\s*Mrs\.?\s+|(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?[A-Z][\w'’-]+"
           # a surname, not "I'm" or a possessive: "tell Mery I'm out", "tell Hat Mum's …"
           # (with a particle: "Anouk van Dijk", "Luis de la Fuente")
           rf"(?:\s+{PARTICLES}(?!I\b|I['’])[A-Z][\w-]*(?:['’](?![sS]\b)[\w]+)?(?![\w'’]))?"
           r"(?:\s*(?:,|and|&)\s*[A-Z][\w'’-]+)*")
_PERSON_ONE = r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
# "the committee", "volunteers", "market traders", "everyone", or a pronoun.
_PLURAL_NOUN = r"(?!(?:this|his|its|us|yes|whether|was|has|does|is|as)\b)[a-z]+s"
# People, by what they are: "all staff", "the U10 parents", "the board members".
_PEOPLE = (r"(?:parent|member|volunteer|tenant|resident|neighbou?r|player|coache|student|kid|"
           r"famil(?:y|ie)|employee|colleague|manager|trustee|director|guest|attendee|"
           r"participant|customer|client|subscriber|owner|lead|rep|engineer|developer|teacher|"
           r"nurse|driver|friend|helper|trader|stallholder|runner|rider|singer|governor|"
           r"councillor|landlord|leaseholder)s|staff|team|group|committee|class|crew|board|club|"
           r"choir|society|squad|circle|lot|gang|bunch|"
           r"department|office|household")
_GROUP = (rf"(?:(?:the|all(?:\s+the|\s+our)?|our|my)\s+(?:[\w-]+\s+){{0,2}}(?:{_PEOPLE})(?=[\s:,;.—–]|$)"
          r"|everyone\s+(?:on|in|at)\s+the\s+[\w ]{1,30}?(?=\s+know\b)|"
          rf"the\s+(?:whole|entire)\s+(?:[a-z]+\s+)?[a-z]+|the\s+[a-z]+s['’]\s+[a-z]+|the\s+new\s+[a-z]+|the\s+[a-z]+|everyone|everybody|all|him|her|them|(?:my|our)\s+[a-z-]+(?:\s+[A-Z][a-z]+)?|"
          r"mum|mom|dad|mother|father|gran|grandma|grandpa|nana|auntie|people|folks|"
          r"accounts\s+(?:payable|receivable)|customer\s+(?:services?|care|support)|"
          rf"(?:[a-z]+\s+)?{_PLURAL_NOUN}(?=\s))")
# Where a group or desk is: "the residents of Block C", "customer services at the airline".
_AT_PLACE = (r"(?:\s+(?:of|in|at|from)\s+(?:(?:the|my|our)\s+)?(?:[A-Z][\w&'’.-]*|[a-z]+)"
             r"(?:\s+[A-Z0-9][\w&'’.-]*)*(?=[\s:,;.—–]|$))?")
_WHO = rf"(?P<who>{_PERSON}|(?:{_GROUP}){_AT_PLACE})"
# Who they are, between commas: "thank Ana, our treasurer, for …" (said in the address).
_APPOSED = r"(?:,\s+(?:our|my|the|his|her|their)\s+[^,;:]{1,30},)?"
# Where the people told are: "remind tenants in building B that …" (up to the "that").
_WHERE = r"(?:\s+(?:in|at|on|from)\s+[\w'’ -]{1,30}?(?=\s+that\s))?"
_SENT = ("report|file|figures|numbers|document|invoice|quote|estimate|details|copy|photo|"
         "list|form|link|address|minutes|notes|slides|draft|spreadsheet|receipt|table|rota|"
         "agenda|plan|contract|cv|statement|accounts|budget|receipts|pictures|email|letter|recipe|"
         "photos|timesheet|timesheets|schedule|menu|results|forms|lease|agreement|paperwork|documents|"
         "proof|sheet|deck|plans|quote")
_QUESTION = (r"(?P<wh>how much|how many|how long|when|what|where|who|whom|how|which|why)"
             r"(?P<contracted>'s|'ll|'d|'re|’s|’ll)?")

_AUX = {"can", "could", "will", "would", "should", "shall", "may", "might", "must", "is",
        "are", "was", "were", "has", "have", "had", "do", "does", "did"}


# "could we meet Friday instead" is a question however the request ends it.
_ASKS = re.compile(r"^(?:could|can|would|will|shall|should|do|does|did|is|are|am|was|were|"
                   r"have|has|may|might)\s+(?:we|you|i|they|it|there|someone|anyone)\b", re.I)


# Typed in a hurry ("lunch thursday", "i'll be late"), written as in an email. Not "may"
# or "march", which are also everyday words.
_PROPER_WORDS = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|april|"
    r"june|july|august|september|october|november|december|mon|tues|thurs|thu|fri)\b"
    r"(?![@.]\w)|\bi\b(?!\.\w)"
    # "sat", "wed" and "sun" are words too: days only after "by", "on", "or" …
    r"|\b(?P<pre>by|on|or|and|until|till|before|after|from|next|this|every)\s(?P<day>sat|wed|sun)\b"
    # … or before a time of day: "sat morning", "wed 10am"
    r"|\b(?P<timed>sat|wed|sun)(?=\s+(?:morning|afternoon|evening|night|\d{1,2}(?::\d\d)?\s?(?:am|pm)))")


def _proper(match: re.Match) -> str:
    if match.group("day"):
        return f"{match.group('pre')} {match.group('day').capitalize()}"
    if match.group("timed"):
        return match.group("timed").capitalize()
    word = match.group(0)
    return word.capitalize() if len(word) > 1 else "I"


def _sentence(text: str, end: str = ".") -> str:
    text = text.strip().rstrip(",;:")
    if not text:
        return ""
    text = _PROPER_WORDS.sub(_proper, text)
    text = text[0].upper() + text[1:]
    if end == "." and _ASKS.match(text):
        end = "?"
    text = re.sub(r"([?!]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    return text if text[-1] in ".!?" else text + end


def _question(wh: str, rest: str) -> str:
    """ "when you can start" → "When can you start?"; without an auxiliary to invert, the
    question is asked politely: "Could you let me know when the panes arrive?"."""
    words = rest.split()
    if len(words) >= 2 and words[0].lower() == "you" and words[1].lower() in _AUX:
        return _sentence(f"{wh} {words[1]} you {' '.join(words[2:])}", "?")
    return _sentence(f"could you let me know {wh} {rest}", "?")


_RULES: list[tuple[str, str]] = [
    (rf"wish\s+{_WHO}\s+(?:a\s+)?(?P<x>happy\s+.+)", "wishing you a {x}!"),
    (rf"wish\s+{_WHO}\s+(?P<x>.+)", "wishing you {x}!"),
    # "mention how much the family appreciated him reading …", "tell her how grateful we are"
    (r"(?:say|mention|(?:tell|let)\s+[\w'’.-]+(?:\s+[A-Z][\w'’-]+)?(?:\s+know)?)\s+how\s+(?P<x>(?:much\s+(?=.*\b(?:appreciat|"
     r"mean|meant|enjoy|lov|valu|miss|help|thank))|(?:grateful|sorry|happy|proud|pleased|glad|"
     r"gutted|thankful|excited|sad|delighted|touched|moved)\b).+)", "I wanted to say how {x}."),
    # "…. write to Siobhan: I'd like to swap …", said after what led to it
    (rf"(?:write|reply)\s+to\s+{_WHO}\s*:\s*(?P<x>.+)", "{x}."),
    (rf"urge\s+{_WHO}\s+to\s+(?P<x>.+)", "please {x}."),
    (r"offer\s+to\s+(?P<x>.+)", "I'd be happy to {x}."),
    # "offer thu or fri", "offer 8% off", "offer a refund" — not "offer letter", a thing
    (r"offer\s+(?P<x>(?:(?:a|an|some|my|our|the|more|extra|to)\s.+|\w+s\b.*|[£$€]?\d.*|"
     r"(?:mon|tue|wed|thu|fri|sat|sun)\w*\b.*))", "I'd be happy to offer {x}."),
    # "copy Steve", "cc Ruth in": said, since the email's own copy list is the user's to set.
    (r"(?:copy|cc)\s+(?:in\s+)?(?P<x>(?:his|her|their|my|our|the)\s+[a-z]+\s+[A-Z][\w'’-]+)",
     "I'm copying in {x}."),
    (rf"(?:copy|cc)\s+(?:in\s+)?(?P<x>{_PERSON}(?:\s+(?:from|in|at)\s+[\w&' ]{{1,20}})?)(?:\s+in)?",
     "I'm copying in {x}."),
    # "…, send him: available 8-10 May, not the 11th": what to send is the email
    (r"send\s+(?:him|her|them)\s*:\s*(?P<x>.+)", "{x}."),
    (r"(?:copy|cc|loop)\s+(?:in\s+)?(?P<x>(?:my|our|the)\s+[a-z]+(?:\s+[a-z]+)?)(?:\s+in)?",
     "I'm copying in {x}."),
    (r"apply\s+for\s+(?P<x>.+)", "I'd like to apply for {x}."),
    (r"ask\s+to\s+(?P<x>.+)", "could we {x}?"),
    (r"credit\s+(?P<x>.+)", "credit to {x}."),
    (r"order\s+(?![#\d]|number\b|no\.?\s|[A-Z]{1,4}-?\d)(?P<x>.+)", "I'd like to order {x}."),
    (r"agree\s+to\s+(?P<x>.+)", "I'm happy to agree to {x}."),
    (r"agree\s+(?:that\s+)?(?P<x>.+)", "I agree that {x}."),
    (r"promise\s+(?:that\s+)?(?P<x>.+)", "{x}."),
    # "just say no to Phil", "say sorry to Hugo": to them, the answer alone
    (rf"(?:just\s+)?say\s+yes\s+to\s+{_PERSON}", "yes."),
    (rf"(?:just\s+)?say\s+no\s+to\s+{_PERSON}", "I'm afraid it's a no."),
    (rf"(?:just\s+)?say\s+sorry\s+to\s+{_PERSON}", "I'm sorry."),
    (r"say\s+yes\s+to\s+(?P<x>.+)", "yes to {x}."),
    # "say no to Karen about joining the bake sale committee": no to the thing, to her
    (rf"(?:just\s+)?say\s+no\s+to\s+{_PERSON}\s+(?:about|on|re|regarding)\s+(?P<x>.+)",
     "I'm afraid I'll have to say no to {x}."),
    (r"say\s+no\s+to\s+(?P<x>.+)", "I'm afraid it's a no to {x}."),
    # "ask for it to be fixed within 14 days"
    (r"ask\s+for\s+(?P<x>(?:it|them|this|that|the\s+[\w' -]{1,30}?))\s+to\s+be\s+(?P<y>.+)",
     "could {x} be {y}?"),
    (r"ask\s+for\s+(?P<x>.+)", "could we have {x}?"),
    (rf"(?:tell|ask)\s+{_WHO}\s+not\s+to\s+(?P<x>.+)", "please don't {x}."),
    (rf"(?:tell|ask|get)\s+(?:{_WHO}{_APPOSED}|the\s+[a-z]+\s+[a-z]+)\s+to\s+(?P<x>.+)",
     "could you {x}?"),
    (rf"(?:ask|check with)\s+(?:{_WHO}\s+)?(?:whether|if)\s+(?P<x>.+)",
     "could you let me know whether {x}?"),
    (rf"(?:ask|check with)\s+(?:{_WHO}\s+)?{_QUESTION}\s*(?P<x>.+)", "{question}"),
    # Things sent ("ask Tom for the Q3 report"); otherwise a favour or a visit ("ask
    # Bernard for his annual frost check"), which no one sends.
    (rf"ask\s+{_WHO}\s+for\s+(?P<x>(?:[\w'’-]+\s+){{0,4}}?(?:{_SENT})s?\b.*)",
     "could you send me {x}?"),
    (rf"ask\s+{_WHO}\s+for\s+(?P<x>.+)", "could I have {x}?"),
    # "does Carmen still want the slot? ask her, if not …": the question is already said
    (r"ask\s+(?:him|her|them)\s*,\s*(?P<x>.+)", "{x}."),
    (rf"ask\s+(?:{_WHO}\s+)?about\s+(?P<x>.+)", "could you let me know about {x}?"),
    (rf"ask\s+(?:{_WHO}\s+)?(?P<x>.+)", "could you let me know {x}?"),
    (rf"(?:tell|inform|let)\s+{_WHO}(?:\s+know)?", ""),
    (rf"(?:tell|inform|let)\s+{_WHO}{_APPOSED}{_WHERE}\s+(?:know\s+)?(?:that\s+)?(?P<x>.+)",
     "{x}."),
    (rf"(?:apologi[sz]e|say sorry)(?:\s+to\s+{_WHO})?\s+(?:for|about)\s+(?P<x>.+)",
     "I'm sorry for {x}."),
    # "…; reply soon": the reader is to reply.
    (r"reply\s+(?P<x>soon|asap|quickly|promptly|as\s+soon\s+as\s+(?:possible|you\s+can)"
     r"|by\s+.+|before\s+.+)", "please reply {x}."),
    # "write her an email explaining this": nothing more to say
    (r"explain\s+(?:this|that|it|why)\.?", ""),
    (r"(?:reply\s+)?(?:declining|saying\s+no)\.?", "I'm afraid I have to decline."),
    (rf"(?:say|reply|answer|mention|explain)(?:\s+to\s+{_WHO})?\s+(?:that\s+|saying\s+)?"
     rf"(?P<x>.+)", "{x}."),
    (rf"remind\s+{_WHO}\s+to\s+(?P<x>.+)", "just a reminder to {x}."),
    (rf"remind\s+{_WHO}\s*:\s*(?P<x>.+)", "just a reminder: {x}."),
    (rf"remind\s+{_WHO}\s+(?:about|of)\s+(?P<x>.+)", "just a reminder about {x}."),
    (rf"remind\s+{_WHO}{_WHERE}\s+(?:that\s+)?(?P<x>.+)", "just a reminder that {x}."),
    (rf"thank\s+{_WHO}{_APPOSED}\s+(?:\w+ly\s+)?for\s+(?P<x>.+)", "thank you for {x}."),
    (r"thank\s+(?:(?:all\s+)?(?:the\s+|our\s+|my\s+)?(?:[\w-]+\s+){0,2}[a-z]+s|everyone|everybody)"
     r"\s+who\s+(?P<x>.+)",
     "thank you to everyone who {x}."),
    # "thank everyone in the choir for coming to the fundraiser"
    (r"thank\s+(?:everyone|everybody|all)(?:\s+(?:in|on|at|from)\s+[^,]{1,30}?)?\s+for\s+(?P<x>.+)",
     "thank you all for {x}."),
    (rf"thank\s+{_WHO}\s*$", "thank you."),
    # "thank Yusra, who ran the appeal warehouse": what they did, said to them
    (rf"thank\s+{_WHO}\s*,\s*who\s+(?P<x>.+)", "thank you — you {x}."),
    (rf"thank\s+{_WHO}(?:\s*[:,—–]|\s+-)\s*(?P<x>.+)", "thank you — {x}."),
    (rf"thank\s+{_WHO}\s+(?P<x>(?:after|on|over|again)\b.+)", "thank you, {x}."),
    (rf"announce(?:\s+to\s+{_WHO})?\s+(?:that\s+)?(?P<x>.+)", "{x}."),
    # "decline Mark's invitation", written to Mark: "your invitation".
    (rf"decline\s+{_PERSON}['’]s?\s+(?P<x>.+)", "I'm afraid I have to decline your {x}."),
    # "decline, not looking right now but happy to stay in touch": the no, and why
    (r"decline\s*[,:]\s*(?P<x>.+)", "I'm afraid I'll have to decline — {x}."),
    (r"decline\s+(?P<x>.+)", "I'm afraid I have to decline {x}."),
    (r"decline", "I'm afraid I'll have to decline."),
    (r"reschedule\s+(?P<x>.+)", "I'd like to reschedule {x}."),
    (rf"accept\s+{_PERSON}['’]s?\s+(?P<x>.+)", "I'm happy to accept your {x}."),
    (r"accept\s+(?P<x>.+)", "I'm happy to accept {x}."),
    (r"accept", "I'm happy to accept."),
    (rf"follow\s+up(?:\s+with\s+{_WHO}(?:\s+(?:at|from)\s+\S+)?)?\s+(?:on|about|regarding|re|for)"
     rf"\s+(?P<x>.+)", "just following up on {x}."),
    (rf"follow\s+up(?:\s+with\s+{_WHO}(?:\s+(?:at|from)\s+[A-Z][\w&'’. -]*)?)?", "just following up."),
    # "follow up with Gareth - still waiting on the soil results"
    (rf"follow\s+up(?:\s+with\s+{_WHO})?(?:\s*[:—–]|\s+-)\s*(?P<x>.+)", "just following up: {x}."),
    # "about the budget table, mentioning £14.20, 5%": the topic, then what to mention
    (r"(?:about|regarding|re)\s+(?P<x>.+?),\s+mentioning\s+(?P<y>.+)", "{x}: {y}."),
    # "write to Lucy, mentioning owe deposit, rent roll": the notes with no topic
    (r"mentioning\s+(?P<y>.+)", "{y}."),
    # "…: about pushing my quals to the fall"
    # not "About 80 people are coming": about, as many as
    (r"(?:about|regarding)\s+(?!(?:\d|a\s+(?:dozen|hundred|thousand|week|month|year)\b)[^:]*\b(?:are|is|will|were|was)\b)"
     r"(?P<x>[^:]+)", "I'm writing about {x}."),
    (r"re:?\s+(?P<x>[^:,]+(?:\s[-—–]\s[^:]*)?)", "I'm writing about {x}."),
    # "schedule a call with Phillip to discuss the budget"
    (rf"(?:schedule|set\s+up|arrange|book|organi[sz]e)\s+(?P<x>(?:a|an|some)\s+(?:[\w-]+\s+)?"
     rf"(?:call|meeting|chat|catch-up|catch\s+up|time|slot|visit|session|lunch|coffee)\b)"
     rf"(?:\s+with\s+{_WHO})?(?P<y>.*)", "could we {verb} {x}{y}?"),
    # "introduce myself to Pedro Alvarez, head of procurement at Kestrel Foods": who the
    # reader is goes in the address, not the email.
    (rf"introduce\s+(?P<x>myself|ourselves)(?:\s+to\s+(?:{_WHO}|(?:the|our|my)\s+[\w\s'’-]+?)"
     rf"(?:\s*,\s*[^,;:]{{1,60}})?)?",
     "I'm writing to introduce {x}."),
    # The person is introduced to the reader; what follows is about them, not the reader.
    (rf"introduce\s+(?P<other>{_PERSON})\s+to\s+{_WHO}(?:\s*[,;:—–-]\s*(?P<x>.+))?",
     "I'd like to introduce you to {other}{about}."),
    # "write to Marco introducing Lena Sato — she's a potter, he runs the co-op": to Marco.
    (rf"introduce\s+(?P<other>{_PERSON_ONE})(?!\s+(?:and|&|to)\s)(?:\s*[,;:—–-]\s*(?P<x>.+))?",
     "I'd like to introduce you to {other}{about}."),
    # "introduce Aisha and Graham, both building tools for pharmacies": written to both.
    (rf"introduce\s+(?P<who>{_PERSON_ONE}\s+(?:and|&)\s+{_PERSON_ONE})"
     rf"(?:\s*[,;:—–-]\s*(?P<x>.+))?", "I'd like to introduce you two{to}{x}."),
    (rf"forward\s+(?P<x>.+?)\s+to\s+{_WHO}", "I'm forwarding {x}."),
    # "I need the forecast from Kim by end of day"
    # "I need the W-9 from Carlos before I can cut his check": the why, said after
    (rf"i\s+need\s+(?P<x>.+?)\s+from\s+{_WHO}(?P<y>\s+(?:(?:before|so|because|until)\s+(?:I|we)\b|to\s+[a-z]+\b).+)",
     "could I have {x}? I need it{y}."),
    (rf"i\s+need\s+(?P<x>.+?)\s+from\s+{_WHO}(?P<y>.*)", "could I have {x}{y}?"),
    # "confirm Wednesday 14th with Stan", "confirm Bernard for Thursday at 9am"
    (rf"confirm\s+(?P<x>.+?)\s+(?:with|to)\s+{_PERSON}", "just to confirm: {x}."),
    (rf"confirm\s+{_PERSON}\s+for\s+(?P<x>.+)", "just to confirm: {x}."),
    (rf"confirm(?:\s+(?:to|with)\s+{_WHO})?\s+(?:that\s+)?(?P<x>.+)", "just to confirm: {x}."),
    (rf"invite\s+{_WHO}\s+(?:to|for)\s+(?P<x>.+)", "I'd like to invite you to {x}."),
    (rf"(?:apologi[sz]e|say sorry)(?:\s+to\s+{_WHO})?\s*$", "I'm sorry."),
    # "sorry note to Mrs O'Brien, kids broke her window": sorry, and what happened
    (rf"(?:apologi[sz]e|say sorry)\s+to\s+{_WHO}[,;:—–]?\s+(?!for\b|about\b)(?P<x>.+)",
     "I'm so sorry — {x}."),
    # "condolences to Wanjiru, her dad passed"
    (rf"(?:send\s+)?(?:my\s+)?(?:condolences|sympathies|sympathy)\s+to\s+{_WHO}[,;:—–]?\s*(?P<x>.+)",
     "I'm so sorry to hear {x}."),
    (rf"congratulate\s+{_WHO}\s+on\s+(?P<x>.+)", "congratulations on {x}!"),
    (rf"congratulate\s+{_WHO}(?:\s+(?:too|as\s+well|again))?\s*!*", "congratulations!"),
    (rf"welcome\s+{_WHO}\s+(?:to|aboard)\s*(?P<x>.*)", "welcome to {x}!"),
    (rf"welcome\s+{_WHO}\s*$", "welcome!"),
    # "welcome her, first day is Monday": welcome, and what follows
    (rf"welcome\s+{_WHO}\s*[,;]\s*(?P<x>.+)", "welcome! {x}."),
    # "welcome new members of our running club": to all of them
    (r"welcome\s+(?P<x>(?:new|all|our|the)\s+[^!?]+?)\.?", "welcome to all {x}!"),
    # "… Is that too close to the deadline? Ask him.": the question is already said
    (r"(?:ask|tell)\s+(?:him|her|them)\.?", ""),
    (r"(?:write|email|reply)\s+(?:to\s+)?(?:him|her|them)(?:\s+please)?\.?", ""),


    (rf"(?:propose|suggest)(?:\s+to\s+{_WHO})?\s+(?:that\s+)?(?P<x>.+)",
     "I'd like to suggest {x}."),
    (rf"update\s+{_WHO}\s+on\s+(?P<x>.+)", "a quick update on {x}."),
    (rf"update\s+{_WHO}\s+that\s+(?P<x>.+)", "{x}."),
    # "requesting leave from 12/12 to 20/12"
    (r"request\s+(?P<x>.+)", "I'd like to request {x}."),
    # "Complain to the airline about lost bag"
    (r"complain(?:\s+to\s+[\w' -]{1,30}?)?\s+about\s+(?P<x>.+)", "I'm writing to complain about {x}."),
    (rf"warn\s+{_WHO}\s+(?:that\s+|about\s+)?(?P<x>.+)", "a word of warning: {x}."),
    (r"cancel\s+(?P<x>.+)", "I'm afraid I need to cancel {x}."),
    # "send Greg Lakeside in his format": the last capitalised word is what is sent, where
    # what follows it could not be ("in his format"); else "send Greg Lakeside the plans".
    (r"send\s+(?P<who>[A-Z][\w'’-]+)\s+(?P<x>[A-Z][\w'’-]+\s+(?:in|with|as|for|by|on)\s.+)",
     "please find attached {x}."),
    # "send Leo the wifi and door code: network …, pw …": what is sent is in the email
    (rf"send\s+{_WHO}\s+(?P<x>(?![^:]*\b(?:{_SENT}|charts?|drafts?|files?)\b)[^:]{{3,60}}):\s+(?P<y>.+)",
     "here's {x}: {y}."),
    (rf"send\s+{_WHO}\s+(?P<x>.+)", "please find attached {x}."),
]
# Other ways of saying each form, as people write them; the user's own habit among them
# is chosen by counting their sent mail (``trainer.phrasing``). The first form is the default.
_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "thank you for {x}.": ("thanks for {x}.", "many thanks for {x}.", "cheers for {x}.",
                           "thanks so much for {x}."),
    "thank you.": ("thanks.", "many thanks.", "cheers."),
    "thank you — {x}.": ("thanks — {x}.", "many thanks — {x}.", "cheers — {x}."),
    "could you {x}?": ("can you {x}?", "would you {x}?", "could you please {x}?",
                       "please could you {x}?"),
    "could you let me know whether {x}?": ("could you let me know if {x}?",
                                           "can you let me know whether {x}?",
                                           "can you let me know if {x}?",
                                           "let me know whether {x}.", "let me know if {x}."),
    "could you let me know {x}?": ("can you let me know {x}?", "let me know {x}."),
    "could you let me know about {x}?": ("can you let me know about {x}?",),
    "could you send me {x}?": ("can you send me {x}?", "could I have {x}?", "can I have {x}?",
                               "please send me {x}."),
    "could I have {x}?": ("can I have {x}?", "could we have {x}?", "can we have {x}?"),
    "could we have {x}?": ("can we have {x}?", "could I have {x}?", "can I have {x}?"),
    "could we {x}?": ("can we {x}?", "shall we {x}?"),
    "just a reminder that {x}.": ("a quick reminder that {x}.", "reminder: {x}.",
                                  "don't forget that {x}.", "just to remind you that {x}."),
    "just a reminder to {x}.": ("a quick reminder to {x}.", "don't forget to {x}.",
                                "please remember to {x}."),
    "just a reminder about {x}.": ("a quick reminder about {x}.", "reminder: {x}."),
    "I'm afraid I have to decline {x}.": ("unfortunately I have to decline {x}.",
                                          "sadly I have to decline {x}.",
                                          "I'm sorry, but I have to decline {x}."),
    "just to confirm: {x}.": ("to confirm: {x}.", "confirming {x}.", "just confirming {x}."),
    "please find attached {x}.": ("I've attached {x}.", "attached: {x}.", "I attach {x}.",
                                  "I'm attaching {x}."),
    "I'd like to invite you to {x}.": ("you're invited to {x}.", "please come to {x}.",
                                       "we'd love you to come to {x}."),
    "I'm sorry for {x}.": ("sorry for {x}.", "apologies for {x}.", "my apologies for {x}.",
                           "I'm sorry about {x}.", "sorry about {x}."),
    "just following up on {x}.": ("following up on {x}.", "a quick follow-up on {x}.",
                                  "I'm following up on {x}."),
    "congratulations on {x}!": ("congrats on {x}!", "well done on {x}!"),
    "I'd like to suggest {x}.": ("I suggest {x}.", "how about {x}?", "may I suggest {x}?"),
    "I'd be happy to {x}.": ("happy to {x}.", "I'm happy to {x}.", "glad to {x}."),
    "I'd be happy to offer {x}.": ("happy to offer {x}.", "I can offer {x}."),
    "I'd like to order {x}.": ("we'd like to order {x}.", "please could we order {x}?",
                               "could we order {x}?"),
    "I'm happy to accept {x}.": ("happy to accept {x}.", "we're happy to accept {x}.",
                                 "I'd be glad to accept {x}."),
    "a quick update on {x}.": ("an update on {x}.", "quick update on {x}."),
    "a word of warning: {x}.": ("heads up: {x}.", "please note: {x}.",
                                "just so you know, {x}."),
    "I'm afraid I need to cancel {x}.": ("unfortunately I need to cancel {x}.",
                                         "sadly I have to cancel {x}.",
                                         "sorry, but I need to cancel {x}."),
}
# Case matters: a name is capitalised ("tell Stan the board…" is Stan, not "Stan the").
_COMPILED = [(re.compile(rf"^(?:please\s+)?{pattern}$"), form) for pattern, form in _RULES]
# "reply to Dev: …", "write to Stan —", "reply to Felix thanking him …": who it is for,
# then what to say.
_ADDRESSED = re.compile(rf"^(?:reply|write|respond|answer|email|message|(?:write|send|draft)"
                        r"\s+(?:an?\s+)?(?:(?:quick|short|brief)\s+)?"
                        r"(?:email|note|message|reply|line|something|a\s+few\s+lines))"
                        r"\s+(?:back\s+)?"
                        rf"(?:to\s+)?{_WHO}"
                        # "email Priya at Seedcamp —", "write to Gabriel and Ines together,
                        # the couple from the open house, saying …"
                        r"(?:\s+(?:at|from)\s+[A-Z][\w&'’.-]*(?:\s+(?:&|and\s+(?=[A-Z]))?\s*[A-Z][\w&'’.-]*)*)?"
                        r"(?:\s+together)?"
                        r"(?:,\s+(?:(?:the|my|our|his|her|their|a|an)\s+|(?P<owner>[A-Z][\w-]*)['’]s\s+)"
                        r"[^,:;—–]{1,40}?(?=\s*(?:[,:—–]|\s-\s)))?"
                        rf"(?:(?:\s*[:,—–]|\s+-)\s*|\s+(?=\w+ing\b)"
                        # "write Greg on Colonial Oaks: …"
                        rf"|\s+(?=(?:about|on|re|regarding)\s)|\s+that\s+)(?P<rest>.+)$")
# "write to all year 9 parents: …": whoever it is to, up to the colon.
_WRITE_TO = re.compile(r"^(?:write|email|message|send\s+(?:an?\s+)?(?:email|note|message))\s+"
                       r"(?:to\s+)?(?P<who>[\w'’ ]{1,60}?|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)\s*:\s*(?P<rest>.+)$")
# "choir email: …", "team update —": a note to a group, named by what it is.
_GROUP_NOTE = re.compile(r"^(?P<who>[a-z][a-z ]{1,25}?)\s+(?:email|note|message|update|"
                         r"announcement)(?:\s*[:—–]|\s+-)\s*(?P<rest>.+)$")
_GERUNDS = {"thanking": "thank", "saying": "say", "asking": "ask", "telling": "tell",
            "promising": "promise", "confirming": "confirm", "declining": "decline",
            "accepting": "accept", "inviting": "invite", "apologising": "apologise",
            "apologizing": "apologize", "reminding": "remind", "agreeing": "agree",
            "suggesting": "suggest", "offering": "offer", "wishing": "wish",
            "introducing": "introduce", "letting": "let", "requesting": "request",
            "explaining": "explain", "warning": "warn", "informing": "inform",
            "welcoming": "welcome", "congratulating": "congratulate", "proposing": "propose",
            "chasing": "follow up on", "announcing": "announce", "updating": "update"}
_VERBS = REQUEST_VERBS


# Someone other than the reader was just named: their pronouns stay theirs. It marks the
# reader's name, which stays the reader's: "\x00Omar".
_SOMEONE_ELSE = "\x00"
# A sentence about someone else by name: "Mae can stay half-term", "Dad's keen to come".
_THIRD_SUBJECT = re.compile(r"^(?:Yes,?\s+|No,?\s+|So\s+)?"
                            r"(?!(?:You|I|We|They|He|She|It|This|That|There|Here)\b)"
                            r"([A-Z][a-z]+)(?:['’]s\s|\s+(?:can|could|"
                            r"will|would|is|was|has|had|wants|needs|says|said|should|may|might|"
                            r"isn['’]t|can['’]t|won['’]t)\b)")


# "Thursday is fine", "March was busy": a day or month as the subject is no one.
_CALENDAR_WORDS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                   "today", "tomorrow", "tonight", "january", "february", "march", "april",
                   "may", "june", "july", "august", "september", "october", "november",
                   "december", "christmas", "easter", "weekend"}
# Things that open a sentence as its subject in requests, which are no one to keep "he"
# and "she" for: "Deadline is 15 Jan", "Payroll closes Thursday".
_THINGS = set("""deadline contract budget payroll marketing legal finance customer client supplier
price rent payment invoice meeting party office delivery order kickoff launch build site
project report quote bill fee fees cost total balance account booking reservation flight train
bus car van parking venue room hall event trip match game practice training class lesson
session course exam test result results school nursery work job role team board committee
policy rota schedule plan agenda list form link code password address phone email letter
parcel package shipment stock weather traffic heating boiler roof fence garden kitchen
bathroom house flat lease deposit keys key insurance claim refund warranty repair engineer
plumber builder doctor dentist appointment surgery hospital pharmacy prescription membership
subs ticket tickets dinner lunch breakfast food drinks cake photos pictures video slides deck
draft document file folder spreadsheet data server system app website update release version
bug ticket pipeline deploy review feedback interview offer salary pay bonus leave holiday
holidays notice reason reasons everything nothing something anything everyone nobody""".split())

# Instructions about how to write, which only a writer can carry out.
# ("keep well clear", "hold the meeting in the barn" are for the readers, and stay.)
_ABOUT_THE_WRITING = {"joke", "stress", "emphasise", "emphasize", "hint", "tease", "grumble",
                      "complain", "insist", "admit", "sound", "be", "express", "praise",
                      "blame", "add", "include", "outline", "describe", "summarise",
                      "summarize", "point", "list", "recap", "explain why"}


# "add $20,000 property tax", "include the VAT": the reader is to add it, where what
# follows is a figure or a thing rather than a part of the email ("add a joke").
_SAID_TO_ADD = re.compile(r"(?:[£$€]?\d|(?!(?:a|an|some|the|that|how|why|what|your|my)\b)"
                          r"(?:[a-z]+\s+)?(?:tax|vat|fee|fees|cost|costs|charge|charges|"
                          r"interest|margin|rate|line|item|items)\b)", re.I)


def literal_sentences(instruction: str, phrasebook: Phrasebook = NO_PHRASEBOOK,
                      reader: str = "") -> list[str] | None:
    """What the writer says, one sentence per clause of the request, each in the form the
    user writes most (``phrasebook``); None when a clause reads as an instruction it
    cannot say."""
    said: list[str] = []
    who_before = ""
    head, notes = _notes(plain_request(instruction, phrasebook.everyday))
    if notes:
        # "write to Priya about the budget table:\n- £13.50\n- Friday": the lead said,
        # the notes kept as the list they are.
        # "reply to Mary:\n- carpet shampooer\n- Friday": the lead only says who it is for
        opening = literal_sentences(head, phrasebook) if head and not _ONLY_WHO.match(
            plain_request(head, phrasebook.everyday)) else []
        if opening is None:
            return None
        if opening:
            opening[-1] = opening[-1].rstrip(".!?") + ":"
        return [*opening, "\n" + "\n".join(f"- {note}" for note in notes)]
    block = _list_block(head)
    if block:
        # "Email to the committee: AGM agenda\n1) treasurer's report\n2) new kit sponsor\n
        # ask for any other items by Friday": the list stays a list, between what is said.
        before, items, numbered, after = block
        opening = literal_sentences(before, phrasebook) if before and not _ONLY_WHO.match(
            plain_request(before, phrasebook.everyday)) else []
        closing = literal_sentences(after, phrasebook) if after else []
        if opening is None or closing is None:
            return None
        if opening:
            opening[-1] = opening[-1].rstrip(".!?") + ":"
        lines = [f"{n}. {_capital(item)}" if numbered else f"- {_capital(item)}"
                 for n, item in enumerate(items, 1)]
        return [*opening, "\n\n" + "\n".join(lines) + ("\n\n" if closing else ""), *closing]
    text = one_line(head)
    addressed = _addressed(text)
    addressee, known = reader, ""
    if addressed:
        addressee, known, text = addressed_reader(addressed)
        who_before = known or addressee
    # Who "he" and "she" are, where the request speaks of two people by pronoun and the
    # reader is named by the first verb ("give Tom a heads up that his mum called …").
    opener = _NAMED_BY_VERB.match(text)
    gender = "" if known or not opener or INTRODUCES.match(text) else whose_pronouns(
        text[opener.end():], opener.group("name"))
    lead = ""
    for clause in clauses(text):
        if _LEAD_IN.fullmatch(clause.strip()):
            # "per our call, ask …": said with what follows; "re their quote": to them
            lead = f"{lead}{_to_reader(clause.strip(), who_before, gender) if who_before else clause.strip()}, "
            continue
        sentence = _say(clause, who_before, addressee, phrasebook, gender)
        if sentence is None:
            return None
        line, who_before = sentence
        subject = _THIRD_SUBJECT.match(line)
        if not line:
            continue  # "let everyone know", the email being to everyone: nothing to say
        if subject and not known and subject.group(1).lower() not in NOT_A_NAME and \
                subject.group(1).lower() not in _CALENDAR_WORDS | _THINGS and \
                subject.group(1).lower() not in phrasebook.everyday and \
                subject.group(1).lower() not in (
                who_before.lstrip(_SOMEONE_ELSE).lower().split() or [""])[:1]:
            # "Mae can stay …, I'll drive her home": her is Mae, not the reader.
            who_before = _SOMEONE_ELSE + who_before.lstrip(_SOMEONE_ELSE)
        if lead:
            line, lead = _sentence(lead + line[:1].lower() + line[1:]), ""
        said.append(phrasebook.punctuate(line))
    if phrasebook.numbers_lists:
        said = [_numbered(line) for line in said]
    if lead and said:  # "thank Priya; as always": "Thank you, as always."
        end = said[-1][-1] if said[-1][-1] in ".!?" else "."
        said[-1] = f"{said[-1].rstrip('.!?')}, {lead.rstrip(', ')}{end}"
    elif lead:
        said.append(_sentence(lead))
    return said or None


_ONLY_WHO = re.compile(rf"^(?:(?:reply|write|respond|answer|email|message)\s+(?:back\s+)?(?:to\s+)?"
                       rf"|(?:tell|inform|update|let)\s+){_WHO}(?:\s+know)?\s*[:.—–-]?$", re.I)
# A clause that only leads into the next: "per our call", "as discussed", "further to Monday".
_LEAD_IN = re.compile(r"(?i:per|as|further to|following|after|re|regarding)\b[^,;:.?!]{0,25}"
                      r"|(?i:if\s+not|if\s+so|otherwise|failing\s+that|if\s+that['’]s\s+not\s+possible)")


# A list item's marker: "- ", "* ", "• ", "1. ", "2) ".
_ITEM = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")
# "tell the team: …", "let Jo know: …": who, then what to say.
_TOLD = re.compile(rf"^(?:tell|inform|update|let)\s+{_WHO}(?:\s+know)?(?:\s*[:—–]|\s+-)\s*(?P<rest>.+)$")


def _notes(instruction: str) -> tuple[str, list[str]]:
    """A request's first line and, where every line after it is a short note ("- £13.50",
    "- Friday"), those notes; otherwise the request and no notes."""
    lines = [line.strip() for line in instruction.splitlines() if line.strip()]
    items = [_ITEM.sub("", line).strip().rstrip(";,") for line in lines[1:]]
    if len(lines) < 2 or not all(len(item.split()) <= 3 for item in items):
        return instruction, []
    return lines[0].rstrip(":—–- "), [item for item in items if item]


LIST_BLOCK_WORDS = 12


def _list_block(instruction: str) -> tuple[str, list[str], bool, str] | None:
    """(what comes before, the items, whether numbered, what comes after) where a request
    over several lines holds a run of two or more short list items that are things, not
    asks ("1) treasurer's report", "- nappies"); None otherwise."""
    lines = [line.rstrip() for line in instruction.splitlines() if line.strip()]
    marked = [bool(_ITEM.match(line)) for line in lines]
    start = next((n for n, m in enumerate(marked) if m), None)
    if start is None:
        return None
    end = start
    while end < len(lines) and marked[end]:
        end += 1
    items = [_ITEM.sub("", line).strip().rstrip(";,.") for line in lines[start:end]]
    if len(items) < 2 or any(
            not item or len(item.split()) > LIST_BLOCK_WORDS or "?" in item
            or _FIRST_PERSON_DROPPED.match(item.lower())  # "need her tile choice": said
            or re.search(r"\b(?:he|she|him|her|his|hers|they|them|their)\b", item, re.I)
            or re.match(rf"(?i:please\s+)?(?:{_VERBS})\b", item) for item in items):
        return None
    numbered = bool(re.match(r"\s*\d", lines[start]))
    before = " ".join(lines[:start]).strip()
    after = "; ".join(_ITEM.sub("", line).strip().rstrip(".") for line in lines[end:])
    return before, items, numbered, after


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def one_line(instruction: str) -> str:
    """A request typed over several lines, as a list or not, as one line of clauses:
    "reply to Priya:\n- yes to the budget\n- ask her for the form" → "reply to Priya: yes
    to the budget; ask her for the form"."""
    lines = [_ITEM.sub("", line).strip().rstrip(";,") for line in instruction.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    head, items = lines[0], lines[1:]
    if not items:
        return head
    if all(len(item.split()) <= 3 for item in items):
        return instruction.strip()  # notes ("- £13.50", "- Friday"): not clauses to say
    joiner = " " if head.endswith((":", "—", "–", "-")) else "; "
    return head + joiner + "; ".join(item.rstrip(".") for item in items)


def addressed_reader(addressed: re.Match) -> tuple[str, str, str]:
    """(who the request is addressed to, "him" or "her" where that tells whose pronouns
    are the reader's, what is said with the other person named): from ``_addressed``."""
    who, text = addressed.group("who"), addressed.group("rest")
    owner = addressed.groupdict().get("owner") or ""
    opening = re.match(r"(he|she)\b", text, re.I)
    known = reader_pronoun(text)
    child = re.search(r"\b(?:my|our)\s+(?P<kin>son|boy|daughter|girl|mum|mom|dad|wife|husband|"
                      r"sister|brother)['’]s\s", who)
    if not known and child:
        # "my daughter's football coach": she and her are the daughter's
        known = "him" if child.group("kin") in ("daughter", "girl", "mum", "mom", "wife",
                                                "sister") else "her"
    if not known and owner and opening:
        # "Ms. Lindqvist, Leo's form tutor — he's been picked on": he is Leo
        known = "her" if opening.group(1).lower() == "he" else "him"
    known = known or whose_pronouns(text, who)
    if known:
        # "email Jill, Noah's teacher - he'll be out Friday, can she send the homework":
        # she is Jill, and he is Noah.
        text = owner_named(text, owner, known)
    return who, known, text


def _addressed(text: str) -> re.Match | None:
    """Who the request is for and what to say, where it opens by naming them."""
    lowered = _lower_first(text)
    found = (_ADDRESSED.match(lowered) or _TOLD.match(lowered) or _WRITE_TO.match(lowered)
             or _GROUP_NOTE.match(lowered) or group_lead(text) or named_lead(text))
    return found


def _lower_first(clause: str) -> str:
    first, _, rest = clause.partition(" ")
    if len(first) > 1 and first.isupper():
        return clause  # "RSVP by Friday", "FYI the door code changed"
    return f"{first.lower()} {rest}" if rest else first.lower()


# How to say it, which the email itself does not say: "decline politely", "thank Ruth
# personally for …".
_MANNER = re.compile(r"(?:politely|gently|firmly|warmly|kindly|briefly|tactfully|nicely|"
                     r"diplomatically|personally)([,:;]?)", re.I)


def _without_manner(clause: str) -> str:
    """The manner words near the verb, or closing a clause, taken out, where the clause
    asks for the email ("decline politely", "thank Ruth personally"): in "we met briefly"
    they are what is said."""
    words = clause.split(" ")
    if not re.match(rf"(?:please\s+)?(?:{_VERBS})\b", clause, re.I) \
            and not _MANNER.match(words[0]):
        return clause
    out: list[str] = []
    for n, word in enumerate(words):
        found = _MANNER.fullmatch(word)
        if found and (n <= 3 or n == len(words) - 1 or found.group(1)):
            if found.group(1) and out:
                out[-1] += found.group(1)
            continue
        out.append(word)
    return " ".join(out)


_NAMED_BY_VERB = re.compile(r"^(?i:please\s+)?(?i:tell|ask|remind|thank|let|inform|update|warn|"
                            r"congratulate|invite)\s+(?P<name>[A-Z][\w'’-]+)\b")


def _to_reader(content: str, who: str, gender: str = "") -> str:
    """What is said, to the person written to: their pronouns as "you"; where the request
    names them as the subject ("could Hat drive her back"), that name is "you" and the
    pronouns are someone else's."""
    third = who.startswith(_SOMEONE_ELSE)
    who = who.lstrip(_SOMEONE_ELSE)
    plural = _plural(who)
    reported = _REPORTED.match(content)
    if reported and reported.group(1).lower() != (who.split() or [""])[0].lower().rstrip("."):
        # "Ethan says he is getting detention", written to his teacher: "he" is Ethan
        third = True
    if who[:1].isupper() and not plural:
        name = re.escape(who.split()[0])
        # (with their surname: "The owner is Declan Hughes" → "… is you")
        named = re.compile(rf"\b({'|'.join(sorted(_AUX))})\s+{name}\b(?:\s+(?-i:[A-Z])[\w'’-]+)?", re.I)
        if named.search(content):
            return named.sub(r"\1 you", content)
    return content if third else to_you(content, plural, gender or who.lower())


# Someone else's words reported: "Ethan says …", "Priya told me …".
_REPORTED = re.compile(r"^(?!(?i:he|she|they|i|we|you|it|this|that|there|everyone|everybody)\b)"
                       r"([A-Za-z][a-z]+)\s+(?:says|said|thinks|thought|reckons|mentioned|feels|felt|"
                       r"claims|claimed|tells\s+me|told\s+me|swears)\b")


# "need it by Friday", "want replacements, not a refund", "think they should talk": the
# writer speaking, typed without "I".
_FIRST_PERSON_DROPPED = re.compile(r"^(need|want|think|hope|guess|reckon|wonder)\s+(?=\S)")


def _say(clause: str, who_before: str, addressee: str = "",
         phrasebook: Phrasebook = NO_PHRASEBOOK, gender: str = "") -> tuple[str, str] | None:
    clause = _without_manner(_lower_first(clause.strip()))
    clause = re.sub(rf"^(?:also|then|and|plus)\s+(?=(?:{_VERBS})\b)", "", clause)
    clause = _FIRST_PERSON_DROPPED.sub(r"I \1 ", clause)
    first, _, rest = clause.partition(" ")
    if first in _GERUNDS:
        clause = f"{_GERUNDS[first]} {rest}"
    for pattern, form in _COMPILED:
        match = pattern.match(clause)
        if not match:
            continue
        groups = match.groupdict()
        named = groups.get("who") or ""
        if form.startswith("thank you") and addressee and named and \
                named.lower() not in ("him", "her", "them", "you") and \
                named.split()[0].lower() != addressee.split()[0].lower():
            # "reply to Callum: …, thank Fran": Fran is thanked through Callum.
            if named[:1].isupper():
                return _sentence(f"my thanks to {named}, too"), who_before
            # "thank the trustees for the grant", written to Felix: through him
            thanked = (groups.get("x") or "").strip().rstrip(".?!,;: ")
            return _sentence(f"please pass on my thanks to {named}"
                             + (f" for {thanked}" if thanked and "for {x}" in form else "")), \
                who_before
        said_x = (groups.get("x") or "").strip().rstrip(".?!,;: ")
        if form.startswith("could"):  # "… strip pls": asked already
            said_x = re.sub(r"[,\s]+(?:please|pls|thanks|thx)$", "", said_x)
        parts = named.split()
        if form == "{x}." and len(parts) == 2 and parts[1][:1].isupper() and \
                said_x.split(" ", 1)[0].lower() in _AUX:
            # "tell Jo Sam is coming": Sam is who is coming, not Jo's surname
            named, said_x = parts[0], f"{parts[1]} {said_x}"
        who = named or who_before
        content = _to_reader(said_x, who, gender)
        if form == "":
            return "", who
        if form.startswith(("could you", "please")):
            content = re.sub(r"(,?\s+(?:and|or)\s+)to\s+", r"\1", content)  # "…, and resend"
        if form == "{question}":
            wh = groups["wh"] + (groups.get("contracted") or "")
            return _question(wh, content), who
        if "{other}" in form:  # an introduction: what follows is about the one introduced
            about = about_the_introduced((groups.get("x") or "").strip().rstrip(".?!"))
            return _sentence(form.format(other=groups["other"],
                                         about=f": {about}" if about else "")), \
                _SOMEONE_ELSE + who
        verb = re.sub(r"^please\s+", "", clause[:match.start("x")].strip()) \
            if "{verb}" in form else ""
        if "{to}" in form:  # the two introduced: what follows is said to both
            return _sentence(form.format(to=": " if content else "", x=content)), who
        after = _to_reader((groups.get("y") or "").rstrip(".?!"), who, gender)
        if form == "{x}." and clause.rstrip().endswith("!"):
            form = "{x}!"  # "tell Marie-Claire I got the job!!!"
        elif form == "{x}." and (clause.endswith("?") or _ASKS.match(content)):
            form = "{x}?"  # "tell Jo the lids are in — can he fit them?"
        form = phrasebook.pick((form, *_ALTERNATIVES.get(form, ())))
        return _sentence(form.format(x=content, y=after, verb=verb)), who
    if first in _ABOUT_THE_WRITING and not (first in ("add", "include") and _SAID_TO_ADD.match(
            clause.partition(" ")[2])):
        return None  # "joke that …", "stress …": how to write it, not what to say
    said = _to_reader(clause, who_before, gender)
    return _sentence(said, "?" if clause.endswith("?") else "."), who_before


_LISTED = re.compile(r"^(?P<head>[^:\n]{3,}?):\s+(?P<items>[^:\n]+?)(?P<end>[.?!])$")
_ITEM_SPLIT = re.compile(r",(?=\s)\s*(?:and\s+)?")
_QUESTION_ITEM = re.compile(r"^(?:is|are|was|were|can|could|do|does|did|will|would|should|"
                            r"has|have)\s", re.I)
_DATED = re.compile(rf"{DATE.pattern}|{TIME.pattern}", re.I)
LIST_ITEM_WORDS = 10


def _dated_item(item: str) -> bool:
    """ "Rota ends Friday 23 October", "wreaths 5 December": a date and what is on it; a
    bare date ("the 22nd", "Saturday") is a date, not an item."""
    if not _DATED.search(item):
        return False
    rest = re.findall(r"[A-Za-z]+", _DATED.sub(" ", item))
    return any(word.lower() not in ("the", "on", "at", "by", "from", "until", "and", "of")
               for word in rest)


def _numbered(sentence: str) -> str:
    """ "The season is closing: rota ends Friday 23 October, market until 19 December, party
    11 December." as the numbered list a user who numbers lists writes: three or more short
    items after a colon, all questions or all dated (not "since 2020, 71 volunteers")."""
    found = _LISTED.match(sentence)
    if not found:
        return sentence
    items = [item.strip() for item in _ITEM_SPLIT.split(found.group("items"))]
    asked = found.group("end") == "?" and all(_QUESTION_ITEM.match(i) for i in items)
    if len(items) < 3 or any(not i or len(i.split()) > LIST_ITEM_WORDS for i in items) \
            or not (asked or all(_dated_item(i) for i in items)):
        return sentence
    lines = [f"{n}. {_sentence(item, '?' if asked else '.')}"
             for n, item in enumerate(items, 1)]
    return f"{found.group('head')}:\n\n" + "\n".join(lines) + "\n\n"


def _plural(who: str) -> bool:
    return bool(who) and who.lower() not in ("him", "her") and (
        " and " in who or "," in who or "&" in who
        or who.lower().startswith(("the ", "everyone", "everybody", "all", "them", "people",
                                   "folks"))
        or bool(re.fullmatch(rf"(?:[a-z]+\s+)?{_PLURAL_NOUN}", who)))  # "market traders"


def literal_body(instruction: str, phrasebook: Phrasebook = NO_PHRASEBOOK,
                 reader: str = "") -> str | None:
    """The request as the body of an email (without greeting and sign-off). ``reader``:
    the first name of the one person it is to, whose things are "your" things ("order
    Jo's spring compost", written to Jo: "your spring compost")."""
    sentences = literal_sentences(instruction, phrasebook, reader)
    if not sentences:
        return None
    body = " ".join(sentences).replace(" \n", "\n").replace("\n ", "\n").strip()
    # "tell her not to worry, I've got it covered, and that the team sent flowers": each
    # thing told is said, without the "that" that told it.
    body = re.sub(r"\?{2,}", "?", body)
    body = re.sub(r"(,?)\s+and\s+that\s+(?=(?:the|we|I|I['’]\w+|it|they|he|she|you|our|my|there)\b)",
                  r"\1 and ", body)
    if reader and re.fullmatch(r"[A-Z][\w-]+", reader):
        # "Does Carmen still want the slot?", written to Carmen: "Do you still want …?"
        body = re.sub(rf"(?:(?<=^)|(?<=[.!?,] )|(?<=\band ))([Dd]oes|[Ii]s|[Hh]as|[Ww]as|[Cc]an|"
                      rf"[Cc]ould|[Ww]ill|[Ww]ould|[Ss]hould|[Dd]id)\s+{re.escape(reader)}\b(?![’'])",
                      lambda m: f"{AGREE.get(m.group(1).lower(), m.group(1).lower())} you"
                      if m.group(1).islower() else
                      f"{AGREE.get(m.group(1).lower(), m.group(1).lower()).capitalize()} you",
                      body)
        # "Jamie's bringing the clients", written to Jamie: "you're bringing"
        body = re.sub(rf"(?:(?<=[a-z,;:] )|^|(?<=[.!?] )){re.escape(reader)}['’]s\s+(?=\w+ing\b|"
                      r"(?:not|going|back|off|away|free|here|there|in|out|coming|been|got)\b)",
                      lambda m: "you're " if m.start() and body[m.start() - 2] not in ".!?" else
                      "You're ", body)
        body = re.sub(rf"(?<=[a-z,;:] ){re.escape(reader)}['’]s\b", "your", body)
        body = re.sub(rf"(?:^|(?<=[.!?] )){re.escape(reader)}['’]s\b", "Your", body)
        # "My landlord Frank still hasn't fixed the heat", written to Frank: "You still
        # haven't fixed the heat".
        body = re.sub(rf"(?:^|(?<=[.!?] )|(?<=, ))(?:(?:The|My|Our|the|my|our)\s+)?(?:[A-Za-z][a-z]*\s+)?(?:[a-z]+\s+){{0,6}}?"
                      rf"(?:\({re.escape(reader)}\b[^)]*\)|,\s*{re.escape(reader)},)\s+"
                      r"((?:(?:still|also|never|always|just|really)\s+)?[a-z]+['’]?[a-z]*)\b",
                      lambda m: ("Y" if m.group(0)[:1].isupper() else "y")
                      + to_you(f"he {m.group(1)}", False)[1:], body)
        body = re.sub(rf"(?:^|(?<=[.!?] ))(?:(?:My|Our)\s+(?:[a-z]+\s+){{1,3}})?{re.escape(reader)}\s+"
                      r"((?:(?:still|also|never|always|just|really)\s+)?[a-z]+['’]?[a-z]*)\b",
                      lambda m: "Y" + to_you(f"he {m.group(1)}", False)[1:], body)
        # "whether Naomi is still good to present", written to Naomi: "whether you're …"
        body = re.sub(rf"\b(whether|if|that|and)\s+{re.escape(reader)}\s+(is|was|has|can|will|could|would|should)\b",
                      lambda m: f"{m.group(1)} you " + {"is": "are", "was": "were", "has": "have"}.get(
                          m.group(2), m.group(2)), body)
        # "decline the meeting from Harriet", written to Harriet: "your meeting"
        body = re.sub(rf"\bthe\s+([a-z]+)\s+from\s+{re.escape(reader)}\b(?![’'\w])", r"your \1", body)
        # "reschedule my 1:1 with Tanya", written to Tanya: "with you"
        body = re.sub(rf"\b(with|for)\s+{re.escape(reader)}\b(?![’'\w])", r"\1 you", body)
    titled = re.fullmatch(rf"{HONORIFIC}\.?\s+([A-Z][\w'’-]+)", reader or "")
    if titled:
        # "Our neighbour Mr Dunne, plot 14, left the gate open", written to him: "You left …"
        body = re.sub(rf"\b(with|for)\s+{HONORIFIC}\.?\s+{re.escape(titled.group(1))}\b(?![’'\w])", r"\1 you", body)
        body = re.sub(rf"(?:^|(?<=[.!?] ))(?:(?:My|Our|The|An?)\s+(?:[a-z]+\s+){{1,3}})?,?\s*{HONORIFIC}\.?\s+"
                      rf"{re.escape(titled.group(1))}(?:,\s*[^,.]{{1,30}},)?\s+"
                      r"((?:(?:still|also|never|always|just|really)\s+)?[a-z]+['’]?[a-z]*)\b",
                      lambda m: "Y" + to_you(f"he {m.group(1)}", False)[1:], body)
    return body


def capitalised_as_in(body: str, context: str) -> str:
    """Words typed in lower case that ``context`` (the email replied to) writes only as
    names: "glad cornwall was good", the email saying "we were in Cornwall"."""
    names = {word.lower(): word for word in re.findall(r"(?<=[a-z,;] )[A-Z][a-z]{2,}\b", context)}
    lowered = set(re.findall(r"\b[a-z]{3,}\b", context))
    return re.sub(r"\b[a-z]{3,}\b", lambda m: names[m.group(0)] if m.group(0) in names
                  and m.group(0) not in lowered else m.group(0), body)
