"""A request told to the assistant as a story, read for what goes in the email.

People explain before they ask: "I'm a roofer. Customer is Mrs Patterson at 9 Elm Close.
Quoted her £3,850 … I need to confirm the price and tell her we need a 20% deposit. Keep it
short." Only some of that is the email. ``retold`` turns such a request into the form the
rest of the reading knows ("write to Mrs Patterson: Quoted her £3,850 … confirm the price
and tell her …"):

- the ask to write, wherever it stands ("Please write to Dr. Nwosu at Leeds inviting her
  to …", "I want a firm but fair email reminding him of …", "Need an email to all
  members:"), becomes the lead, and what it asks for stays in its place;
- a sentence that only introduces the reader to the assistant ("My manager is Tobias
  Lindgren.", "Customer is Mrs Patterson at 9 Elm Close.") gives the lead, and goes;
- a sentence about the writing itself ("Keep it short.", "Make it respectful.", "Nothing
  too flowery please.", "Sound enthusiastic!") goes;
- the writer's own job, said first ("I'm a roofer."), goes: the reader knows it;
- "I want to …", "I need to …" before an act ("I need to confirm the price") is the act.

No model; English only. A request of one sentence, or one with a pasted email, is left as
it is.
"""

from __future__ import annotations

import re

from trainer.titles import HONORIFIC

# How an email should sound, never what it is about.
TONE = (r"(?:nice|kind|polite|friendly|formal|informal|casual|warm|firm|professional|"
        r"light|gentle|upbeat|positive|short|brief|concise|simple|clear|genuine(?:ly)?|"
        r"grateful|sincere|apologetic|tactful|diplomatic|direct|blunt|chatty|pushy|salesy|"
        r"preachy|stiff|cold|rude|respectful|reassuring|enthusiastic|excited|cheerful|"
        r"confident|calm|passive[\s-]aggressive|needy|desperate|grovel(?:l?ing|l?y)?|gracious|"
        r"graceful|humble|gentle|gently|politely|nicely|kindly|warmly|firmly|honest|candid|"
        r"constructive|supportive|encouraging|empathetic|understanding|clear|fair|reasonable|heartfelt)")

# Words a sentence about the writing is made of, besides the tone words: "Polite but firm
# please.", "Not too long.", "Short and sweet."
_WRITING_WORDS = set("""please pls plz but and or not too very quite really a bit little more
less so just keep make it its it's the tone email mail message note reply letter should be
sound sounds sounding is fine ok okay no need to overly over that this one sweet long lengthy wordy
flowery formal stuffy simple friendly short""".split())
_TONE_WORD = re.compile(rf"^{TONE}$", re.I)
# How long or how dressed up, said of the email: as much about the writing as a tone.
_STYLE_WORDS = {"short", "long", "flowery", "wordy", "formal", "stuffy", "lengthy", "sweet",
                "mushy", "soppy", "cheesy", "corporate", "sappy", "emotional", "dramatic", "fun",
                "funny", "light-hearted", "cheeky", "chatty", "breezy", "snappy", "punchy", "gushing",
                "gushy", "salesy", "stiff"}
# Explicit forms: "make it sound …", "don't make it sound like a threat", "nothing too
# flowery", "write it in English", "don't grovel", "no need to be formal".
_ABOUT_WRITING = re.compile(
    r"^(?:(?:and|but|so|also|oh|btw)\s+)?(?:please\s+|pls\s+)?(?:"
    r"(?:make|keep)\s+(?:it|the\s+(?:email|tone|message|note|reply))\b"
    r"|(?:i\s+)?(?:don['’]?t|do\s+not)\s+want\s+(?:it\s+|this\s+)?to\s+(?:sound|come\s+across|be\s+too)\b"
    r"|(?:i\s+)?(?:don['’]?t|do\s+not)\s+want\s+(?:any\s+)?(?:drama|fuss|a\s+fight|an\s+argument|to\s+make\s+a\s+fuss|"
    r"to\s+start\s+a\s+(?:feud|fight|row))\b"
    r"|(?:don['’]?t|do\s+not|dont|doesn['’]?t\s+need\s+to|no\s+need\s+to)\s+(?:make\s+it|be|sound|grovel|"
    r"go\s+overboard|overdo|ramble|waffle|beg|make\s+(?:a\s+)?(?:big\s+)?(?:deal|fuss))\b"
    r"|(?:it\s+)?(?:should|must|needs\s+to)\s+(?:sound|be|read|come\s+across)\b"
    # "I want it polite because he is more senior."
    r"|(?:i\s+)?(?:want|need|would\s+like|['’]d\s+like)\s+(?:it|this|the\s+(?:email|tone))\s+(?:to\s+(?:be|sound)\s+)?"
    r"(?=(?:very\s+|quite\s+|more\s+|a\s+bit\s+)?" + TONE + r"\b)"
    r"|(?:sound|come\s+across\s+as)\s+\w+"
    r"|nothing\s+(?:too\b|grovel\w*|fancy|over\s+the\s+top)|not\s+too\b|no\s+(?:waffle|fluff|grovel\w*|drama|essay|fuss|pressure|guilt|jargon|"
    r"emojis?|exclamation\s+marks?|[a-z]+ing)\b"
    r"|(?:write|do)\s+(?:it\s+)?in\s+(?:english|plain\s+english|a\s+\w+\s+tone)"
    # "Kindly help me write it in respectful way."
    r"|(?:kindly\s+|please\s+|pls\s+)?(?:help\s+me\s+)?(?:write|word|put)\s+(?:it|this)\s+in\s+(?:an?\s+)?\w+\s+(?:way|manner|tone)"
    r"|(?:the\s+)?tone\s*(?:[:—–-]|should|is)"
    r"|use\s+(?:a\s+)?\w+\s+tone"
    # "Write it, nothing grovelling."
    r"|(?:write|draft)\s+(?:it|this|one)(?:\s+for\s+me)?\s*(?:,|$)"
    r")", re.I)
# "…, so don't make it sound like a threat": the same, as the last clause of a sentence.
_ABOUT_WRITING_TAIL = re.compile(
    r"[,;]?\s+(?:so|but|and)\s+(?:please\s+)?(?:don['’]?t|do\s+not)\s+(?:make\s+it\s+sound|sound)\b[^.!?]*$"
    r"|[,;]\s*(?:please\s+)?(?:make|keep)\s+it\s+(?:\w+\s+){0,2}?" + TONE
    + r"\b(?:\s+(?:but|and)\s+" + TONE + r")?(?=\s*[,;]|\s*$)"
    # "…, nothing cheesy", "…, not too formal"
    r"|[,;]\s*(?:nothing|not|no)\s+(?:too\s+|overly\s+)?(?:" + TONE + r"|cheesy|flowery|mushy|soppy|"
    r"formal|corporate|long|wordy|stuffy|sappy|(?:fake\s+|made[\s-]up\s+)?excuses?|grovel\w*|waffle)\b(?=\s*[,;]|\s*$)"
    # "…, kind but clear, no fake excuses": the tone, said last ("big, warm, bright" is not)
    r"|,\s*" + TONE + r"\s+but\s+" + TONE + r"(?=\s*$)", re.I)

# What the email is to leave out, told to the assistant: "Don't mention the table", "…, and
# don't bring up the money". Not "don't mention it to Sam", which the reader is asked.
_LEAVE_OUT = re.compile(r"(?i)(?:^|[,;]\s*(?:(?:and|but)\s+)?|\s+(?:and|but)\s+)(?:please\s+|pls\s+)?"
                        r"(?:(?:don['’]?t|do\s+not|dont|no\s+need\s+to|never)\s+(?:mention|bring\s+up|"
                        r"say\s+anything\s+about|talk\s+about|refer\s+to)|leave\s+out)\b")
_TOLD_ON = re.compile(r"(?i)[^,.;]*?\bto\s+(?:anyone|anybody|him|her|them|the\s+others|others|(?-i:[A-Z][a-z]+))\b")

# Who the email is to, as a story names them.
_NAME = (rf"(?:Mr\.?\s*(?:&|and)\s*Mrs\.?\s+[A-Z][\w'’-]+|(?:dr|mr|mrs|ms|prof)\.\s*[a-z][\w'’-]+"
         rf"|(?:{HONORIFIC}\.?\s+)?[A-ZÀ-Þ][\w'’-]+(?:\s+[A-ZÀ-Þ][\w'’-]+)?)")
