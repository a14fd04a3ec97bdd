"""How people are named with a title: one list, for reading requests ("ask prof tan …",
"email Herr Braun", "thx aunty grace") and greetings alike. Regular-expression sources,
to be placed inside larger patterns."""

from __future__ import annotations

# Written before a surname or a full name: "Dr. Osei", "Mrs O'Brien", "Herr Braun".
HONORIFIC = (r"(?:Dr|Mr|Mrs|Miss|Ms|Mx|Prof|Professor|Councillor|Cllr|Rev|Revd|Sir|Dame|Herr|Frau|"
             r"Mme|Madame|Monsieur|Pastor|Imam|Rabbi|Eng|Engr|Capt|Sr|Sra|Dott|Ma['’]am)")
# Written before a first name, by family, church, ward or team: "Aunty Grace", "Uncle
# Femi", "Father Michael", "Sister Okafor", "Coach Reyes", "Tita Baby".
KIN = (r"(?:coach|aunt|auntie|aunty|uncle|father|sister|grandad|grandpa|grandma|gran|granny|"
       r"nana|cousin|tita|tito|lola|lolo)")
# Either, with what follows it before the name ("Dr.Ahmed" is typed too).
TITLE = rf"(?:(?:{HONORIFIC}|(?i:{KIN}))(?:\.\s*|\s+))"
# The same, where the whole pattern is read case-blind.
TITLE_ANY_CASE = rf"(?:(?:{HONORIFIC}|{KIN})(?:\.\s*|\s+))"

# The lower-case words a surname may begin with: "Anouk van Dijk", "Luis de la Fuente".
PARTICLES = (r"(?:(?:van|von|de|da|di|del|della|der|den|la|le|du|dos|das|bin|binti|al|el|ter|ten)"
             r"\s+){0,2}")
