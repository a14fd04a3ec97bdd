"""Requests as people type them (``trainer.typed``), read plainly and then written as the
email (``trainer.literal``): shorthand, lower-case names, chatter, notes on tone, other
verbs for the same act, and leads that name who it is for."""

from __future__ import annotations

import pytest

from trainer.checks import asked_acts, check_draft, required_facts
from trainer.greetings import addresses_a_group, named_in_instruction
from trainer.literal import literal_body
from trainer.subjects import subject_from_request
from trainer.typed import plain_request


@pytest.mark.parametrize(("typed", "plain"), [
    ("pls remind gus abt invoice #5582, $1,845.50", "remind Gus about invoice #5582, $1,845.50"),
    ("can u ask ben if the van is free sat", "ask Ben if the van is free sat"),
    ("tell hugo ill be late tmrw", "tell Hugo I'll be late tomorrow"),
    ("hey can you tell Anand the migration is done", "tell Anand the migration is done"),
    ("ok so the caterer cancelled", "the caterer cancelled"),
    ("need to tell Pat we lost the account. keep it short", "tell Pat we lost the account."),
    ("tell Jo the path must be clear; we need it to be ready by Fri",
     "tell Jo the path must be clear; we need it to be ready by Fri"),
    ("chase Alicia on order #PO-20931", "follow up with Alicia on order #PO-20931"),
    ("nudge Olga again about the forms", "follow up with Olga about the forms"),
    ("say no to the refund but be nice, offer another date",
     "say no to the refund, offer another date"),
    ("congrats to the crew on the launch — want it to sound grateful, not corporate",
     "congratulate the crew on the launch"),
    ("follow up w jordan @ brightline re the quote", "follow up with Jordan at brightline re the quote"),
])
def test_typed_shorthand_and_framing_read_plainly(typed, plain):
    assert plain_request(typed) == plain


def test_only_the_person_written_to_is_capitalised():
    # Groups, pronouns, question words and the user's everyday words are no one's name.
    for request in ("tell everyone the hall is shut", "remind tenants in block B",
                    "tell market traders we reopen", "ask who's coming", "ask about the van",
                    "introduce myself to Pedro"):
        assert plain_request(request) == request
    assert plain_request("tell rob the keys are back") == "tell Rob the keys are back"
    assert plain_request("tell rob the keys are back", everyday={"rob"}) == \
        "tell rob the keys are back"