_GROUP = (r"(?:(?:the|my|our|their|those|these|all|all\s+the|all\s+our)\b(?:\s+[A-Za-z0-9][\w'’-]*){1,6}?|everyone|everybody"
          r"|(?:customer\s+(?:service|services|support|care)|support|helpdesk|reception|admissions|accounts|billing)"
          r"(?:\s+(?:of|at|for)\s+[A-Z][\w'’&.-]*(?:\s+[A-Z][\w'’&.-]*)*)?"
          r"|[A-Z][\w'’&-]+['’]s\s+(?:[a-z]+\s+){0,2}(?:team|support|desk|office|department|service|services))"
          r"(?=\s+(?:at|in|from|about|re|regarding|asking|telling|thanking|inviting|reminding|"
          r"saying|letting|to\s+(?:ask|say|tell|let|thank|invite|remind)|that|and|[a-z]+ing"
          r"|to\s+(?!(?:the|a|an|my|our|his|her|their|me|you|him|them|us|be)\b)[a-z]+)\b"
          r"|\s*[:,.!?—–(]|$)")
# What the reader is to the writer, said before their name: "my landlady", "our CA,", "a
# member named", "the physio,".
_ROLE_BEFORE = (rf"(?:[a-z]+\s+(?:of|at|for)\s+(?:our|my|the)\s+[a-z]+\s*,\s*(?=(?:{HONORIFIC}\.?\s+)?[A-ZÀ-Þ])"
                r"|(?:my|our|the|his|her|their|a|an)\s+(?:(?!(?:of|at|from|in|for|on|to|and)\b)[a-z][\w'’-]*\s+){0,2}"
                r"(?:(?!(?:of|at|from|in|for|on|to|and)\b)[a-z][\w-]*|[A-Z]{2,3})"
                r"(?:,\s*|\s+[—–-]\s+|\s+(?:named|called)\s+|\s+)"
                rf"(?=(?:{HONORIFIC}\.?\s+)?[A-ZÀ-Þ]|(?:dr|mr|mrs|ms|prof)\.\s*[a-z])"
                # "write email to head nurse Gabriela", "to supplier Pavlos": the role, typed bare
                r"|(?:head\s+nurse|nurse|matron|supplier|landlord|landlady|contractor|colleague|tenant|"
                r"client|customer|neighbou?r|coach|tutor)\s+(?=[A-ZÀ-Þ][a-zà-þ]))")
# After the name, the sentence goes on with what to say, or ends.
_AFTER_NAME = (r"(?![’']s)(?=\s*[,.:;!?(—–-]|\s*$|\s+(?:at|from|in|of|to|about|re|regarding|that|and|"
               r"who|for|with|on|since|because|as|after|before|[a-z]+ing)\b"
               r"|\s+the\s+(?:[a-z]+\s+){1,3}(?:who\b|(?=[a-z]+ing\b)))")
# "Dr. Nwosu", "my landlady Frau Schneider", "our CA, Mr. Iyer,", "a member named
# Ferdinand": the name, after what they are to the writer; else a group or a role ("all
# members", "the school office"), an address, or "him".
_WHO = (rf"(?P<role>{_ROLE_BEFORE})?(?P<who>(?:{_NAME}){_AFTER_NAME}|(?:him|her|them)\b|{_GROUP}|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
        r"|[a-z][\w'’&.-]+(?=\s*[?.!:]\s*$))"
        r"(?:\s*,(?=\s))?")
# "I want to email her friend Doreen, …", "I need to email the local police to …"
_EMAIL_SOMEONE = (
    r"^(?:(?:so|and|but|now)[,]?\s+)?(?:(?:can|could|would)\s+(?:you|u)\s+)?(?:(?:please|pls|kindly)\s+)?"
    r"(?:i(?:\s+|(?=['’])))?(?:(?:need|want|would\s+like|['’]d\s+like)\s+to\s+)?(?:e-?mail|message)\s+"
    r"(?=(?:the|all|a|an|my|our|his|their)\s|her\s+(?!(?:an?|the|this|one)\s)|(?:him|her|them)\b(?!\s+(?:an?|the|this|one)\s)"
    r"|everyone\b|(?-i:[A-Z]))")
# The ask to write: "Please write to Dr. Nwosu …", "Can you help me write to my ward
# manager Siân.", "Kindly draft a mail to our CA, Mr. Iyer, regarding …", "Write an invite
# to Aunty Grace for …", "I need to email my insurer …".
_ASK_TO_WRITE = re.compile(
    r"^(?:(?:so|and|but|now|anyway|hi|hello)[,!]?\s+)?(?:(?:can|could|would)\s+(?:you|u|i)\s+(?:please\s+|pls\s+|have\s+)?"
    r"|(?:please|pls|kindly)[,]?\s+)?(?:(?:i(?:\s+|(?=['’])))?(?:need|want|would\s+like|['’]d\s+like)\s+(?:you\s+)?to\s+"
    r"|(?:i\s+)?need\s+(?=write\b))?"
    r"(?:help\s+me\s+(?:to\s+)?)?"
    r"(?:write|draft|compose|prepare|send|shoot|drop|do|make|e-?mail|message)\s+"
    r"(?:(?:a|an|the|this|my|one|me\s+an?)\s+)?(?:[\w'’-]+\s+){0,4}?"
    r"(?:(?:e-?mail|mail|note|message|letter|reply|response|chase|chaser|invite|invitation|"
    r"announcement|update|reminder|apology|complaint|thank[\s-]you(?:\s+note)?)\s+"
    r"(?:to\s+|for\s+(?=(?-i:[A-Z])|(?:a|an|my|our)\s+[a-z]+,?\s+(?-i:[A-Z])))|to\s+)"
    r"|" + _EMAIL_SOMEONE +
    r"|^(?:(?:please|pls|and)\s+)?(?:address|send)\s+it\s+to\s+",
    re.I)
# "I am writing to Frau Hoffmann, the secretary of our tennis club.": the lead, said first
_I_AM_WRITING = re.compile(r"^I['’]?\s*(?:am|m)\s+writing\s+to\s+(?=(?-i:[A-Z]))", re.I)
# "Need an email to all members: …", "I want a note for the parents".
_NEED_AN_EMAIL = re.compile(r"^(?:i(?:\s+|(?=['’]))|we\s+)?(?:need|want|would\s+like|['’]d\s+like)\s+(?:an?|one)\s+"
                            r"(?:[\w'’,-]+\s+){0,3}?(?:e-?mail|mail|note|message|letter|update|reminder)"
                            r"(?:\s+(?:to\s+)?go(?:ing)?(?:\s+out)?)?\s+(?:to|for)\s+", re.I)
# The same, with what to say and no one named: "I want a firm but fair email reminding him
# of …", "Write a polite but clear chase and mention …", "I want to send her a short email."
_WANTS_AN_EMAIL = re.compile(
    r"^(?:(?:so|and|but|now)\s+)?(?:(?:(?:i|we)(?:\s+|(?=['’])))?(?:want|need|would\s+like|['’]d\s+like)\s+"
    r"(?:to\s+(?:write|send|draft|e-?mail)\s+(?:(?:him|her|them)\s+)?)?|(?:please\s+|pls\s+|kindly\s+)?"
    r"(?:(?:can|could)\s+you\s+)?(?:help\s+me\s+(?:to\s+)?)?(?:write|draft|compose|send)\s+(?:(?:him|her|them)\s+)?)"
    r"(?:an?|the|this|one)\s+(?:[\w'’,-]+\s+){0,4}?"
    r"(?:e-?mail|mail|note|message|letter|chase|chaser|reply|response|reminder|apology|invite|thank[\s-]you)"
    r"(?:\s+(?:e-?mail|mail|note|message|letter|card))?"
    r"\b(?:\s+(?:to|for)\s+(?:him|her|them))?\s*(?P<rest>.*)$", re.I | re.S)
# "My manager is Tobias Lindgren.", "Customer is Mrs Patterson at 9 Elm Close.", "The
# property manager is Connor.": the reader, introduced, and nothing else said.
_ROLE_WORDS = (r"contact|manager|boss|supervisor|line\s+manager|landlord|landlady|teacher|tutor|"
               r"customer|client|agent|recruiter|coordinator|rep|representative|director|head|"
               r"secretary|officer|adviser|advisor|doctor|dentist|gp|consultant|vet|plumber|builder|"
               r"electrician|neighbou?r|tenant|colleague|coworker|co-worker|caseworker|accountant|"
               r"lawyer|solicitor|ca|principal|headteacher|lecturer|professor|nurse|coach|mentor|"
               r"buyer|seller|supplier|vendor|contractor|mechanic|hr|pa|assistant|organiser|organizer|"
               r"host|chair|treasurer|captain|name|chef|person|tradesman|trainer|instructor|"
               r"receptionist|administrator|inspector|engineer|surveyor|caretaker|warden|editor|owner")
