"""How the user greets each person ("Hi Stan —", "Dear Dr. Carr,"), learned from their sent
mail, and who a request is for: the To field, the email replied to, or the name the
instruction speaks of ("tell Stan …", "reply to Dev: …")."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr

from trainer.addressing import name_told
from trainer.facts import COMMON, OPENERS
from trainer.titles import HONORIFIC, KIN, TITLE, TITLE_ANY_CASE
from trainer.typed import NOT_A_NAME, group_lead, named_lead, plain_request

_WORDS = r"hi|hello|hey|hiya|dear|morning|good morning|good afternoon|good evening|greetings"
# Whom group mail is to, said as its greeting ("All,", "Hi all —", "Team,", "Dear both,").
_GROUP = r"all|everyone|everybody|team|folks|both|you all|all of you"
GROUP_NAMES = {"all", "everyone", "everybody", "team", "folks", "both", "you all",
               "all of you"}
# "Hi Stan —", "Dear Dr. Carr,", "Morning all!", "Hello,", "All," — a greeting alone on
# its line.
GREETING_LINE = re.compile(
    rf"^\s*(?P<word>{_WORDS})\b(?P<name>[^\n,—–:!;.?-]{{0,40}}?(?:\.\s?[A-Z][\w'’-]+)?)\s*"
    r"(?P<punct>[,—–:!.-]+)?\s*$", re.I)
# "All," "Team —": a group named alone, with the punctuation of a greeting ("All good." is
# a sentence).
GROUP_LINE = re.compile(rf"^\s*(?P<word>{_GROUP})(?P<name>)\s*(?P<punct>[,—–:!-]+)\s*$", re.I)
# The same at the start of a line that goes on ("Hi Stan, the panes arrived …").
GREETING_START = re.compile(
    rf"^\s*(?P<word>(?i:{_WORDS}))\b(?P<name>(?:\s+{HONORIFIC}\.?)?(?:\s+[A-Z][\w'’-]+)"
    r"{0,2})?\s*(?P<punct>[,—–:!-]+)\s*(?P<rest>\S.*)$")
_ASKED = re.compile(
    # the longer forms first: "send a note to Mei" is to Mei, not to "a"
    r"\b(?:(?:write|send|draft) (?:an? )?(?:(?:quick|short|brief) )?(?:email|note|message|line|"
    r"something|a few lines) to|"
    # "email my advisor Helen about …"
    r"(?:email|write to|tell|ask|remind) (?:my|our) [a-z-]+|"
    r"tell|ask|remind|thank|thanks|thx|email|e-mail|mail|write to|reply to|answer|invite|update|"
    r"msg(?: to)?|message to|text|(?:condolences|sympathy|sorry|congrats|congratulations) to|"
    r"write(?= (?-i:[A-Z]))|"
    r"congratulate|warn|inform|message|ping|let|send|give|wish|welcome|apologi[sz]e to|"
    r"decline|accept|confirm (?:to|with)|check with|follow up with|get back to|respond to|"
    r"(?:an? )?(?:email|note|message) (?:inviting|asking|telling|thanking|reminding|congratulating)|"
    r"say (?:sorry|thanks|thank you|no|yes) to)\s+"
    rf"(?P<name>{TITLE_ANY_CASE}?[A-Za-z][\w'’-]*"
    r"(?:\s+[A-Z][\w'’-]+)?)", re.I)
_NOT_NAMES = {"me", "him", "her", "them", "us", "everyone", "everybody", "all", "the", "a",
              "an", "my", "our", "your", "their", "his", "that", "this", "those", "these",
              "it", "know", "people", "team", "volunteers", "committee", "board", "yes", "no",
              "thanks", "about", "whether", "if", "when", "what", "why", "how", "for", "to",
              "back", "up", "again", "both", "you", "myself", "yourself", "someone", "anyone",
              "politely", "kindly", "briefly", "quickly", "today", "tomorrow"}


@dataclass
class Greeting:
    word: str  # "Hi", as the user spells it
    name: str  # "Stan", "" for "Hello,"
    punct: str  # " —", ","

    def line(self, name: str | None = None) -> str:
        """The greeting line; "" for a greeting by name alone with no name to give."""
        who = self.name if name is None else name
        if not self.word and not who:
            return ""
        return " ".join(part for part in (self.word, who) if part) + self.punct


# "Jeff,", "Mike & Tony,", "Dr. Carr —": a name alone is how many people open an email.
# Only where the line opens the email (``bare``): elsewhere it may be a sign-off.
BARE_NAME_LINE = re.compile(
    rf"^\s*(?P<name>(?:{HONORIFIC}\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
    r"(?:\s*(?:&|and)\s*[A-Z][\w'’-]+)?)\s*(?P<punct>,|\s[—–-]|[—–:])\s*$")


def parse_greeting(line: str, bare: bool = False) -> Greeting | None:
    match = GREETING_LINE.match(line) or GROUP_LINE.match(line)
    if not match and bare:
        return _bare_greeting(line)
    if not match:
        return None
    name = match.group("name").strip()
    if len(name.split()) > 4:
        return None
    punct = match.group("punct") or ""
    spaced = f" {punct}" if punct and punct[0] in "—–-" else punct
    return Greeting(word=match.group("word").strip(), name=name, punct=spaced)


def _bare_greeting(line: str) -> Greeting | None:
    match = BARE_NAME_LINE.match(line)
    if not match:
        return None
    name = match.group("name").strip()
    first = re.sub(r"^(?:dr|mr|mrs|ms|prof)\.?\s+", "", name.lower()).split()[0]
    # "Thanks,", "Onward —", "Tuesday:" open no email by name.
    # ("May," may be May herself.)
    if first in COMMON or first in OPENERS or _NOT_GREETED.match(first) \
            or (_CALENDAR.match(first) and first != "may"):
        return None
    punct = match.group("punct").strip()
    return Greeting(word="", name=name, punct=f" {punct}" if punct in "—–-" else punct)


# Days and months: a date, never a person ("Tuesday:", "forward it to Friday's meeting").
_CALENDAR = re.compile(r"(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|(?:january|february|march|"
                       r"april|may|june|july|august|september|october|november|december)\b"
                       # ("Jan" and "Jun" are names too)
                       r"|(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|feb|mar|apr|jul|aug|"
                       r"sep|sept|oct|nov|dec)$", re.I)
# Nor are the words a line opens a note with ("Re:", "Agenda:").
_NOT_GREETED = re.compile(r"(?:re|fw|fwd|ps|update|agenda|summary|attached|reminder)\b")


def first_name(name: str) -> str:
    parts = [p for p in re.split(r"\s+", name.strip()) if p]
    if not parts:
        return ""
    if re.match(r"Mr\.?\s+and\s+Mrs\b", name.strip()):
        return name.strip()  # "Mr and Mrs Adeyemi", greeted as a couple
    if re.fullmatch(rf"{HONORIFIC}|(?i:{KIN})", parts[0].rstrip(".")) and len(parts) > 1:
        return f"{parts[0]} {parts[-1]}"  # "Dr. Osei", "Aunty Grace", "Herr Braun"
    return parts[0]


@dataclass
class Recipient:
    address: str = ""
    name: str = ""  # as the user calls them: "Stan", "Dr. Carr"
    group: bool = False  # several people: the committee, the volunteers, two addresses
    role: str = ""  # one person or desk by what they do, no name: "the vet", "my landlord"


def is_group_greeting(greeting: Greeting) -> bool:
    return greeting.word.lower() in GROUP_NAMES or greeting.name.lower() in GROUP_NAMES


@dataclass
class GreetingBook:
    """Per address, the greetings the user wrote to it; overall, their usual form."""

    by_address: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    names: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    overall: Counter = field(default_factory=Counter)  # (word, punct)
    groups: Counter = field(default_factory=Counter)  # (word, name, punct) to several people
    group_addresses: set[str] = field(default_factory=set)  # lists the user greets as a group
    emails: int = 0
    greeted: int = 0

    def learn(self, to_addresses: list[str], body: str) -> None:
        lines = [line for line in body.strip().splitlines() if line.strip()]
        if not lines:
            return
        self.emails += 1
        greeting = parse_greeting(lines[0], bare=True)
        if greeting is None:
            return
        self.greeted += 1
        if is_group_greeting(greeting) or (len(to_addresses) > 1 and not greeting.name):
            self.groups[(greeting.word, greeting.name, greeting.punct)] += 1
            if len(to_addresses) == 1:  # a list: volunteers@…, board@…
                self.group_addresses.add(to_addresses[0].lower())
            return  # "All," says nothing of how they greet one person
        self.overall[(greeting.word, greeting.punct)] += 1
        if len(to_addresses) == 1:
            address = to_addresses[0].lower()
            self.by_address[address][(greeting.word, greeting.punct)] += 1
            if greeting.name:
                self.names[address][greeting.name] += 1

    @property
    def greets(self) -> bool:
        """Whether the user usually opens with a greeting at all."""
        return self.emails > 0 and self.greeted / self.emails >= 0.5

    def name_for(self, address: str) -> str:
        found = self.names.get(address.lower())
        return found.most_common(1)[0][0] if found else ""

    def address_for(self, name: str) -> str:
        """The address the user greets by ``name`` (or whose greeting name starts it)."""
        wanted = name.strip().lower()
        best, count = "", 0
        for address, names in self.names.items():
            for used, n in names.items():
                if (used.lower() == wanted or used.lower().split()[0] == wanted.split()[0]) \
                        and n > count:
                    best, count = address, n
        return best

    def nameless_greeting(self) -> str | None:
        """How the user would open to someone whose name they do not have (the vet, a
        helpdesk): their usual greeting word without a name ("Hello,", "Good morning,",
        "Dear Sir or Madam,"); None for a user who greets by name alone ("Lucy,")."""
        words = [word for (word, _), _ in self.overall.most_common() if word]
        if not words:
            return None
        word = words[0]
        if word.lower() == "dear":
            return "Dear Sir or Madam,"
        if word.lower() in ("hi", "hey", "hiya", "hello", "greetings"):
            return "Hello,"
        return f"{word[:1].upper()}{word[1:]},"

    def group_greeting(self) -> str | None:
        """How the user opens mail to several people ("All,", "Hi all —"), if they do."""
        if not self.groups:
            return None
        (word, name, punct), _ = self.groups.most_common(1)[0]
        return Greeting(word, name, punct).line()

    def greeting_for(self, recipient: Recipient) -> str | None:
        """The greeting line for this person, in the user's form (for a group, their group
        greeting); None where the user does not greet or nothing is known of whom the
        email is to."""
        address = recipient.address.lower()
        forms = self.by_address.get(address)
        if recipient.group or (address in self.group_addresses
                               and not self.name_for(address)):
            return self.group_greeting()
        people = re.split(r"\s*,\s*|\s+and\s+", recipient.name.strip())
        if len(people) > 1:  # "Mike and Tony", whatever one of them was greeted as before
            name = " and ".join(first_name(p) for p in people)
        else:
            name = (self.name_for(address) if address else "") or first_name(recipient.name)
        if forms:
            (word, punct), _ = forms.most_common(1)[0]
            return Greeting(word, name, punct).line() or None
        if not self.greets:
            return None
        if not name:
            return self.nameless_greeting() if recipient.role else None
        (word, punct), _ = self.overall.most_common(1)[0]
        return Greeting(word, name, punct).line() or None


def learn_from_store(store, limit: int = 2000) -> GreetingBook:
    book = GreetingBook()
    if store is None:
        return book
    rows = store.catalogue.conn.execute(
        "SELECT to_addrs, body FROM messages WHERE is_own = 1 AND is_forward = 0 AND body != ''"
        " ORDER BY date DESC LIMIT ?", (limit,)).fetchall()
    for to_addrs, body in rows:
        try:
            addresses = [a for a in json.loads(to_addrs) if a]
        except (TypeError, ValueError):
            addresses = []
        book.learn(addresses, body)
    return book


# "confirm Friday 10am with Bernard", "check the dates with Dr. Carr": the person is named
# after what is to be settled with them.
_WITH = re.compile(r"^\s*(?i:please\s+)?(?:(?i:I\s+)?(?i:need|have|want)\s+to\s+)?(?i:confirm|check|arrange|book|agree|settle|sort out|decline|bump|push|shift|pull|"
                   r"fix|set up|schedule|reschedule|move|postpone|cancel)\b[^;.?!]*?\bwith\s+(?P<name>(?:"
                   rf"{HONORIFIC}\.?\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]+)?)")
# Where the person stands after the thing: "introduce Maria to David", "forward the deal
# sheet to Mike", "I need the forecast from Kim by Friday".
_ROUTED = re.compile(r"(?i:\bintroduce\s+[\w'’-]+(?:\s+(?:and|&)\s+[\w'’-]+)?\s+to|\bforward\b[^;.?!]*?\bto|"
                     rf"\bneed\b[^;.?!]*?\bfrom)\s+(?P<name>{TITLE}?"
                     r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]+)?)")


# Two people introduced to each other: "introduce Aisha and Graham, both …" is to both.
_TO_EACH_OTHER = re.compile(r"^\s*(?i:please\s+)?(?i:introduce|intro)\s+(?P<a>[A-Z][\w'’-]+)"
                            r"\s+(?:and|&)\s+(?P<b>[A-Z][\w'’-]+)\b(?!\s+to\b)")


_MORE_NAMES = re.compile(r"(?:\s*,\s*[A-Z][\w'’-]+)*\s*(?:,\s*)?(?:\band\b|&)\s*[A-Z][\w'’-]+\b"
                         r"(?!['’])")


# A name run together from two words ("FitBox", "PowerHouse", "StayNorth") is a company's;
# "McAllister", "DeShawn", "LaToya" are people's.
_BRAND = re.compile(r"(?!(?:Mc|Mac|De|Di|Da|Le|La|Van|Von|Du|Al|El)[A-Z])[A-Z][a-z]{1,}[A-Z][a-z]+")


def named_in_instruction(instruction: str, known=lambda name: False) -> str:
    """The person a request speaks to (never a company whose name runs two words together)."""
    name = _named_in_request(instruction, known)
    return "" if _BRAND.fullmatch(name) or name.lower() in _DESK_WORDS else name


# A department written to, in capitals or not: "Write to HR asking …", "email IT".
_DESK_WORDS = {"hr", "it", "pr", "ap", "ar", "qa", "ops", "admin", "legal", "payroll", "finance",
               "accounts", "reception", "procurement", "facilities", "security", "support"}


def _named_in_request(instruction: str, known=lambda name: False) -> str:
    """The person a request speaks to: "tell Stan …" → "Stan"; "" when none is named. A
    lower-case word counts only where ``known(word)`` says it is someone the user writes to
    (people type "tell stan …", but "decline politely" names no one), or where the
    request read plainly (``trainer.typed``) takes it for the person written to."""
    told = name_told(instruction)  # "My landlord is Mr. Patel, first name Sanjay."
    if told:
        return told
    couple = re.search(r"\bMr\.?\s*(?:&|and)\s*Mrs\.?\s+(?P<surname>[A-Z][\w'’-]+)", instruction)
    if couple:  # "Mr. and Mrs. Adeyemi"
        return f"Mr and Mrs {couple.group('surname')}"
    sent_to = _SENT_TO.search(instruction)  # "…, send it to Gloria at the front desk"
    if sent_to:
        return sent_to.group("name") or sent_to.group("goes")
    plain = plain_request(instruction)
    # The request read plainly first: "Draft: Zoë - thanks …" is to Zoë, not to "Draft".
    found = (_named(plain, known) if plain != instruction else "") or _named(instruction, known)
    if found:
        return found
    # "buyer (Dan) wants to collect Wed", "the plumber (Gary, from G&S) still hasn't …"
    by_pronoun = _ASKED_BY_PRONOUN.search(instruction)
    if by_pronoun:
        # "does Carmen still want the slot? ask her": the one person named before is the reader
        # (a sentence may open on a name where it is someone's: "Ramon's timesheet shows …")
        names = {re.sub(r"['’]s$", "", m.group(0)) for m in re.finditer(
                     r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-Þ][a-zà-þ'’-]+\b|(?:^|(?<=[.!?]\s))[A-ZÀ-Þ][a-zà-þ-]+['’]s\b",
                     instruction[:by_pronoun.start()])
                 if m.group(0).lower() not in _NOT_NAMES and not _CALENDAR.match(m.group(0).lower())
                 and re.sub(r"['’]s$", "", m.group(0)).lower() not in COMMON}
        if len(names) == 1:
            # "a patient, Mr Thornbury, …": greeted with the title they were given
            name = names.pop()
            titled = re.search(rf"\b({HONORIFIC})\.?\s+(?:[A-Z]\.\s*)?{re.escape(name)}\b", instruction)
            return f"{titled.group(1)} {name}" if titled else name
    for pattern in (_BRACKETED_NAME, _SET_OFF, _MAIL_FROM, _MY_SOMEONE):
        found_late = pattern.search(instruction)
        if found_late and not _CALENDAR.match(found_late.group("name").lower()) and \
                found_late.group("name").lower() not in _NOT_NAMES:
            name = re.sub(r"['’]s$", "", found_late.group("name"))  # "my colleague Neha's mother"
            if name[:1].isupper() or name.lower() not in COMMON | NOT_A_NAME | _PLACES:
                return name[:1].upper() + name[1:]
    # "update my PI Dr. Lindgren on …", "Customer complaint came in — Mr. Leblanc ordered
    # …": the one person the request names with a title, where it says no one else is
    titled = {" ".join(w for w in m.group(0).replace(".", " ").split() if len(w) > 1)
              for m in _TITLED_PERSON.finditer(plain)}
    if len(titled) == 1:
        return titled.pop()
    # "Stephan asked about the wire. It went out …", "Victor needs the close calendar": the
    # request opens on the one it answers or serves
    lead = _NAMED_SUBJECT_LEAD.match(instruction)
    if lead and lead.group("name").lower() not in COMMON | _NOT_NAMES and \
            not _CALENDAR.match(lead.group("name").lower()) and not addresses_a_group(instruction):
        return lead.group("name")
    return ""


_NAMED_SUBJECT_LEAD = re.compile(
    r"^\s*(?!I['’])(?P<name>[A-ZÀ-Þ][a-zà-þ'’-]+)(?:\s+[A-ZÀ-Þ][a-zà-þ'’-]+)?\s+(?:asked|needs|wants|said|says|"
    r"emailed|wrote|called|rang|messaged|texted|sent|can|could|will|has|is|was|gets|got|"
    r"should|must|just)\b")


# Where things come from, not who: "it's from work".
_PLACES = {"work", "home", "school", "uni", "college", "church", "abroad", "there", "here", "hr",
           "them", "him", "her", "us", "me"}


# A title and a surname, an initial or a first name between: "Mr. J. Holloway", "Dr Amara
# Nwosu" (greeted "Dr Nwosu" by the checks' reckoning, and by most people).
_TITLED_PERSON = re.compile(rf"\b{HONORIFIC}\.?\s+(?:[A-Z]\.\s*)?"
                            r"[A-Z][\w'’-]*\w(?:\s+[A-Z][\w'’-]*\w)?(?![\w'’])(?<!['’]s)")


# Who someone has, written to instead of them: "Ella's teacher", "Dr. Chen's office".
_THEIR_PEOPLE = (r"office|team|assistant|secretary|receptionist|pa|clinic|practice|surgery|desk|department|company|firm|"
                 r"shop|school|class|family|teacher|tutor|mum|mom|dad|mother|father|wife|husband|"
                 r"partner|boss|manager|coach|doctor|parents|son|daughter|sister|brother|landlord|"
                 r"nursery|agent|lawyer|accountant|friend|neighbour|neighbor|carer|nurse")
# Named as the one to send it to, or the one whose email this answers.
_SENT_TO = re.compile(r"\b(?i:send|address|forward)\s+(?:it|this|the\s+(?:email|note|reply))\s+"
                      r"(?i:to)\s+(?:(?i:their|his|her|the|our|my)\s+[a-z]+,?\s+)?(?P<name>[A-ZÀ-Þ][\w'’-]+)"
                      r"|(?:^|(?<=[.!?])\s*)(?i:it\s+)?(?i:goes)\s+(?i:to)\s+(?P<goes>[A-ZÀ-Þ][\w'’-]+)\s*[.!]?\s*$")
_MAIL_FROM = re.compile(r"\b(?i:email|e-mail|message|text|call|note|letter|invite|invitation|offer|request|"
                        r"proposal|quote|it['’]?s|it\s+is)\s+(?i:from)\s+"
                        r"(?P<name>[A-ZÀ-Þ][\w'’-]+|(?:(?<=its from )|(?<=it's from )|(?<=it’s from ))[a-z][\w'’-]+(?=\s*[.!]?\s*$))")
# "the neighbour at no. 18, Brenda, has had builders in …": the name set off after who.
_SET_OFF = re.compile(r"\b(?i:the|my|our)\s+[a-z]+(?:\s+[\w.]+){0,5},\s+(?P<name>[A-ZÀ-Þ][\w'’-]+),")
# "my tenant Marcus is 3 weeks behind": someone by what they are to the writer, then name.
_MY_SOMEONE = re.compile(
    r"\b(?i:my|our|the)\s+(?:[a-z-]+\s+)?(?i:tenant|landlord|landlady|manager|boss|co-?founder|colleague|"
    r"neighbou?r|teacher|professor|tutor|coach|client|customer|supplier|contractor|builder|plumber|"
    r"electrician|accountant|lawyer|solicitor|doctor|dentist|mentor|friend|sister|brother|cousin|"
    r"aunt|uncle|partner|flatmate|roommate|housemate|agent|editor|student|assistant|intern|"
    r"supervisor|director|head|lead|nanny|cleaner|babysitter|mechanic|trainer|therapist|"
    rf"physio|vet|gp|pastor|vicar|rabbi|imam|host|guest)\s+(?!I\b|I['’])(?P<name>{TITLE}?[A-ZÀ-Þ][\w'’-]+)\b")
_ASKED_BY_PRONOUN = re.compile(r"\b(?i:ask|tell|remind|email|let|thank|write(?:\s+to)?|message|text|"
                               r"explain\s+to|say\s+to|send\s+it\s+to|reply\s+to)\s+(?i:him|her)\b")
_BRACKETED_NAME = re.compile(r"\b[a-z]+\s*\((?P<name>[A-ZÀ-Þ][\w'’-]+|[a-z][a-z'’-]{1,14}(?=\)))"
                             r"(?:,\s*(?![A-ZÀ-Þ])[^)]*)?\)")
# "decline the meeting from Harriet": the one it came from.
_FROM = re.compile(r"^\s*(?i:please\s+)?(?i:decline|accept|answer|reply\s+to)\s+(?:the|an?|this)\s+"
                   r"[\w -]{1,30}?\s+from\s+(?P<name>[A-ZÀ-Þ][\w'’-]+)")


def _named(instruction: str, known) -> str:
    for match in _ASKED.finditer(instruction):
        # "decline Mark's invitation" is written to Mark
        if re.match(rf"(?:[A-Z][\w.]*\s+)?[A-Za-z][\w-]*['’]s\s+(?:{_THEIR_PEOPLE})\b",
                    instruction[match.start("name"):match.end("name") + 30]):
            continue  # "email Dr. Chen's office": to the office, not to Dr. Chen by name
        if re.fullmatch(r"I(?:['’]\w+)?", match.group("name").split()[0]):
            continue  # "tell my manager I'm off sick": no one named
        words = re.sub(r"['’]s\b", "", match.group("name")).split()
        while len(words) > 1 and (words[-1][:1].islower() or re.fullmatch(r"I(?:['’]\w+)?",
                                                                          words[-1])):
            words.pop()  # "Mr. Delaney explaining": the name, not what follows
        while words and words[-1].lower() in _NOT_NAMES:
            words.pop()
        if not words or words[0].lower() in _NOT_NAMES or _CALENDAR.match(words[0].lower()):
            continue  # "tell our volunteers Saturday is off" names a day, not a person
        if words[0][:1].islower() and not known(words[0]):
            continue
        if len(words) == 2 and (not words[1][:1].isupper()
                                or _CALENDAR.match(words[1].lower())):  # "tell Stan Friday …"
            words = words[:1]
        # "tell Mike and Tony …": both, greeted together.
        after = match.start("name") + len(match.group("name").split()[0])
        others = _MORE_NAMES.match(instruction, after) if len(words) == 1 else None
        if others:
            names = [words[0], *(re.sub(r"['’]s$", "", n)
                                 for n in re.findall(r"[A-Z][\w'’-]+", others.group(0)))]
            return f"{', '.join(names[:-1])} and {names[-1]}"
        return " ".join(words)
    first = named_lead(instruction)  # "Vera - can she resend the invoice?"
    if first and first.group("who").lower() not in _NOT_NAMES:
        return first.group("who")
    both = _TO_EACH_OTHER.match(instruction)
    if both:
        return f"{both.group('a')} and {both.group('b')}"
    settled = _WITH.match(instruction) or _ROUTED.search(instruction) or _FROM.match(instruction)
    name = re.sub(r"['’]s\b", "", settled.group("name")) if settled else ""
    if name and name.split()[-1].lower() not in _NOT_NAMES and not _CALENDAR.match(name):
        return name
    return ""



def resolve_recipient(book: GreetingBook, *, to: str = "", reply_sender: str = "",
                      reply_name: str = "", instruction: str = "",
                      names_by_address: dict[str, str] | None = None) -> Recipient:
    """Whom the email is to, from what the request says, most explicit first."""
    names_by_address = names_by_address or {}
    if to.strip():
        if "@" not in to:  # a name typed in the To field: "Stan Kowalski", "Dr. Carr"
            if re.search(r"[,;&]| and ", to):
                return Recipient(group=True)  # several people: no one name to greet
            name = to.strip()
            address = book.address_for(name)
            return Recipient(address, book.name_for(address) if address else name)
        pairs = [p for p in getaddresses([to]) if p[1]]
        named = named_in_instruction(instruction) if instruction else ""
        if len(pairs) != 1:
            if len(pairs) > 1 and " and " in named:  # "tell Mike and Tony …", To: both
                return Recipient(name=named)
            return Recipient(group=len(pairs) > 1)
        name, address = pairs[0][0], pairs[0][1].lower()
        # An address alone ("tony@…"): the name the request gives ("send Tony the …").
        name = name or names_by_address.get(address, "") or (
            named if named and _speaks_to(instruction, named, address) else "")
        return Recipient(address, name, group=not name and addresses_a_group(instruction))
    if reply_sender:
        address = parseaddr(reply_sender)[1].lower()
        return Recipient(address, reply_name or names_by_address.get(address, ""))
    named = named_in_instruction(instruction, known=lambda word: bool(book.address_for(word)))
    if " and " in named:  # several people by name: greeted by their names, no one address
        return Recipient(name=named)
    if named:
        address = book.address_for(named)
        return Recipient(address, book.name_for(address) if address else named)
    group = addresses_a_group(instruction)
    return Recipient(group=group, role="" if group else role_addressed(instruction))


# "email the vet to ask …", "tell my landlord the heating broke", "write to the school
# office": one person or desk, by what they do.
_TO_ONE_ROLE = re.compile(
    r"^(?:please\s+)?(?:(?:write\s+to|email|e-mail|message|contact|reply\s+to|follow\s+up\s+with)\s+"
    r"(?P<role>(?:the|my|our)\s+(?:[a-z][\w'’-]*\s+){0,3}?(?!(?:his|her|their|him|them)\b)[a-z][\w'’-]*(?:ss|[a-rt-z]))"
    r"(?=\s*[:,.;—–(?!]|\s+(?:to|about|re|regarding|that|and|asking|saying|if|whether|for)\b|\s*$)"
    r"|(?:tell|ask|remind|let|thank|inform|update|warn)\s+"
    r"(?P<told>(?:the|my|our)\s+(?!(?:his|her|their|him|them)\b)[a-z][\w'’-]*(?:ss|[a-rt-z]))\b(?![’']))", re.I)


def role_addressed(instruction: str) -> str:
    """The role the request writes to when it names no one ("the vet", "my landlord");
    "" where it names a person or a group, or no one at all."""
    found = _TO_ONE_ROLE.match(plain_request(instruction))
    return (found.group("role") or found.group("told")) if found else ""


def _speaks_to(instruction: str, name: str, address: str) -> bool:
    """Whether the request's named person is the one at ``address``: their name is in it,
    or the request opens by speaking to them ("send Tony …", "reply to Tony: …")."""
    first = name.split()[0]
    return first.lower() in address.lower() or bool(re.match(
        rf"\W*(?:please\s+)?\w+(?:\s+\w+)?\s+{re.escape(first)}\b", instruction, re.I))


_COLLECTIVE = (r"committee|board|team|staff|group|council|class|family|crew|department|panel"
               r"|everyone|everybody|all")
_GROUP_ASKED = re.compile(
    r"^\s*(?:please\s+)?(?:tell|ask|remind|thank|email|e-mail|mail|write to|invite|update|warn|"
    r"inform|let|welcome|congratulate|message|send)\s+(?:all\s+)?(?:the\s+|our\s+|my\s+)?"
    rf"(?:[a-z][\w-]*\s+)?(?:{_COLLECTIVE}|(?!(?:us|this|his|its|yes|whether)\b)[a-z]{{3,}}s)\b")


def addresses_a_group(instruction: str) -> bool:
    """ "tell the volunteers …", "remind the committee …", "email market traders …":
    the request is for several people, whom the user greets as a group."""
    if _GROUP_ASKED.match(instruction) or group_lead(instruction):
        return True
    plain = plain_request(instruction)
    return bool(_GROUP_ASKED.match(plain) or re.match(
        r"\s*(?:remind|tell|email|write\s+to|let|thank|invite|update)\s+(?:everyone|everybody|all)\b",
        plain, re.I))