@pytest.mark.parametrize(("request_", "reader", "email"), [
    ("pls tell hugo ill be late tmrw, dentist at 8:40, in by 10", "Hugo",
     "I'll be late tomorrow, dentist at 8:40, in by 10."),
    ("tell sophie the wifi password changed to Harbor!2024", "Sophie",
     "The wifi password changed to Harbor!2024."),
    ("write to all year 9 parents: trip is 22 May, £18 per child", "",
     "Trip is 22 May, £18 per child."),
    ("choir email: rehearsal moved to St Anne's hall, 7:15 not 7:30", "",
     "Rehearsal moved to St Anne's hall, 7:15 not 7:30."),
    ("email Priya at Seedcamp — thank her for the intro, will keep her posted", "Priya",
     "Thank you for the intro, will keep you posted."),
    ("Vera - can she resend the invoice? the one she sent has the wrong PO", "Vera",
     "Can you resend the invoice? The one you sent has the wrong PO."),
    ("Could you draft something to Ellie thanking her for the reference? I got the job", "Ellie",
     "Thank you for the reference. I got the job."),
    ("let Lars know the crate cleared customs (entry #A7-55102) then ask when he can take it",
     "Lars", "The crate cleared customs (entry #A7-55102). When can you take it?"),
    ("say no to Ingrid's refund (non-refundable, it's in the contract) but be nice", "Ingrid",
     "I'm afraid it's a no to your refund (non-refundable, it's in the contract)."),
    ("follow up with Gareth - still waiting on the soil results", "Gareth",
     "Just following up: still waiting on the soil results."),
    ("intro Aisha and Graham, both building tools for pharmacies", "",
     "I'd like to introduce you two: both building tools for pharmacies."),
    ("email my advisor Helen about moving my exam to the fall", "Helen",
     "I'm writing about moving my exam to the fall."),
    ("pls tell stan the lids r in, can he fit them tmrw or thurs?", "Stan",
     "The lids are in. Can you fit them tomorrow or Thurs?"),
    ("hey can you chase priya on the lottery budget, need it by fri", "Priya",
     "Just following up on the lottery budget. I need it by Fri."),
    ("I need the W-9 from Carlos before I can cut his check", "Carlos",
     "Could I have the W-9? I need it before I can cut your check."),
    ("does Carmen still want the 2pm slot? ask her, if not it goes to the Parks family",
     "Carmen", "Do you still want the 2pm slot? If not it goes to the Parks family."),
    ("write to Theo — he's the new contractor — welcome him, tell him the key is in the box",
     "Theo", "You're the new contractor. Welcome! The key is in the box."),
    ("tell Jo the hall is booked, is she free to help?", "Jo",
     "The hall is booked. Are you free to help?"),
    ("let Kwame know my new email is r.ostrowski@fernhill.example", "Kwame",
     "My new email is r.ostrowski@fernhill.example."),
    ("ask Samir whether the room is free; also ask whether he's seen the budget", "Samir",
     "Could you let me know whether the room is free? Could you let me know whether you've "
     "seen the budget?"),
    # The reader asked by her pronoun; his are the child's, named by her role.
    ("email Jill, Noah's teacher - he'll be out Thurs and Fri for his grandpa's funeral, can "
     "she send the homework home with his sister", "Jill",
     "Noah will be out Thurs and Fri for his grandpa's funeral. Can you send the homework "
     "home with his sister?"),
    ("email Dana, Sam's coach: he has a sprained ankle, can she excuse him from Saturday's "
     "match", "Dana", "Sam has a sprained ankle. Can you excuse him from Saturday's match?"),
    ("email Tom - she's off sick today, can he cover her shift?", "Tom",
     "She's off sick today. Can you cover her shift?"),
    ("tell Jo the order is ready, could she collect it", "Jo",
     "The order is ready. Could you collect it?"),
    # Who the reader is belongs in the address; "briefly" here is what happened, not a manner.
    ("introduce myself to Pedro Alvarez, head of procurement at Kestrel Foods, we met briefly "
     "at the expo in Denver", "Pedro", "I'm writing to introduce myself. We met briefly at the "
     "expo in Denver."),
    ("introduce myself to the new neighbours; we moved into number 12 last week", "",
     "I'm writing to introduce myself. We moved into number 12 last week."),
    # Two letters swapped in the opening verb; the reader's own sentence after a comma.
    ("follwo up w/ kate on the lease renewal for unit 3B, she never answered my email from "
     "the 2nd", "Kate", "Just following up on the lease renewal for unit 3B. You never "
     "answered my email from the 2nd."),
    ("remind tenants in building B that the water will be off Wednesday", "",
     "Just a reminder that the water will be off Wednesday."),
    # Who the reader is, between commas, is not said; "our hall is booked" is.
    ("thank Ana, our treasurer, for the accounts", "Ana", "Thank you for the accounts."),
    ("ask Ana, our treasurer, to send the accounts", "Ana", "Could you send the accounts?"),
    ("tell Jo the date moved, our hall is booked", "Jo", "The date moved. Our hall is booked."),
    # "sat" and "wed" are days before a time of day; "we sat down" is not.
    ("tell Wendell the hay's ready, he can pick up sat morning after 8", "Wendell",
     "The hay's ready. You can pick up Sat morning after 8."),
    ("tell Jo we sat down with the plan, the water is off wed 10am-2pm", "Jo",
     "We sat down with the plan. The water is off Wed 10am-2pm."),
    # The one introduced keeps her pronouns; the reader's are "you".
    ("write to Marco introducing Lena Sato — she's a potter looking for kiln space, he runs "
     "the co-op on 5th", "Marco", "I'd like to introduce you to Lena Sato: she's a potter "
     "looking for kiln space, you run the co-op on 5th."),
])
def test_typed_requests_become_the_email(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


def test_the_checks_read_the_request_plainly():
    # "tmrw" asks for tomorrow; the draft saying so makes nothing up.
    draft = "Hi Hugo,\n\nI'll be late tomorrow, in by 10.\n\nBest,\nSam"
    check = check_draft(draft, instruction="pls tell hugo ill be late tmrw, in by 10",
                        sign_off="Best,\nSam")
    assert check.made_up == set() and check.facts_missing == []
    # The verb that opens a request is not a name the email must carry.
    assert "p:send" not in required_facts("Send a note to Mei: the deck is attached", None)
    # A question put to the assistant is not one the email must ask.
    assert asked_acts("Could you draft something to Ellie thanking her? I got the job") == \
        ["thank"]
    assert asked_acts("ask Beth whether the venue seats 120") == ["ask"]


def test_subjects_come_from_what_is_said_not_the_framing():
    assert subject_from_request("can you write to Gabriel and Ines together, the couple from "
                                "the open house, saying the sellers accepted their offer") \
        == "The sellers accepted your offer"
    assert subject_from_request("Vera - can she resend the invoice? it has the wrong PO") == \
        "Can you resend the invoice"
    assert subject_from_request("email Jill, Noah's teacher - he'll be out Thurs and Fri, can "
                                "she send the homework home") == "Noah will be out Thurs and Fri"
    assert subject_from_request("intro email connecting Oona (our QA lead) and Bastian (runs testing "
                                "at Fernweh)") == "Introduction: Oona and Bastian"


def test_the_person_typed_in_lower_case_is_the_one_greeted():
    assert named_in_instruction("tell sophie the wifi password changed") == "Sophie"
    assert named_in_instruction("pls remind gus abt invoice #5582") == "Gus"
    # A department, a role, a manner: no one to greet by name.
    for request in ("ask finance to approve the order", "email landlord about the heating",
                    "decline politely", "tell everyone the hall is shut"):
        assert named_in_instruction(request) == "", request


def test_two_people_introduced_to_each_other_are_both_greeted():
    assert named_in_instruction("intro Aisha and Graham, both building tools") == \
        "Aisha and Graham"
    assert named_in_instruction("introduce Aisha and Graham to Pedro") == "Pedro"


@pytest.mark.parametrize(("request_", "name"), [
    ("Send a note to Mei: the deck is attached", "Mei"),
    ("say no to Ingrid's request for a refund", "Ingrid"),
    ("Vera - can she resend the invoice?", "Vera"),
    ("Note: the hall is shut on Monday", ""),
    ("Heads up - the van is back", ""),
    # Who it is for, however the request names them.
    ("Draft: Zoë - thanks for the cover", "Zoë"),
    ("Need an email to Marcus asking for the figures", "Marcus"),
    ("touch base w/ Elif about the handover", "Elif"),
    ("decline the meeting from Harriet, say I've a clash", "Harriet"),
    ("accept Ruth's invite", "Ruth"),
    ("reschedule my 1:1 with Tanya to Thu", "Tanya"),
    ("cancel my appt on 3/14, I'll rebook. send it to Gloria at the desk", "Gloria"),
    ("Got an email from Felix about the room. Tell him it's free", "Felix"),
    ("buyer (Dan) wants to collect Wed. say fine", "Dan"),
    ("the neighbour at no. 18, Brenda, keeps parking across our drive", "Brenda"),
    ("Kindly draft a response to Mr. Whitfield (Edward) about his refund", "Edward"),
    ("Email to Fatima:\n- minutes attached\n- next mtg Tue", "Fatima"),
    ("apply for the driver role, contact is Helen Marsh", "Helen"),
    ("get back to Ella's teacher about the book", ""),
    ("tell my manager I'm off sick today", ""),
    ("email Jill, Noah's teacher - he'll be out Friday", "Jill"),
])
def test_who_a_typed_request_is_for(request_, name):
    assert named_in_instruction(request_) == name


def test_notes_under_a_lead_stay_a_list_and_the_lead_is_said():
    body = literal_body("write to Priya about the budget table:\n- £13.50\n- £600\n- Friday",
                        reader="Priya")
    assert body == "I'm writing about the budget table:\n- £13.50\n- £600\n- Friday"
    assert check_draft(f"Morning Priya,\n\n{body}\n\nOnward,\nTeddy",
                       instruction="write to Priya about the budget table:\n- £13.50\n- £600"
                                   "\n- Friday", sign_off="Onward,\nTeddy").defects == []


@pytest.mark.parametrize(("request_", "name"), [
    ("email my advisor Helen about moving my exam", "Helen"),
    ("Could you draft something to Ellie thanking her?", "Ellie"),
    ("tell our volunteers Saturday is off", ""),
    ("tell Stan Friday works", "Stan"),
    ("write Greg on Colonial Oaks: the cap rate is 8.9", "Greg"),
])
def test_who_is_written_to_past_a_role_or_a_day(request_, name):
    assert named_in_instruction(request_) == name


@pytest.mark.parametrize(("request_", "reader", "email"), [
    # playback's own forms, and notes as people keep them
    ("Reply to Priya about the budget table, mentioning £14.20, 5%.", "Priya",
     "The budget table: £14.20, 5%."),
    ("All: round 2 approved — £7,500; 30 September", "", "Round 2 approved — £7,500. 30 September."),
    ("reply to Felix: offer letter is in", "Felix", "Offer letter is in."),
    ("apologize to Fatima for missing our 2pm, offer thu or fri", "Fatima",
     "I'm sorry for missing our 2pm. I'd be happy to offer Thu or Fri."),
])
def test_topics_mentions_and_group_leads(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


def test_a_note_led_by_all_is_to_the_group():
    assert addresses_a_group("All: round 2 approved — £7,500; 30 September")
    assert addresses_a_group("Team — standup moves to 9:30")
    assert not addresses_a_group("Alice: the van is back")


@pytest.mark.parametrize(("request_", "reader", "email"), [
    ("msg to wren re the minutes, shes taking them on thursday", "Wren",
     "Re the minutes, you're taking them on Thursday."),
    ("text bram the spare keys r with the neighbour", "Bram", "The spare keys are with the neighbour."),
    ("wfh friday, tell my manager ilse", "Ilse", "Working from home Friday."),
    ("write to Cosmo n ask if hes still selling the bike", "Cosmo",
     "Could you let me know whether you're still selling the bike?"),
    ("birthday wishes for my cuz tariq, hes 40", "Tariq", "Wishing you a happy birthday! You're 40."),
    ("ask pavel and noor if they can swap shifts sat", "Pavel and Noor",
     "Could you let me know whether you can swap shifts sat?"),
    ("Email the school's uniform shop to return a blazer that came in the wrong size.", "",
     "I'm writing to return a blazer that came in the wrong size."),
    ("Write to lettings@harbourview.co.uk want to extend our tenancy by six months.", "",
     "I want to extend our tenancy by six months."),
    ("Write an email to the support team at Brook & Vale about a kettle that leaks. Order BV-55102.",
     "", "I'm writing about a kettle that leaks. Order BV-55102."),
])
def test_short_typed_leads_and_their_email(request_, reader, email):
    assert literal_body(request_, reader=reader.split(" and ")[0]) == email
    assert named_in_instruction(request_) == reader


@pytest.mark.parametrize(("request_", "greeted", "email"), [
    ("intro email connecting Oona (our new QA lead) and Bastian (runs testing at Fernweh) - they "
     "should compare notes on flaky tests", "Oona and Bastian",
     "I'd like to introduce you two: Oona is our new QA lead and Bastian runs testing at Fernweh. "
     "You should compare notes on flaky tests."),
    ("Can you write an intro between my friend Idris, who's a landscape gardener, and my neighbour "
     "Wendy, who's redoing her garden?", "Idris and Wendy",
     "I'd like to introduce you two: Idris is a landscape gardener and Wendy is redoing her garden."),
    ("please connect Lior and Ayo - Lior is moving to Lagos and Ayo grew up there", "Lior and Ayo",
     "I'd like to introduce you two: Lior is moving to Lagos and Ayo grew up there."),
])
def test_two_people_introduced_get_one_email_to_both(request_, greeted, email):
    assert named_in_instruction(request_) == greeted
    assert literal_body(request_, reader=greeted.split()[0]) == email


@pytest.mark.parametrize(("request_", "reader", "email"), [
    ("quick thx 2 priya 4 covering my shift", "Priya", "Thank you for covering my shift."),
    ("send a note 2 hr my bank details changed", "", "My bank details changed."),
    ("urgent tell nils the build is broken since 9am", "Nils", "The build is broken since 9am."),
    ("Tell the parents' committee I can't make Monday's meeting.", "", "I can't make Monday's meeting."),
    ("Kindly draft one mail to my team lead Arvind for leave approval from 3rd to 5th March for my "
     "brother marriage.", "Arvind",
     "I'm writing to ask for leave approval from 3rd to 5th March for my brother marriage."),
    ("chase it w ines, invoice 77 still unpaid", "Ines", None),
    ("marcel needs 2 know the van is booked fri pls email him", "Marcel", "The van is booked Fri."),
    ("need 2 tell the client bruna alves the launch moves a week", "Bruna Alves",
     "The launch moves a week."),
])
def test_phone_typed_requests(request_, reader, email):
    assert named_in_instruction(request_) == reader
    body = literal_body(request_, reader=reader.split()[0] if reader else "")
    assert body is not None and not body.lower().startswith(("send", "tell", "urgent", "chase", "draft"))
    if email is not None:
        assert body == email


def test_two_for_to_only_where_it_cannot_be_a_number():
    assert plain_request("need 2 know by fri") == "need to know by Friday" or \
        plain_request("need 2 know by fri").startswith("need to know")
    for typed in ("book the 2 bed flat", "Year 2 trip on sept 2 at 8pm", "come after 2 not before",
                  "due 2 May", "need 2 more chairs"):
        assert " 2 " in f" {plain_request(typed)} ", typed


@pytest.mark.parametrize(("request_", "reader"), [
    ("write to GymNation to cancel my membership from next month", ""),
    ("email DeShawn the rota is up", "DeShawn"),
    ("let chess club know I'm hosting on the 9th", ""),
    ("I need write email to manager of our hostel, Mr. Dabrowski. The shower is broken since Monday.",
     "Mr Dabrowski"),
    ("Hi po, can you help me make an email to our admin, Ma'am Liza, to request my payslip?", "Ma'am Liza"),
])
def test_companies_clubs_and_titles_from_other_countries(request_, reader):
    assert named_in_instruction(request_).replace(".", "") == reader


def test_the_subject_and_sign_off_asked_for_in_quotes():
    from trainer.typed import asked_framing, asked_subject
    said, subject = asked_subject("Write to Ines. Subject line: 'Rota – week 12'. Tell her I swap Friday.")
    assert subject == "Rota – week 12" and "Rota" not in said
    assert asked_subject("Subject should be 'Van keys'. Tell Bo they're under the mat.")[1] == "Van keys"
    said, _, sign_off = asked_framing("Tell Bo the van is back. Sign off with just 'Cheers, T'.")
    assert sign_off == "Cheers,\nT" and said == "Tell Bo the van is back."
    assert asked_framing("Tell Bo the van is back. Sign off 'Best, Hollis'.")[2] == "Best,\nHollis"