_ROLE = rf"(?i:{_ROLE_WORDS})"
# Family and friends, as a story names them before their name: "my old flatmate Dmitri".
_KIN_AND_FRIENDS = (r"friend|mate|colleague|coworker|cousin|sister|brother|aunt|uncle|niece|nephew|"
                    r"son|daughter|grandson|granddaughter|sister-in-law|brother-in-law|mother-in-law|"
                    r"father-in-law|dad|mum|mom|father|mother|husband|wife|partner|flatmate|housemate|roommate|"
                    r"buddy|pal|bestie")
# Words that end as people's jobs do ("baker", "florist", "librarian") and are things.
_NOT_PEOPLE = (r"order|number|address|answer|letter|paper|cover|power|water|border|folder|poster|"
               r"charger|printer|computer|server|register|chapter|summer|winter|quarter|offer|"
               r"transfer|matter|member|floor|door|colour|color|error|mirror|flavour|favourite|list|"
               r"plan|budget|plant|event|payment")
# "My head baker is Odile.", "Our florist is Mrs Quint.": someone, by what they do
_BY_TRADE = rf"(?!(?:{_NOT_PEOPLE})\b)[a-z]+(?:er|or|ist|ian)"
_INTRODUCED = re.compile(
    rf"^(?:(?:[Mm]y|[Oo]ur)\s+(?:[a-z]+\s+)?{_BY_TRADE}|(?:(?:my|our|the|his|her|their)\s+)?(?:[\w'’-]+\s+){{0,3}}?"
    # "The guest who booked everything is Matthias": anyone, said with what they do
    rf"(?:{_ROLE}|[a-z]+(?=\s+(?:who|that)\s)))"
    rf"(?:\s+(?:there|here|at\s+(?:the\s+)?[\w'’&-]+(?:\s+[A-Z][\w'’&-]+)*))?"
    # "The tenant who deals with everything is …", "the person managing our property is …"
    r"(?:\s+(?:who|that)\s+[^,.;]{1,40}?|\s+[a-z]+ing\s+(?:[\w'’-]+\s+){0,3}?)?"
    r"\s*(?:is|['’]s|was)\s+"
    rf"(?:called\s+|named\s+)?(?:(?:their|our|my|the)\s+(?:[a-z]+\s+){{0,2}}?{_ROLE}\s*,?\s+"
    # "My mentor is a senior engineer called Olusegun Bakare."
    rf"|(?:(?:a|an)\s+(?:[a-z-]+\s+){{0,2}}?[a-z]+|someone|somebody)\s+(?:called|named)\s+)?(?P<who>{_NAME})"
    r"(?:\s*,?\s*(?:at|from|of|in)\s+[^.,;]{1,40})?(?:\s*,\s*(?:first\s+name|goes\s+by)\s+(?P<first>[A-Z][\w'’-]+))?"
    # "…, who's quite old school.", "…, she's fair but very busy, so it needs to be short.":
    # what they are like, told to the assistant
    r"(?:\s*,\s*(?:who|he|she)(?:['’]s|\s+is|\s+has|\s+was|['’]s\s+been|(?<=who)\s+[a-z]+ed)\s+[^.!?]*)?"
    r"\s*[.!]?$")
# "The owner is Declan Hughes and honestly he's always been reliable, and I know he had a
# flood …": the reader introduced, then more about them, which is read on.
_INTRODUCED_AND = re.compile(
    # (as they are now: "Her name was Edna and she was 91" speaks of someone gone)
    _INTRODUCED.pattern.split("(?P<who>")[0].replace(r"(?:is|['’]s|was)", r"(?:is|['’]s)") + rf"(?P<who>{_NAME})"
    r"(?:\s*,?\s*(?:at|from|of|in)\s+[^.,;]{1,40}?)?\s*,?\s+and\s+(?:(?:honestly|to\s+be\s+fair|tbh|frankly)\s*,?\s+)?"
    r"(?P<rest>(?:he|she|they)\b.+)$")
# "He's Oisín's father, Cathal Brennan.": the one spoken of, named.
_HE_IS_NAMED = re.compile(rf"^(?:He|She)['’]s\s+(?:[\w'’-]+\s+){{0,3}}?(?:{_ROLE}|{_KIN_AND_FRIENDS})\s*,\s*"
                          rf"(?P<who>{_NAME})\s*[.!]?$")
# "I'm a landlord with a tenant, Mr. Kowalski, at 17B Harrow Street.", "I have a client,
# Dana Wu, who …": the reader, introduced by the writer's own part.
_I_HAVE_A = re.compile(rf"^(?:I['’]m|I\s+am|I\s+have|we\s+have)\s+(?:(?:a|an)\s+[\w'’ -]{{1,30}}?\s+with\s+)?"
                       rf"(?:a|an|my|our)\s+(?:[\w'’-]+\s+){{0,2}}?{_ROLE},?\s+(?P<who>{_NAME})"
                       r"(?:\s*,?\s*(?:at|from|of|in)\s+[^.,;]{1,40})?\s*,?\s*[.!]?$")
# "The letting agent is Parkview Lettings and the property manager is Connor.": two, the
# person last.
_INTRODUCED_LAST = re.compile(rf"\band\s+(?:my|our|the|his|her|their)\s+(?:[\w'’-]+\s+){{0,2}}?{_ROLE}"
                              rf"(?:\s+(?:there|here))?\s+(?:is|['’]s)\s+(?P<who>{_NAME})\s*[.!]?$")
# "I'm a roofer.", "I'm a 2nd year student.", "I'm secretary of Westbury Bowls Club.": the
# writer's own job, which the reader knows.
_WHO_I_AM = re.compile(r"^(?:I['’]m|I\s+am)\s+(?:(?:a|an|the)\s+)?(?:[\w'’-]+\s+){0,3}?"
                       r"(?:[a-z]+(?:er|or|ist|ian|ant|ent|ary|ee)|student|teacher|nurse|"
                       r"landlord|landlady|parent|mum|mom|dad|member|volunteer|coach|chef|"
                       r"freelancer|secretary|treasurer|chair|captain|head|owner|manager)"
                       r"(?:\s+(?:of|at|for|in)\s+[^.,;]{1,40})?(?:\s*,\s*[^.,;]{1,30})?\s*[.!]?$")
# What the writer wants to do, said of themselves before the act: "I need to confirm …".
_I_WANT_TO = re.compile(
    r"^(?:(?:so|and|but|also)\s+)?(?:(?:i|we)(?:\s+|(?=['’])))?(?:(?:just|really|also)\s+)?(?:want|need|would\s+like|['’]d\s+like|"
    r"have|am\s+going|['’]m\s+going)\s+to\s+(?:(?:formally|politely|gently|firmly|also|just)\s+)?"
    r"(?=(?:ask|tell|thank|remind|decline|offer|invite|mention|let(?=\s+\w+\s+know\b)|say|inform|update|"
    r"accept)\b)",
    re.I)
_ROLE_BEFORE_NAME = re.compile(r"\b(?i:my|our)\s+(?:[a-z]+\s+)?(?i:colleague|friend|coworker|co-worker|"
                               r"neighbou?r|manager|boss|client|customer|tenant|landlord|landlady|"
                               r"teacher|student|assistant)\s+(?=[A-Z][\w'’-]+['’]s\b)")
# A pasted email or a list of notes, whose lines are the reading's to keep.
_PASTED = re.compile(r"[\"“][^\"”]{40,}[\"”]|^\s*>|^-{3,}\s*$|\n\s*\n[^\n]*\n|^\s*(?:[-*•]|\d{1,2}[.)])\s", re.M)
# Full stops that end no sentence.
_ABBREVIATION = re.compile(rf"(?:\b{HONORIFIC}|\b(?:St|Mt|No|vs|etc|e\.g|i\.e|approx|Rd|Ave|"
                           r"[A-Z]))\.$", re.I)


def sentences(text: str) -> list[str]:
    """The request cut at its sentence ends (not at "Dr." or "e.g.")."""
    out, start = [], 0
    for end in re.finditer(r"[.!?]+(?=\s+(?:[A-Z\"“'‘(]|[a-z]))|;(?=\s)", text):
        piece = text[start:end.end()]
        if end.group(0) == "." and _ABBREVIATION.search(" " + piece[-14:]):
            continue
        if piece.strip():
            out.append(piece.strip())
        start = end.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


# Why that tone, told to the assistant: "he's 82", "she's a good client", "we go way back".
_WHY_THE_TONE = re.compile(
    r"(?i)(?:(?:he|she|they)['’](?:s|re)\s+(?:(?:a|an|my|our|old|good|great|new|valued|long-?time|"
    r"close|big)\s+)+(?:\w+\s+)?(?:mate|friend|pal|buddy|colleague|client|customer|boss|manager|"
    r"supplier|neighbou?r)s?|(?:he|she|they)['’](?:s|re)\s+(?:(?:usually|always|normally|generally|"
    r"really|very|quite|so|a\s+bit)\s+)?(?:been\s+)?(?:great|good|lovely|nice|reliable|brilliant|junior|"
    r"helpful|kind|patient|supportive|understanding|fair|decent|generous|"
    r"senior|new(?:\s+here)?|young|old|shy|sensitive|touchy|stressed|busy|swamped|relaxed|laid[\s-]back|"
    r"chill|easy-?going|old[\s-]school|traditional|strict|particular|fussy|prickly|formal|informal|\d{1,3})"
    r"|we\s+go\s+(?:way\s+)?back|we['’]re\s+(?:close|friends|mates))\W*$"
    # "… firm but polite, I don't want to sour things because …"
    r"|(?i:i['’]m\s+not\s+(?:one\s+for|a\s+fan\s+of|big\s+on|into)\s+\w+"
    r"|i\s+don['’]?t\s+want\s+to\s+(?:sour|upset|offend|annoy|damage|ruin|burn|lose|scare|"
    r"embarrass|hurt)\b.*|(?:because|since|as)\s.*)$")


def about_the_writing(sentence: str) -> bool:
    """Whether a sentence only says how to write the email: "Keep it short.", "Polite but
    firm please.", "Sound enthusiastic!", "Nothing too flowery please.", "Please make it
    friendly, my German is not so good so write in English." — not "Don't be late." or
    "Make it clear the deadline is Friday."."""
    bare = sentence.strip().rstrip(".!?").strip()
    if not bare or ":" in bare:
        return False
    head, _, tail = bare.partition(",")
    if not _about(head):
        return False
    # "Gentle, he's 82.", "polite but firm, he's a good client": why, told to the assistant
    return not tail.strip() or _about(tail) or bool(_WHY_THE_TONE.match(tail.strip())) or bool(re.search(
        r"(?i)\b(?:english|language|tone|sound|word(?:ing|ed)?|write|formal|polite|email)\b", tail))


def _about(clause: str) -> bool:
    clause = re.sub(r"(?i)\bpassive\s+aggressive\b", "passive-aggressive", clause.strip())
    # "Be firm but respectful because he is older than me": the tone, and why
    clause = re.sub(r"(?i)\s+(?:because|since|as)\s+(?:he|she|they|we|i|it)\b.*$", "", clause)
    words = re.findall(r"[\w'’-]+", clause.lower())
    if not words:
        return False
    if all(w in _WRITING_WORDS or w in _STYLE_WORDS or _TONE_WORD.match(w) for w in words) and any(
            _TONE_WORD.match(w) or w in _STYLE_WORDS for w in words):
        return True
    lead = _ABOUT_WRITING.match(clause.strip())
    if not lead:
        return False
    if re.match(r"(?i)(?:(?:and|but|so)\s+)?(?:please\s+)?(?:make|keep)\s+it\s+sound\b", clause) or re.search(r"(?i)\bsound(?:s|ing)?\s+like\b|\bin\s+(?:plain\s+)?english\b|\btone\b|"
                 r"\bgrovel|\bwaffle|\bramble|\boverboard|\bover-?\w+", clause):
        return True
    rest = re.findall(r"[\w'’-]+", clause[lead.end():].lower())
    return all(w in _WRITING_WORDS or w in _STYLE_WORDS or _TONE_WORD.match(w) for w in rest) \
        and (not rest or any(_TONE_WORD.match(w) or w in _STYLE_WORDS for w in rest))


# What a request for time off or a favour asks for: "… for leave approval from 14th …".
_ASKED_FOR = (r"(?=(?:leave|approval|permission|sick\s+leave|annual\s+leave|a\s+day\s+off|time\s+off|"
              r"an?\s+extension|a\s+refund|a\s+reference|a\s+recommendation)\b)")
# After whom to write to, what to say: "… to thank him for …", "… that the balance is …",
# "… asking if …", "… regarding GST filing", "… who hasn't paid", "… whose order …".
_SAYS_WHAT = re.compile(
    r"\s*,?\s*(?:(?:one\s+of|my|our|the)\s[^,]{1,40},\s*)?(?:(?:at|from)\s+[A-Z][\w'’&-]+(?:\s+(?:&|and|[A-Z][\w'’&-]+))*\s*[—–,-]?\s*)?(?:to\s+(?:say|tell|ask|thank|let|remind|"
    r"confirm|invite|inform)\b|that\b|(?:asking|telling|thanking|inviting|reminding|saying|letting|"
    r"confirming|offering|requesting|updating|apologi[sz]ing|informing)\b|regarding\b|who\b|whose\b"
    r"|the\s+(?:[a-z]+\s+){1,3}(?:who\b|(?=[a-z]+ing\b))|complaining\b"
    r"|for\s+(?:his|her|their)\s+(?:\d+\w*\s+)?birthday\b|:|since\b|because\b|for\s+" + _ASKED_FOR +
    r"|,?\s*\d+[\w ,'’-]*?(?:[A-Z]{1,2}\d{1,2}[A-Z]?\s*\d[A-Z]{2}|\d{5})?\s*[.!]?$)")
# A sentence that leads with what to do, as the rest of the reading knows leads: "could you
# write a cover email for …", "Tell him the boiler …", "Can you help me ask my boss …".
_LEADS = re.compile(
    r"(?i)^(?:(?:hi|hey|hello|so|ok|okay)[,!]?\s+)?(?:(?:can|could|would)\s+(?:you|u)\s+|please\s+|pls\s+|kindly\s+)*"
    r"(?:help\s+me\s+(?:to\s+)?)?(?:write|draft|compose|prepare|send|e-?mail|message|reply|respond|ask|tell|"
    r"remind|thank|let|invite|confirm|decline|accept|follow|chase|congratulate|apologi[sz]e|say|"
    r"mention|offer|update|inform)\b")
# "… to Professor Nowak requesting a two-week extension": what to say, as an act.
_GERUND_SAID = re.compile(r"\s*,?\s*(?:asking|requesting|thanking|inviting|telling|reminding|"
                          r"letting|confirming|offering|apologi[sz]ing|updating|informing)\b")
# "thank Ben (kids football coach)": what they are, told to the assistant.
ASIDE_AFTER_NAME = re.compile(
    rf"(?i:^((?:please\s+)?(?:thank|tell|ask|email|write\s+to|remind|invite|congratulate|message)\s+))"
    rf"((?:{HONORIFIC}\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s*"
    r"\((?![^()]*\bname)(?:my\s+|our\s+|the\s+|his\s+|her\s+|their\s+)?[a-z][^()]{0,40}\)")
# A story that opens on someone: "My old uni friend Callum …", "My team member Oksana …".
_OPENS_ON = re.compile(r"^(?:(?:so|ok|okay|right)[,]?\s+)?(?i:my|our)\s+(?:[a-z][\w'’-]*\s+){0,3}?"
                       rf"(?:{_KIN_AND_FRIENDS}|neighbou?r|boss|manager|tenant|landlord|landlady|client|"
                       r"customer|student|member|teacher|coach|tutor|assistant)\s+(?P<who>[A-ZÀ-Þ][\w'’-]+)\b(?![’']s)")
# The verb after "who", said to them: "… who hasn't paid" → "you haven't paid".
_YOU_FORM = {"has": "have", "hasn't": "haven't", "hasn’t": "haven’t", "is": "are", "isn't": "aren't",
             "isn’t": "aren’t", "was": "were", "wasn't": "weren't", "wasn’t": "weren’t",
             "does": "do", "doesn't": "don't", "doesn’t": "don’t", "keeps": "keep", "owes": "owe",
             "wants": "want", "needs": "need", "lives": "live", "works": "work", "runs": "run"}


# What the people written to are asked to do: "… to all staff to submit timesheets by 5",
# "… to do the needful and return the forms".
_TO_ACT = re.compile(r"^to\s+(?:do\s+the\s+needful\s+(?:and\s+)?)?(?=(?:submit|complete|fill|return|bring|"
                     r"attend|sign|pay|book|join|upload|clear|finish|hand|wear|register|read|reply|respond|"
                     r"vote|park|use|avoid|keep|make\s+sure|please)\b)|^to\s+do\s+the\s+needful\b\s*", re.I)


# Written to people, who can be asked to act ("all shift leads"), not to a shop or a desk.
_PEOPLE = re.compile(r"(?i)\b(?:all|everyone|everybody)\b|[a-z]s\s*,?\s*$")


def _what_to_say(sentence: str, ask_end: int, start: int, kinds: bool = True) -> str:
    """What the ask to write says to say, after whom it is to: "… at Leeds inviting her to
    give a talk" → "invite her to give a talk"."""
    asked, rest = sentence[:ask_end], sentence[start:]
    # "…, one of our regulars, asking …", "… at Leeds inviting her …": said to the
    # assistant about them.
    rest = re.sub(r"^\s*,?\s*(?:one\s+of\s+|my\s+|our\s+|the\s+)[^,]{1,70},", "", rest)
    rest = re.sub(r"^\s*\([^)]{1,60}\)", "", rest)  # "Jo (my co-teacher)"
    # "Write to Declan, firm but understanding, and offer …": how to write it, then what
    how = re.match(r"^\s*[,:]?\s*(?P<how>[^,:]{1,40}?)\s*,\s*(?:and\s+)?(?=\w)", rest)
    if how and about_the_writing(how.group("how")):
        rest = rest[how.end():]
    # "… her friend Doreen, who's known her since school, to ask …": about them, to the assistant
    rest = re.sub(r"^\s*,?\s*who(?:['’](?:s|d|ve)|\s)[^,]{1,60},\s*(?=to\s)", "", rest)
    rest = re.sub(r"^\s*,?\s*the\s+[a-z]+\s+who\b[^.,;]*", "", rest)  # "Mr Okoro the electrician who …"
    rest = re.sub(r"^\s*,\s*(?:the|my|our)\s+[^.;,]{1,60}[.!]?$", "", rest)  # "…, the secretary of our club."
    rest = re.sub(r"^\s*,?\s*the\s+(?:[a-z]+\s+){0,2}[a-z]+\s+(?=[a-z]+ing\b)", "", rest)  # "… the head teacher complaining"
    rest = re.sub(r"^complaining\s+(?:about\s+)?", "I'm writing to complain about ", rest)
    # "… my old friend Margaret who I have not spoken to in years": about them, to the assistant
    rest = re.sub(r"^\s*,?\s*who\s+(?:I|we|you|he|she|they)\b.*$", "", rest)
    rest = re.sub(r"^\s*,?\s*who(?:\s+(?:still|also|just|never))?\s+(\w+)(?:\s+(not))?",
                  lambda m: "you " + " ".join(w for w in (_YOU_FORM.get(m.group(1), m.group(1)), m.group(2)) if w),
                  rest)
    rest = re.sub(r"^\s*,?\s*whose\s+", "your ", rest)
    rest = re.sub(r"^for\s+(?:his|her|their)\s+((?:\d+\w*\s+)?birthday)\b[,.]?", r"Happy \1!", rest)
    rest = re.sub(r"^\s*(?:at|from|in)\s+[A-Z][\w'’&-]+(?:\s+(?:&|and|[A-Z][\w'’&-]+))*", "", rest)
    rest = re.sub(r"^\s*(?:at|from)\s+the\s+[a-z]+(?=\s+(?:regarding|about|re)\b)", "", rest)
    rest = re.sub(r"^\s*[—–-]\s*", "", rest)
    rest = re.sub(r"^\s*(?:for\s+me|please|pls)\b", "", rest).strip(" ,:—–-")
    # "… her directly, not my manager, and just say …": how it is sent, then what is said
    rest = re.sub(r"^(?:directly|privately|personally|separately)\b(?:\s*,\s*not\s+[^,]{1,30},)?\s*(?:and\s+)?"
                  r"(?:just\s+)?(?:say|tell\s+(?:him|her|them))\s+(?:that\s+)?(?:(?:hey|hi)\s*,\s*)?", "", rest)
    rest = _that_acts(rest, strict=True)  # "… a reply to him that apologises, explains …, and invites him …"
    rest = re.sub(r"^that\s+", "", rest)
    rest = re.sub(r"^for\s+" + _ASKED_FOR, "I'm writing to ask for ", rest)
    # "… to Dev since he'd be my manager": why, told to the assistant
    rest = re.sub(r"^(?:since|because|as)\b.*$", "", rest)
    # "… to a customer, Mrs. Patterson, 42 Elm Grove, Leeds LS6 2AB": where they live
    if re.match(r"\s*,\s*\d", sentence[start:]):
        rest = re.sub(r"^\d+[\w ,'’-]*?(?:[A-Z]{1,2}\d{1,2}[A-Z]?\s*\d[A-Z]{2}|\d{5})?\s*[.!]?$", "", rest)
    # "… to say I need to move my session", "… to ask if …": the act, said
    rest = re.sub(r"^to\s+(?:say|tell\s+(?:him|her|them))\s+(?:that\s+)?", "", rest)
    rest = re.sub(r"^to\s+let\s+(?:him|her|them)\s+know\s+(?:that\s+)?", "", rest)
    rest = re.sub(r"^to\s+(?=(?:ask|thank|remind|confirm|invite|apologi[sz]e|inform|decline|accept)\b)", "", rest)
    rest = re.sub(r"^(?:informing|inform|letting\s+(?:him|her|them)\s+know|telling\s+(?:him|her|them))"
                  r"\s+(?:(?:him|her|them)\s+)?that\s+", "", rest)
    if _PEOPLE.search(sentence[ask_end:start]):
        rest = _TO_ACT.sub("please ", rest)  # "… all team members to submit timesheets"
    rest = re.sub(r"^to\s+(?=[a-z]+\b)", "I'd like to ", rest)  # "… to set up a one-to-one"
    rest = re.sub(r"^introducing\s+(?:him|her|them)\s+to\s+", "I'd like to introduce you to ", rest)
    if sentence.endswith("?") and re.match(r"(?i)(?:can|could|would)\b", sentence):
        rest = rest.rstrip("?").rstrip().rstrip(".") + "."  # asked of the assistant, not the reader
    if re.search(r"(?i)\binvit(?:e|ation)\s+(?:to|for)\s*$", asked) and re.match(r"(?i)(?:for|to)\s+\S", rest):
        rest = "I'd like to invite you to " + rest.split(None, 1)[1]
    if kinds:
        rest = _kind_opening(asked, rest)
    return _gerund_list(rest)


def _kind_opening(asked: str, rest: str) -> str:
    """What the kind of email asked for opens with: "an apology to …" → "I'm sorry.", "a
    resignation email" → "I'm writing to resign.", "a thank-you" → "Thank you."."""
    sorry = re.search(r"(?i)\b(?:sorry|apolog\w*)(?:[\s-]+for[\s-]+((?:the[\s-]+)?[a-z]+))?", asked)
    if sorry and not re.match(r"(?i)(?:i['’]m\s+)?(?:sorry|apolog)", rest):
        rest = f"I'm sorry{' for ' + sorry.group(1).replace('-', ' ') if sorry.group(1) else ''}. {rest}"
    if re.search(r"(?i)\bresign", asked) and not re.search(r"(?i)\bresign", rest):
        rest = f"I'm writing to resign. {rest}"
    if re.search(r"(?i)\bfollow[\s-]?up\b", asked):
        rest = re.sub(r"^(?:after|on|from|re|regarding|about)\s+", "Just following up on ", rest)
    if re.search(r"(?i)\bcomplain", asked):
        rest = re.sub(r"^(?:regarding|about|re)\s+", "I'm writing to complain about ", rest)
        if not rest.strip(" .!?"):
            rest = "I'm writing to complain."
    if re.search(r"(?i)\bquote\b", asked) and not re.search(r"(?i)\bquote\b", rest):
        rest = f"Here's my quote. {rest}".strip()
    if re.search(r"(?i)\bthank[\s-]you\b", asked) and not re.match(r"(?i)thank", rest):
        rest = ("thank you " + rest if re.match(r"(?i)for\b", rest)
                else "thank you. " + rest if rest.strip(" .") else "thank you.")
    return rest


# "… an email that lists the dates I called and asks for a repair by Friday": the acts, said
_THAT_VERBS = {"asks": "ask", "tells": "tell", "reminds": "remind", "thanks": "thank",
               "mentions": "mention", "says": "say", "invites": "invite", "offers": "offer",
               "apologises": "apologise", "apologizes": "apologize", "confirms": "confirm",
               "requests": "request", "suggests": "suggest", "lets": "let", "warns": "warn",
               "explains": "explain", "informs": "inform", "proposes": "propose",
               "congratulates": "congratulate", "welcomes": "welcome", "declines": "decline",
               "accepts": "accept"}


def _that_acts(rest: str, strict: bool = False) -> str:
    """``strict``: only where every act is one it knows ("that fees are going up" and "that
    lists the dates" are left as they are)."""
    found = re.match(r"(?:that|which)\s+(?=\w+s\b)", rest)
    if not found:
        return rest
    acts = []
    for part in re.split(r",\s*(?:and\s+)?|\s+and\s+(?=\w+s\b)", rest[found.end():]):
        verb, _, what = part.strip().partition(" ")
        if verb.lower() in _THAT_VERBS:
            acts.append(f"{_THAT_VERBS[verb.lower()]} {what}".strip())
        elif not verb.lower().endswith("s") and acts:
            acts[-1] += f", {part.strip()}"
        elif strict:
            return rest
    return "; ".join(acts)


def _who_of(found: re.Match) -> str:
    return (found.groupdict().get("first") or found.group("who")).strip()


def retold(text: str) -> str:
    """The request with the ask to write as its lead and what was said to the assistant
    left out (see the module); a request it does not read as a story comes back as it is."""
    if _PASTED.search(text):
        # "… / - Nadia will present the client brief / short pls": the last line, about the
        # writing, goes; the lines are the reading's to keep.
        lines = text.rstrip().splitlines()
        if len(lines) > 2 and about_the_writing(lines[-1].strip(" -*•")):
            return "\n".join(lines[:-1]).rstrip()
        return text
    # "short pls: luca needs to sign the nda": how to write it, then what to say
    lead = re.match(r"^([^:\n]{1,30}):\s*(?=\S)", text)
    if lead and about_the_writing(lead.group(1)):
        text = text[lead.end():]
    told = [part for sentence in sentences(" ".join(text.split())) for part in _ask_apart(sentence)]
    if not told:
        return text
    story = _Story(told)
    for n, sentence in enumerate(told):
        story.read(n, sentence)
    return story.request() or text


# "I'm organising a charity 10k and need to email the local police to …": the ask to
# write, said after a comma or an "and", begins its own sentence.
_ASK_AFTER_AND = re.compile(r"(?:,\s*|\s+)(?:and|so)\s+(?=(?:I\s+)?(?:need|want|have)\s+to\s+"
                            r"(?:e-?mail|write\s+to|message)\s)", re.I)


def _ask_apart(sentence: str) -> list[str]:
    found = _ASK_AFTER_AND.search(sentence)
    if not found or found.start() < 12:
        return [sentence]
    ask = sentence[found.end():]
    ask = ask if re.match(r"(?i)I\b", ask) else "I " + ask
    return [sentence[:found.start()].rstrip(" ,") + ".", ask]


class _Story:
    """One request's sentences, read in order: whom the email is to, and what it says."""

    def __init__(self, told: list[str]):
        self.told = told
        self.who = ""
        self.kept: list[str] = []
        self.changed = False
        self.acting = False  # whether what to say has begun: an introduction after it is said
        self.left_first = False  # the first sentence, an ask to write, kept for the reading

    def read(self, n: int, sentence: str) -> None:
        sentence = self._without_how_to_write(sentence)
        if sentence:
            sentence = self._introduced_and_more(sentence)
        if not sentence or self._names_the_reader(n, sentence):
            return
        written = self._writing_to_them(sentence)
        if written != sentence:
            if written:
                self.kept.append(written)
            return
        if self._asked_to_write(n, sentence) or self._wants_an_email(n, sentence):
            return
        self._said(sentence)

    def request(self) -> str:
        """The request retold; "" where nothing in it needed telling again."""
        if not self.who and not self.left_first and self.kept:
            # "My old uni friend Callum is getting married … tell him how gutted I am": the
            # one the story opens on, or the one it introduces, spoken of after as "him"
            opening = _OPENS_ON.match(self.told[0])
            if opening and re.search(r"\b(?:him|her|them)\b", " ".join(self.told[1:])):
                self.who = opening.group("who")
            else:
                self.who = _introduced_then_asked(self.told)
            self.changed = self.changed or bool(self.who)
        if not self.changed or not self.kept:
            return ""
        body = " ".join(self.kept)
        if self.who:
            # "My sister-in-law is Charlotte and she hosted us …", written to Charlotte
            body = re.sub(rf"^(?i:my|our)\s+(?:[\w'’-]+\s+){{0,3}}?(?:is|was)\s+{re.escape(self.who)}\s+and\s+(\w)",
                          lambda m: m.group(1).upper(), body)
        # Where the first sentence leads as it was typed, the name told goes unsaid: the
        # greeting reads it from the request ("Her name is Claire.").
        return f"write to {self.who}: {body}" if self.who and not self.left_first else body

    def _without_how_to_write(self, sentence: str) -> str:
        """The sentence without what it says of how to write; "" where that is all it says."""
        before = sentence
        # "Don't mention the table, I'm only guessing.": what the email leaves out, and why
        left_out = _LEAVE_OUT.search(sentence)
        if left_out and not _TOLD_ON.match(sentence, left_out.end()):
            sentence = sentence[:left_out.start()].rstrip(" ,;")
            self.changed = True
            if not sentence or about_the_writing(sentence):
                return ""
            sentence += "."
        but = re.search(r"[,;]\s*(?:but|and|so)\s+(?=\S)|\s+but\s+(?=\S)", sentence)
        if but and about_the_writing(sentence[:but.start()]):
            # "Don't be passive aggressive, but I need a review by noon": the need is said
            sentence = sentence[but.end():]
        # A note in a list of notes ("Watering rota — Ruth; Short; Check") is a note, not how
        # to write: only a word of its own ends in "." or "!" or ends the request.
        if about_the_writing(sentence) and not (sentence.endswith(";") and len(sentence.split()) == 1):
            self.changed = True
            return ""
        # "Doreen isn't great with tech so keep it simple.": the tone, and why
        why = re.search(r"\s*,?\s+so\s+(?=(?:please\s+)?(?:keep|make|be|write|don['’]?t|do\s+not|not\s+too|"
                        r"nothing\s+too|no\s+need|proper|(?:i\s+)?don['’]?t\s+want\s+it\s+to)\b)", sentence)
        if why and about_the_writing(sentence[why.end():]):
            self.changed = True
            # "My manager is Petra, she's busy, so it needs to be short.": who, still told;
            # "I really liked the team so keep it gracious.": what the writer says stays
            head = sentence[:why.start()].rstrip(" ,") + "."
            return head if _INTRODUCED.match(head) or re.match(r"(?i)I\b|I['’]", head) else ""
        head, comma, tail = sentence.partition(",")
        if comma and _about(head) and tail.strip(" .!?") and not about_the_writing(tail):
            # "I don't want to sound like I'm complaining, I love the ward": what is said
            sentence = tail.strip()[:1].upper() + tail.strip()[1:]
        end = sentence[-1] if sentence[-1] in ".!?" else ""
        core = sentence.rstrip(".!?").strip()
        while (bare := _ABOUT_WRITING_TAIL.sub("", core).strip()) != core:
            core = bare
        if core != sentence.rstrip(".!?").strip():
            sentence = core + end
        # "Want to ask: is there a cot, can we bring the dog": the questions, asked
        asked = re.match(r"(?i)(?:(?:i|we)\s+)?(?:want|need|would\s+like)\s+to\s+ask\s*:\s*", sentence)
        if asked:
            sentence = sentence[asked.end():].rstrip(".") + "?"
        self.changed = self.changed or sentence != before
        return sentence

    def _names_the_reader(self, n: int, sentence: str) -> bool:
        """Whether the sentence only tells the assistant who the reader is, or who the
        writer is: "to: my old landlord Mr Adeyemi", "My manager is Tobias.", "I'm a roofer."."""
        labelled = re.match(r"(?i)^(?:to|for)\s*:\s*", sentence)
        named = re.match(_WHO, sentence[labelled.end():].rstrip(".")) if labelled and n else None
        if named and named.end() == len(sentence[labelled.end():].rstrip(".")):
            self.who, self.changed = self.who or _name_of(named.group("who")), True
            return True
        introduced = _INTRODUCED.match(sentence) or _INTRODUCED_LAST.search(sentence) \
            or _I_HAVE_A.match(sentence) or _HE_IS_NAMED.match(sentence)
        # Once what to say has begun, "The new manager is Sarah." may be news for the
        # email; "My head chef is Andre." still only tells the assistant who they are.
        mine = re.match(r"(?i)(?:my|our)\s", sentence)
        if introduced and not self.who and (not self.acting or mine) \
                and _who_of(introduced) not in self.kept[:1]:
            self.who, self.changed = _who_of(introduced), True
            return True
        if n == 0 and _WHO_I_AM.match(sentence) and len(self.told) > 2:
            self.changed = True
            return True
        return False

    def _introduced_and_more(self, sentence: str) -> str:
        """ "The owner is Declan Hughes and honestly he's always been reliable, and I know
        he had a flood recently." → "I know he had a flood recently.", written to Declan:
        who they are and what they are like go to the assistant, what else is told stays."""
        introduced = _INTRODUCED_AND.match(sentence)
        if not introduced or self.who or (self.acting and not re.match(r"(?i)(?:my|our)\s", sentence)):
            return sentence
        self.who, self.changed = _who_of(introduced), True
        told = [part for part in re.split(r"\s*,\s*(?:and\s+|but\s+)?|\s+(?:and|but)\s+(?=(?:I|we)\b)",
                                          introduced.group("rest").rstrip(".!"))
                if part.strip() and not _WHY_THE_TONE.match(part.strip())]
        said = ", ".join(told).strip()
        return said[:1].upper() + said[1:] + "." if said else ""

    def _writing_to_them(self, sentence: str) -> str:
        """ "I'm writing to all the residents in the building to invite them": the act."""
        writing = re.match(r"(?i)^I['’]?m\s+writing\s+to\s+(?:all\s+)?(?:the|my|our|everyone)\b[^.]{0,60}?\s+to\s+"
                           r"(?P<act>invite|ask|tell|remind|thank|let)\s+(?:them|him|her)\b\s*(?P<rest>.*)$", sentence)
        if not writing:
            return sentence
        self.changed = True
        act, more = writing.group("act").lower(), writing.group("rest").strip(" .")
        if act == "invite":
            return "I'd like to invite you" + (f" {more}" if more else "") + "."
        if act == "thank":
            return "thank you" + (f" {more}" if more else "") + "."
        return f"{act} them {more}." if more else ""

    def _asked_to_write(self, n: int, sentence: str) -> bool:
        """Whether the sentence asks for the email to someone ("Please write to Dr. Nwosu at
        Leeds inviting her …"): whom to is the lead, and what it says is kept."""
        asks = _ASK_TO_WRITE.match(sentence) or _NEED_AN_EMAIL.match(sentence) or (
            _I_AM_WRITING.match(sentence) if n == 0 else None)
        named = re.match(_WHO, sentence[asks.end():]) if asks else None
        if asks and not named:
            # "I need to email the local police to let them know": whom to, not "a note to"
            asks = re.match(_EMAIL_SOMEONE, sentence, re.I)
            named = re.match(_WHO, sentence[asks.end():]) if asks else None
        if not named:
            return False
        name = _name_of(named.group("who"))
        person = name[:1].isupper() or "@" in name or bool(re.match(r"(?:dr|mr|mrs|ms|prof)\.", name))
        asked, after = sentence[:asks.end()], sentence[asks.end() + named.end():]
        rest = _what_to_say(sentence, asks.end(), asks.end() + named.end())
        if n == 0 and _what_to_say(sentence, asks.end(), asks.end() + named.end(), kinds=False).strip(" .!?") \
                and not _says_it_all(asked, after, person, bool(named.group("role")), len(self.told),
                                     named.group(0)):
            # The first sentence is left to the rest of the reading, which knows its leads.
            self.kept.append(self._first_lead(sentence, asks, named, person))
            self.left_first = True
            return True
        self.acting = self.changed = True
        # A complaint goes to a company ("British Gas"), whom no one greets by name.
        if not self.who and not re.search(r"(?i)complain", asked) and (
                person or n == 0 and not rest.strip(" .!?") and not re.fullmatch(r"[a-z][\w'’&.-]+", name)):
            self.who = name  # a group or a role leads too: "Write to the letting agent. …"
        if rest.strip(" .!?") and not re.match(r"(?i)(?:on|at|from|in|of)\b", rest):
            # "… the local police to let them know about road use": what it is about
            # ("about check-in: keys are in the lockbox" heads what follows, as it is)
            self.kept.append(rest if ":" in rest else
                             re.sub(r"^(?:about|regarding|re)\s+(?=\S)", "I'm writing about ", rest))
        return True

    def _first_lead(self, sentence: str, asks: re.Match, named: re.Match, person: bool) -> str:
        """The first sentence as the reading knows its leads: without what the reader is to
        the writer ("Draft an apology to a customer, Mr Lewis, whose …" → "… to Mr Lewis,
        whose …"), and "write to" for leads it does not know ("I'd like to write to …")."""
        if person and named.group("role"):
            self.changed = True
            return sentence[:asks.end()] + sentence[asks.end() + named.start("who"):]
        if person and _UNKNOWN_LEAD.fullmatch(sentence[:asks.end()]):
            self.changed = True
            lead = "write to " + sentence[asks.end() + named.start("who"):]
            if re.match(r"(?i)(?:(?:so|and|but|now|anyway|hi|hello)[,!]?\s+)?(?:can|could|would)\b", sentence):
                lead = re.sub(r"\?$", ".", lead)
            return lead
        return sentence

    def _wants_an_email(self, n: int, sentence: str) -> bool:
        """Whether the sentence asks for an email to no one named: "I want a firm but fair
        email reminding him of …", "Write the quote email for me, clear and professional."."""
        wants = _WANTS_AN_EMAIL.match(sentence)
        if not wants or re.match(r"(?i)(?:to|for|e-?mail|mail|letter|note)\b", wants.group("rest")):
            return False
        rest = re.sub(r"^(?:and|to)\s+", "", wants.group("rest").strip(" ,:—–-"))
        rest = re.sub(r"^for\s+me\b[,.]?\s*", "", rest).strip(" ,")
        if not (n > 0 or not rest.strip(" .!?") or _GERUND.match(rest)):
            return False
        self.changed = self.acting = True
        if about_the_writing(rest):
            rest = ""
        rest = _kind_opening(sentence[:wants.start("rest")], _that_acts(rest))
        # "… explaining this gently?": what the story before it says, nothing more
        rest = re.sub(rf"(?i)^explain(?:ing)?\s+(?:this|that|it|why|the\s+situation)\b"
                      rf"(?:\s*,?\s*(?:and\s+)?(?:{TONE}|\w+ly))*\s*[,;]?\s*(?:and\s+)?", "", rest)
        if sentence.endswith("?") and re.match(r"(?i)(?:can|could|would)\b", sentence):
            rest = rest.rstrip("?").rstrip().rstrip(".") + "."
        rest = re.sub(r"(?i)(?:^|(?<=[.!?]\s))from\s+(?:me|us|all\s+of\s+us)\b[^.!?]*[.!?]?\s*", "", rest).strip()
        if rest.strip(" .!?") and not re.match(r"(?i)(?:of|about|on|for|re|regarding|that|which|with|as)\b",
                                               rest):
            self.kept.append(_gerund_list(rest))
        return True

    def _said(self, sentence: str) -> None:
        """A sentence of what to say, in the form the reading knows."""
        before = sentence
        # "Pls to inform him that Karthik will handle my tickets": what to tell
        sentence = re.sub(r"(?i)^(?:please|pls|kindly)\s+(?:to\s+)?(?:inform|tell|let)\s+(?:him|her|them)\s+"
                          r"(?:know\s+)?that\s+", "", sentence)
        # "My colleague Rhiannon's father died": whose, without what they are to the writer.
        sentence = _ROLE_BEFORE_NAME.sub("", sentence)
        wish = _I_WANT_TO.match(sentence)
        if wish:
            sentence = sentence[wish.end():]
            # "decline but tell him how gutted I am": the no, then what goes with it
            sentence = re.sub(r"^(decline)\s*,?\s*but\s+(?=(?:tell|say|let|mention|make\s+it\s+clear)\b)",
                              r"\1; ", sentence)
        # "make it clear how gutted I am": said
        sentence = re.sub(r"(?i)\bmake\s+it\s+clear\s+(?=how\b|that\b)", "say ", sentence)
        if _LEADS.match(sentence):
            self.acting = True
            self.left_first = self.left_first or not self.kept
        self.changed = self.changed or (sentence != before and bool(wish))
        self.kept.append(sentence)


# Someone the story introduces as a person: "one of the dads, Pieter,", "an older man called
# Mr Pemberton", "The person to write to is Ines", "My sister-in-law is Charlotte", "a
# candidate, Zoë Marchetti,", "I met Harriet Olsen".
_PERSON_CUE = re.compile(
    rf"(?:\b(?i:my|our|the|a|an|his|her|their|one\s+of\s+(?:the|my|our))\s+(?:[a-z][\w'’-]*\s+){{0,3}}?"
    rf"(?:{_ROLE_WORDS}|{_KIN_AND_FRIENDS}|owner|candidate|person|man|woman|lady|guy|volunteer)s?"
    r"(?:\s+(?:there|here))?"
    r"(?:\s*,\s*|\s+(?:is|was)\s+|\s+(?:called|named)\s+|\s*[—–-]\s*(?:he|she)['’]s\s+called\s+|\s+)"
    # "A customer in Montreal, Chloé Tremblay, ordered …": anyone, set off by commas
    r"|\b(?i:a|an|the|my|our)\s+[a-z]+(?:\s+(?:in|at|from)\s+[A-Z][\w'’-]+)?\s*,\s*(?=[A-ZÀ-Þ][\w'’-]+(?:\s+[A-ZÀ-Þ][\w'’-]+)?\s*,)"
    r"|\b(?i:(?:he|she)['’]s|(?:he|she)\s+is)\s+(?i:called|named)\s+"
    r"|\b(?i:met|(?:used\s+to\s+)?(?:work|worked|studied|played|trained)\s+with|know|knew)\s+"
    r"|\b(?i:to\s+(?:email|write\s+to)|I\s+need\s+to\s+(?:email|write\s+to))\s+is\s+)"
    rf"(?P<name>(?:{HONORIFIC}\.?\s+)?[A-ZÀ-Þ][a-zà-þ'’-]+(?:\s+[A-ZÀ-Þ][a-zà-þ'’-]+)?)\b(?![’']s)")
# The ask made of someone by pronoun: "write him a proper thank-you", "email her", "let
# her down gently".
_ASKED_OF_THEM = re.compile(r"(?i)\b(?:write|email|e-mail|message|tell|thank|ask|let|invite|remind|"
                            r"congratulate|contact|reply\s+to|apologi[sz]e\s+to|offer|answer|letting|thanking|"
                            r"telling|asking|inviting|reminding|offering|congratulating)\s+(?:to\s+)?(?:him|her)\b"
                            r"|\b(?:to|for)\s+(?:him|her)\s*[.?!]?$")


def _introduced_then_asked(told: list[str]) -> str:
    """The one person a story introduces before it asks something of "him" or "her"; ""
    where it introduces no one, or more than one."""
    for n, sentence in enumerate(told):
        asked = _ASKED_OF_THEM.search(sentence)
        if not asked:
            continue
        before = " ".join([*told[:n], sentence[:asked.start()]])
        people = {re.sub(rf"^{HONORIFIC}\.?\s+", "", m.group("name")).split()[0]: m.group("name")
                  for m in _PERSON_CUE.finditer(before)
                  if not re.match(r"(?i)(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                                  r"january|february|march|april|may|june|july|august|september|"
                                  r"october|november|december|christmas|easter)\b", m.group("name"))}
        return next(iter(people.values())) if len(people) == 1 else ""
    return ""


def _name_of(who: str) -> str:
    """ "my Tita Baby": the name, as family call them."""
    return re.sub(r"^(?:my|our)\s+(?=(?:[A-ZÀ-Þ][\w'’-]+\s*){1,3}$)", "", who)


def _says_it_all(asked: str, after: str, person: bool, role: bool, sentences_told: int,
                 who: str = "") -> bool:
    """Whether a first sentence that asks to write says what to say after whom to, in a way
    only this reading reads: "… to my manager Mr. Sharma requesting leave …", "an invite to
    Aunty Grace for Dad's 70th", "a follow-up to Javier after our call", "a complaint to …
    regarding …", "email the under-14 parents: …"."""
    said = _SAYS_WHAT.match(after)
    if not person and _TO_ACT.match(after.strip()) and _PEOPLE.search(who):
        return True
    if person and (role or _GERUND_SAID.match(after)) and said:
        return True
    if re.search(r"(?i)invit", asked) and re.match(r"\s*(?:for|to)\s", after):
        return True
    if re.search(r"(?i)follow[\s-]?up", asked) and re.match(r"\s*(?:after|on|re)\s", after):
        return True
    if re.search(r"(?i)complain", asked) and re.match(
            r"\s*(?:(?:at|from)\s+[^,]{1,40}?\s+)?(?:regarding|about|re)\s", after):
        return True
    return not person and bool(re.match(r"\s*:", after)) and sentences_told > 1


# Leads the reading does not know, put as "write to": "I'd like to write to Councillor
# Abernethy about …", "Please prepare a response to Ms. Clarke …".
_UNKNOWN_LEAD = re.compile(
    r"(?i)(?:(?:so|and|but|now|anyway|hi|hello)[,!]?\s+)?(?:(?:can|could|would)\s+(?:you|u)\s+|"
    r"please\s+|pls\s+|kindly\s+)*(?:i(?:\s+|(?=['’]))(?:need|want|would\s+like|['’]d\s+like)\s+to\s+write\s+to\s+"
    r"|(?:help\s+me\s+(?:to\s+)?)?(?:compose|prepare|make)\s+(?:(?:an?|the|one)\s+)?(?:[\w'’-]+\s+){0,2}?"
    r"(?:e-?mail|mail|note|message|letter|response|reply)\s+to\s+)")


# "reminding him of the agreement, asking for payment within 7 days, and mentioning that
# …": each one an act, as the rest of the reading knows them.
_GERUND = re.compile(r"(?:(?<=^)|(?<=,\s)|(?<=\band\s)|(?<=,\sand\s))(?P<verb>reminding|asking|"
                     r"mentioning|telling|thanking|inviting|offering|saying|letting|confirming|"
                     r"explaining|requesting|apologi[sz]ing|suggesting|proposing|warning|"
                     r"informing|declining|accepting|congratulating|welcoming)\b")
_BARE = {"reminding": "remind", "asking": "ask", "mentioning": "mention", "telling": "tell",
         "thanking": "thank", "inviting": "invite", "offering": "offer", "saying": "say",
         "letting": "let", "confirming": "confirm", "explaining": "explain",
         "requesting": "request", "apologising": "apologise", "apologizing": "apologize",
         "suggesting": "suggest", "proposing": "propose", "warning": "warn",
         "informing": "inform", "declining": "decline", "accepting": "accept",
         "congratulating": "congratulate", "welcoming": "welcome"}


def _gerund_list(text: str) -> str:
    if not _GERUND.match(text):
        return text
    text = _GERUND.sub(lambda m: _BARE[m.group("verb").lower()], text)
    # "…, and attaching the correct one": what is sent with it
    return re.sub(r"(?:,\s*(?:and\s+)?|\s+and\s+)attaching\s+", ". I've attached ", text)


_EMAIL_NOUN = (r"(?:e-?mail|mail|note|message|letter|reply|response|chase|chaser|invite|invitation|"
               r"announcement|apology|complaint|thank[\s-]you)")
# The ask to write, as it reads when passed on into the email.
_WRITE_THIS = re.compile(
    rf"(?i)^(?:(?:hi|hey|hello|so|and|but|now|anyway)[,!]?\s+)?(?:"
    rf"(?:(?:can|could|would)\s+(?:you|u)\s+|please\s+|pls\s+|kindly\s+)*help\s+me\s+(?:to\s+)?"
    rf"(?:write|draft|word|reply|respond|compose|ask|say|tell)\b"
    rf"|(?:(?:can|could|would)\s+(?:you|u)\s+|please\s+|pls\s+|kindly\s+)*(?:write|draft|compose|prepare)\s+"
    rf"(?:(?:him|her|them|me)\s+)?(?:an?|the|this|my|one)\s+(?:[\w'’,-]+\s+){{0,4}}?{_EMAIL_NOUN}\b"
    rf"|(?:i|we)(?:\s+|(?=['’]))(?:really\s+)?(?:want|need|would\s+like|['’]d\s+like)\s+(?:you\s+)?to\s+(?:write|send|draft|e-?mail)\s+"
    rf"(?:(?:him|her|them|you)\s+)?(?:an?|one)\s+(?:[\w'’,-]+\s+){{0,4}}?{_EMAIL_NOUN}\b"
    rf"|(?:i\s+|we\s+)?(?:need|want)\s+(?:an?|one)\s+(?:[\w'’,-]+\s+){{0,3}}?{_EMAIL_NOUN}\s+(?:to|for)\b)")


def said_to_assistant(sentence: str) -> bool:
    """Whether a sentence of an email is the request's talk to the assistant, passed on:
    how to write it ("Keep it short."), or the ask to write it ("Can you write a cover
    email for my application?", "I want to send you a short email.")."""
    return about_the_writing(sentence) or bool(_WRITE_THIS.match(sentence.strip()))
