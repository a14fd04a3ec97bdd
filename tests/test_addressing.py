"""Who a request is for, typed any of the ways people type it, read to the same email."""

import pytest

from trainer.addressing import as_addressed
from trainer.literal import literal_body


@pytest.mark.parametrize("request_, reader, email", [
    # Writing to them, and then the act: the act is what is said.
    ("Can you write to Ruth and ask whether she could chair on the 9th?", "Ruth",
     "Could you let me know whether you could chair on the 9th?"),
    ("could you reply to Idris and thank him for the loan of the trailer?", "Idris",
     "Thank you for the loan of the trailer."),
    ("email my cousin Petra and ask if she still wants the pram", "Petra",
     "Could you let me know whether you still want the pram?"),
    # Who they are is for the assistant, not the email.
    ("Write to Ayo in accounts. The March invoice is short by £40. Ask him to check it.",
     "Ayo", "The March invoice is short by £40. Could you check it?"),
    ("write to Colm the electrician. the fuse board trips twice a day", "Colm",
     "The fuse board trips twice a day."),
    ("email the site manager Bea Lowe - the skip is blocking the lane", "Bea",
     "The skip is blocking the lane."),
    ("I need to write to Wendell, he's the head of year 8. Tell him Kit has a dentist "
     "appointment on Monday at 2pm.", "Wendell", "Kit has a dentist appointment on Monday at 2pm."),
    # Their email, answered.
    ("respond to Gita's email - yes the hall is free on the 4th", "Gita",
     "Yes the hall is free on the 4th."),
    ("reply to Omar's message about the rota: I can do Tuesdays", "Omar", "I can do Tuesdays."),
    # The name they go by, told to the assistant, is not said.
    ("Let Nan know we'll arrive at 4. Her name is Edith btw", "Edith", "We'll arrive at 4."),
    ("thank Professor Moss (first name Julia) for the reference", "Julia",
     "Thank you for the reference."),
    ("confirm with the florist (Anouk) that we need 12 posies on Friday", "Anouk",
     "Just to confirm: we need 12 posies on Friday."),
    ("My plumber is Mr. Hart, first name Lee. Tell him the tap still drips.", "Lee",
     "The tap still drips."),
    ("Got a text from Rhys asking about the bike. Tell him it's £90 and he can try it Sunday.",
     "Rhys", "It's £90 and you can try it Sunday."),
    # A note of thanks, and writing to do something.
    ("quick thank-you note to Suki for the lift home", "Suki", "Thank you for the lift home."),
    ("email the council's parking office to dispute ticket PX-2231 from 3 May", "",
     "I'm writing to dispute ticket PX-2231 from 3 May."),
    # Groups by what they are; a later sentence that writes to them keeps what it says.
    ("remind all tenants that the bins go out on Monday night", "",
     "Just a reminder that the bins go out on Monday night."),
    ("let everyone on the rota know the Sunday shift starts at 8", "",
     "The Sunday shift starts at 8."),
    ("to the allotment committee: the water is back on", "", "The water is back on."),
    ("Say yes to the venue. Write to Farid (the organiser) saying we'll take the hall for 60",
     "Farid", "Yes to the venue. We'll take the hall for 60."),
    ("reschedule my call with Inge from Mon to Tue 3pm. send it to Inge's assistant", "Inge",
     "I'd like to reschedule my call with you from Mon to Tue 3pm."),
])
def test_who_it_is_for_is_read_however_typed(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


@pytest.mark.parametrize("request_", [
    "send Andrew the charts: volume by tenor",   # sending them something, not writing to them
    "write to Jeff:\n- rent roll\n- keys",       # notes under who it is for
    "tell Sam the venue (the Ritz) is booked",   # a thing in brackets, not a name they go by
])
def test_requests_already_plain_are_left_as_they_are(request_):
    assert as_addressed(request_) == request_


@pytest.mark.parametrize("request_, reader, email", [
    ("Tariq needs to know that the scaffold comes down on Friday", "Tariq",
     "The scaffold comes down on Friday."),
    ("accept Noor's invite but say I can only stay an hour", "Noor",
     "I'm happy to accept your invite, but I can only stay an hour."),
    ("call off the quiz night - hall flooded. let everyone know, we'll rebook in May", "",
     "I'm afraid I need to cancel the quiz night - hall flooded. We'll rebook in May."),
    ("email Vik re: the March rota. I can't do the 12th", "Vik",
     "Re the March rota, I can't do the 12th."),
    ("send Lou the gate code and parking: code 1904, bay 6", "Lou",
     "Here's the gate code and parking: code 1904, bay 6."),
    ("tell Jo Sam is coming on Friday", "Jo", "Sam is coming on Friday."),
    ("my builder Oskar still hasn't sent the invoice. write him an email saying I need it "
     "by the 3rd", "Oskar", "You still haven't sent the invoice. I need it by the 3rd."),
    ("nudge Dee about the £20 she owes for the tickets. keep it light, she's an old friend",
     "Dee", "Just following up on the £20 you owe for the tickets."),
    ("email Ray - the van's free this weekend if he wants it, keys at the office", "Ray",
     "The van's free this weekend if you want it, keys at the office."),
])
def test_what_is_said_once_who_it_is_for_is_read(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


@pytest.mark.parametrize("request_, reader, email", [
    ("touch base w/ Femi about the lease. he said March but the letter says April", "Femi",
     "Just following up on the lease. You said March but the letter says April."),
    ("nudge Orla", "Orla", "Just following up."),
    ("get back to Nell's tutor about the trip - can we pay in two parts", "",
     "I'm writing about the trip. Can we pay in two parts?"),
    ("reach out to the woman selling the pram, Katya something, ask if she'd take 60", "Katya",
     "Could you let me know whether you'd take 60?"),
    ("give Idris a heads up that his car is blocking the gate", "Idris",
     "Your car is blocking the gate."),
    ("get ben to book the minibus", "Ben", "Could you book the minibus?"),
    ("Need an email to Yara asking for the signed lease by Monday", "Yara",
     "Could we have the signed lease by Monday?"),
    ("thank you email to all the stewards who helped at the fun run, we raised £900!", "",
     "Thank you to everyone who helped at the fun run. We raised £900!"),
    ("sorry note to Rupert for missing his talk. don't grovel", "Rupert",
     "I'm sorry for missing your talk."),
    ("congrats email to Mira on her new job", "Mira", "Congratulations on your new job!"),
    ("Draft: Tobías - cheers for the lift, I owe you one", "Tobías",
     "Cheers for the lift. I owe you one."),
    ("reply yes to Hamza", "Hamza", "Yes."),
    ("ines re friday: count us in, we'll bring chairs", "Ines",
     "Re Friday, count us in. We'll bring chairs."),
    ("to Wren\nsorry, can't do Sunday\nask if Jo can swap", "Wren",
     "Sorry, can't do Sunday. Could you let me know whether Jo can swap?"),
    ("email the GP surgery, I need a repeat of my inhaler, NHS no. 123 456 7890", "",
     "I need a repeat of my inhaler, NHS no. 123 456 7890."),
    ("Write to Mrs. Fenn (Gail), Sam's teacher — he's been off with flu. she might need the note",
     "Gail", "Sam's been off with flu. You might need the note."),
    ("Chase Pavel for the report. don't be passive aggressive but he needs to send it today",
     "Pavel", "Just following up on the report. You need to send it today."),
    ("José - can you send me the plans? need them by 4", "José",
     "Can you send me the plans? I need them by 4."),
])
def test_requests_typed_as_people_type_them(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


@pytest.mark.parametrize("request_, reader, email", [
    # Two people by pronoun: the first is the reader's, unless it follows a named subject.
    ("give Omar a heads up that his sister rang and she's locked out, he should call her",
     "Omar", "Your sister rang and she's locked out. You should call her."),
    ("email coach Rhys to say Ava can't make Tuesday, she's got a cold", "Rhys",
     "Ava can't make Tuesday. She's got a cold."),
    ("write to Jo to say thanks for the card she sent when Grandad was ill. He's much better",
     "Jo", "Thanks for the card you sent when Grandad was ill. He's much better."),
    # The reader named as the subject, by what they are.
    ("The roofer who did our porch (Stan, from Apex) still hasn't sent the invoice. Write him "
     "an email saying we need it by Friday", "Stan",
     "You still haven't sent the invoice. We need it by Friday."),
    ("Can you let Kit know the van's booked. Also Kit's driving so can he collect it at 8",
     "Kit", "The van's booked. Also you're driving. Can you collect it at 8?"),
    ("decline the lunch from Noor, say I'm away", "Noor",
     "I'm afraid I have to decline your lunch. I'm away."),
    ("forward this to Lee and say can he sign it by the 3rd", "Lee",
     "I'm forwarding this. Can you sign it by the 3rd?"),
    ("check in w/ Abi about the raffle, how many tickets sold? we need 200", "Abi",
     "Just following up on the raffle. How many tickets sold? We need 200."),
    ("I can't make the 2pm - let Ro know and ask if 4 works", "Ro",
     "I can't make the 2pm. Could you let me know whether 4 works?"),
    ("Apply for the warden job, contact is Ann Kerr. I'm free weekdays", "Ann",
     "I'd like to apply for the warden job. I'm free weekdays."),
    ("Chase Ilse for the rota. copy my manager", "Ilse",
     "Just following up on the rota. I'm copying in my manager."),
    ("ok so the bins were missed again, let Nadia know we've reported it", "Nadia",
     "The bins were missed again. We've reported it."),
])
def test_whose_pronouns_and_who_is_named(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


@pytest.mark.parametrize("request_, reader, email", [
    ("Email to the club: AGM agenda\n1) accounts\n2) new kit\n3) AOB\nask for other items by Friday",
     "", "AGM agenda:\n\n1. Accounts\n2. New kit\n3. AOB\n\nCould we have other items by Friday?"),
    ("Team update to the night shift: we're short this week, we need:\n- gloves\n- tape\n"
     "drop off at the gate", "",
     "We're short this week. We need:\n\n- Gloves\n- Tape\n\nDrop off at the gate."),
    ("just say no to Phil", "Phil", "I'm afraid it's a no."),
    ("say sorry to Hugo, I double-booked", "Hugo", "I'm sorry. I double-booked."),
    ("Tell Marie-Claire I got the job!!!", "Marie-Claire", "I got the job!"),
    ("Tell the parents group: nits in Year 2, please check heads", "",
     "Nits in Year 2, please check heads."),
    ("tell the book club we're reading Middlemarch next", "", "We're reading Middlemarch next."),
    ("email Mr & Mrs Okoro re their quote. 12 panels, £1,890", "",
     "Re your quote, 12 panels, £1,890."),
    ("Respond to Gabe's offer on my bike — he offered £200, I want £250", "Gabe",
     "You offered £200. I want £250."),
    ("Can you write to Pia — the Airbnb host — asking if early check-in is possible?", "Pia",
     "Could you let me know whether early check-in is possible?"),
    ("I left my scarf in room 4B - can you email Kerry and see if anyone's handed it in?", "Kerry",
     "I left my scarf in room 4B. Could you let me know whether anyone's handed it in?"),
    ("Tell Wei the session's moved to Wed, and can he bring his notes", "Wei",
     "The session's moved to Wed. Can you bring your notes?"),
    ("nudge Tobias about my draft, it's been 2 wks, gently", "Tobias",
     "Just following up on my draft. It's been 2 weeks."),
    ("Let Keeley know her manager will be Tariq, he'll show her round", "Keeley",
     "Your manager will be Tariq. He'll show you round."),
])
def test_lists_answers_and_names_as_typed(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


@pytest.mark.parametrize("request_, reader, email", [
    ("How would I tell my client Oona that the refit runs a week over? New finish date is the 28th.",
     "Oona", "The refit runs a week over. New finish date is the 28th."),
    ("could you write a cover email for my application to the barista role at Crumbs? Contact is "
     "Jo Bell. I've 2 yrs at The Mill.", "Jo",
     "I'm writing to apply for the barista role at Crumbs. I've 2 yrs at The Mill."),
    ("I'm on nights at St Jude's. I need to email my manager Ruth to swap my shift on 2/12. "
     "Can you make it sound professional?", "Ruth",
     "I'm on nights at St Jude's. I'd like to swap my shift on 2/12."),
    ("I'm a teacher. I need to email a parent, Mrs Obi, about her son's reading. He's behind.",
     "", "I'm writing about your son's reading. He's behind."),
])
def test_what_comes_before_and_around_the_request(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


def test_family_titles_stay_with_the_name_in_the_greeting():
    from trainer.greetings import first_name
    assert first_name("Aunty Folake") == "Aunty Folake"
    assert first_name("Dr. Amara Osei") == "Dr. Osei"
    assert first_name("Folake Adeyemi") == "Folake"


@pytest.mark.parametrize("request_, reader, email", [
    ("tell him thursday is fine but ask if he can come at 10, and whether £80 includes VAT",
     "Bernard", "Thursday is fine. Could you let me know whether you can come at 10, and "
     "whether £80 includes VAT?"),
    ("reply: brilliant news!! thank the trustees for the grant", "Felix",
     "Brilliant news!! Please pass on my thanks to the trustees for the grant."),
    ("thank Jo for the cake", "Jo", "Thank you for the cake."),
])
def test_replies_said_to_the_one_replied_to(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


@pytest.mark.parametrize("request_, reader, email", [
    ("Can you draft something to my son's teacher, Mr. Hale, explaining Finn will miss Monday for "
     "his cousin's wedding?", "", "Finn will miss Monday for his cousin's wedding."),
    ("resignation letter to my boss Greg. last day 31 Jan. grateful, no drama", "Greg",
     "I'm writing to resign. Last day 31 Jan."),
    ("chase Tunde for invoice 2291, due 30/09. polite but firm, he's a good client", "Tunde",
     "Just following up on invoice 2291, due 30/09."),
    ("Write a formal complaint to Acme Gas about being billed £61 twice. Account 850.", "",
     "I'm writing to complain about being billed £61 twice. Account 850."),
    ("nan's 90th — email the cousins about chipping in for a gift", "",
     "Nan's 90th. I'm writing about chipping in for a gift."),
    ("what do I say to my daughter's coach (Dave) about her being benched every match?", "Dave",
     "I'm writing about her being benched every match."),
    ("My plumber Connor did a great job — want to thank him and ask if I can review him online",
     "Connor", "You did a great job. Thank you. Could you let me know whether I can review you "
     "online?"),
    ("Client (Ana, from a publisher) wants a 4th round. Write her an email explaining this, "
     "friendly, and ask if she wants to go ahead.", "Ana",
     "You want a 4th round. Could you let me know whether you want to go ahead?"),
    ("announce to the team that Kwame joins on 3 March. Ask people to make him feel welcome.", "",
     "Kwame joins on 3 March. Could you make him feel welcome?"),
    ("tell Jo the room is big, warm, bright", "Jo", "The room is big, warm, bright."),
])
def test_more_of_what_people_type(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


@pytest.mark.parametrize("request_, said, sender, email", [
    ('reply to this: "Hi Sam, are you free Thursday for a call? Thanks, Ana" — say yes, 2pm works',
     "say yes, 2pm works", "Ana", "Yes, 2pm works."),
    ('Reply to this email from Tom: "Can you send the slides before Friday?" Tell him yes, by noon.',
     "Tell him yes, by noon.", "Tom", "Yes, by noon."),
    ("help me reply to this:\nHi, was the invoice paid?\nRegards,\nKate\n\nsay it went out today",
     "say it went out today", "Kate", "It went out today."),
    ('Can you reply to this: "Hi, is the van free Sunday? Cheers, Rob" - yes, keys at the desk',
     "yes, keys at the desk", "Rob", "Yes, keys at the desk."),
])
def test_a_pasted_email_is_what_is_answered_not_what_is_said(request_, said, sender, email):
    from trainer.greetings import named_in_instruction
    from trainer.pasted import pasted_reply
    found = pasted_reply(request_)
    assert found is not None and found[0] == said and found[2] == sender
    assert named_in_instruction(request_) == sender
    assert literal_body(request_) == email


def test_drafting_answers_the_pasted_email_as_the_one_replied_to():
    from app.drafting import DraftRequest, with_pasted_reply
    request = with_pasted_reply(DraftRequest(
        'reply to this: "Hi Sam, is the hall free on the 9th? Thanks, Ana" - yes, from 6pm'))
    assert request.instruction == "yes, from 6pm"
    assert "is the hall free on the 9th?" in request.reply_text
    assert request.recipient == "Ana"
    kept = DraftRequest("tell Jo the hall is free")
    assert with_pasted_reply(kept) is kept


@pytest.mark.parametrize("pasted, sender, subject, body", [
    ("From: Ana Ruiz <ana@example.org>\nSent: Monday, 3 March 2025 10:02\nTo: Sam\n"
     "Subject: Thursday call\n\nHi Sam, are you free Thursday?", "Ana Ruiz", "Thursday call",
     "Hi Sam, are you free Thursday?"),
    ("From: Ana Ruiz\nSubject: Thursday call\nHi Sam, are you free Thursday?", "Ana Ruiz", "Thursday call",
     "Hi Sam, are you free Thursday?"),
    ("Subject: Rent from May\n\nHi Sam,\nThe rent goes up in May.\nBest, Carol", "", "Rent from May",
     "Hi Sam,\nThe rent goes up in May.\nBest, Carol"),
    ("Hi Sam, are you free Thursday? Thanks, Ana", "", "", "Hi Sam, are you free Thursday? Thanks, Ana"),
    ("Sent from my phone: the van is back", "", "", "Sent from my phone: the van is back"),
])
def test_the_header_lines_a_pasted_email_kept_are_read(pasted, sender, subject, body):
    from app.replies import reply_from_text
    thread, info = reply_from_text(pasted)
    assert (thread.sender, thread.subject, thread.text) == (sender, subject, body)
    # where the copy kept an address, the reply goes to it
    assert (info.sender, info.subject) == ("ana@example.org" if "@" in pasted else "", subject)


@pytest.mark.parametrize("email, subject", [
    ("Hi, just checking whether the replacement boiler has been ordered? Thanks, Ola",
     "Re: The replacement boiler has been ordered"),
    ("Dear Mr. Okafor,\nPlease be advised that from 1 May the car park closes at 8pm.",
     "Re: From 1 May the car park closes"),
    ("hey can u send me the minutes from monday? ta, Bo", "Re: Can u send me the minutes from monday"),
    ("Hello,\nI hope this finds you well. Our records show that invoice 7781 is unpaid.",
     "Re: Invoice 7781 is unpaid"),
    ("Hi Jo, is the tent still for sale? Would you take £40?", "Re: Is the tent still for sale"),
    ("Dear all,\nThanks.", ""),
])
def test_a_reply_to_an_email_pasted_without_its_subject_says_what_it_answers(email, subject):
    from trainer.subjects import reply_subject
    assert reply_subject(email) == subject


@pytest.mark.parametrize("request_, said, subject", [
    ("email the team, subject: Friday drinks - we're meeting at 6", "email the team - we're meeting at 6",
     "Friday drinks"),
    ("Subject: Q3 figures\ntell Sam I need them by Friday", "tell Sam I need them by Friday",
     "Q3 figures"),
    ("tell Jo the van is back (subject line: Van returned)", "tell Jo the van is back",
     "Van returned"),
    ("tell Jo the subject of the talk is bees", "tell Jo the subject of the talk is bees", ""),
])
def test_the_subject_a_request_asks_for_is_kept_apart(request_, said, subject):
    from trainer.subjects import subject_from_request
    from trainer.typed import asked_subject
    assert asked_subject(request_) == (said, subject)
    if subject:
        assert subject_from_request(request_) == subject
        assert subject.lower() not in literal_body(request_).lower()


def test_drafting_keeps_the_asked_subject_for_the_draft():
    from app.drafting import DraftRequest, with_asked_subject
    request = with_asked_subject(DraftRequest("tell Jo the van is back, subject: Van returned"))
    assert (request.instruction, request.subject) == ("tell Jo the van is back", "Van returned")


@pytest.mark.parametrize("request_, greeting, sign_off, said", [
    ("write to the council, start with Dear Sir or Madam, complain about the bins",
     "Dear Sir or Madam,", "", "write to the council, complain about the bins"),
    ("tell the team the office is shut Friday. sign it from all of us in ops", "",
     "All of us in ops", "tell the team the office is shut Friday."),
    ("reply to Ana: yes. sign off with love, Mum", "", "Love,\nMum", "reply to Ana: yes."),
    ("sign Jo up for the 5k", "", "", "sign Jo up for the 5k"),
])
def test_how_the_email_opens_and_closes_is_kept_apart(request_, greeting, sign_off, said):
    from trainer.typed import asked_framing
    assert asked_framing(request_) == (said, greeting, sign_off)


@pytest.mark.parametrize("request_, address, email", [
    ("email jo@acme.com that the invoice is paid", "jo@acme.com", "The invoice is paid."),
    ("email sam.lee@example.org and ask if the room is booked", "sam.lee@example.org",
     "Could you let me know whether the room is booked?"),
    ("email accounts@acme.com about invoice 4471, paid on the 3rd", "accounts@acme.com",
     "I'm writing about invoice 4471, paid on the 3rd."),
])
def test_a_request_to_an_address_is_to_the_person_it_names(request_, address, email):
    from trainer.addressing import address_name, asked_address
    from trainer.greetings import named_in_instruction
    assert asked_address(request_)[1] == address
    assert named_in_instruction(request_) == address_name(address)
    assert literal_body(request_) == email


@pytest.mark.parametrize("request_, reader, email", [
    ("To: Nkechi\nRe: Saturday\nSay I can't make the prep meeting", "Nkechi",
     "Re Saturday, I can't make the prep meeting."),
    ("Draft a formal letter of resignation to my manager, Douglas Fair. Last day 30 June.", "Douglas",
     "I'm writing to resign. Last day 30 June."),
    ("something short to Chloe, tell her the keys are under the mat", "Chloe",
     "The keys are under the mat."),
    ("email my accountant Hattie with the docs she asked for: P60, two statements", "Hattie",
     "Here's the docs you asked for: P60, two statements."),
    ("Reply declining. Too busy. It's to Rashid, he invited me to speak on the 22nd", "Rashid",
     "I'm afraid I have to decline. Too busy. You invited me to speak on the 22nd."),
    ("I'm the club treasurer. Need to email a member named Ferdinand who hasn't paid dues (£45).",
     "Ferdinand", "I'm the club treasurer. You haven't paid dues (£45)."),
    ("Email Jakub + Marta + Sven: demo is at 11", "", "Demo is at 11."),
    ("Could you draft an email to Gus and cc his assistant Paula? The review moves to 12 Dec.",
     "Gus", "I'm copying in your assistant Paula. The review moves to 12 Dec."),
    ("write to John:\n- $75K\n- Mike\n- Frank", "John", "- $75K\n- Mike\n- Frank"),
])
def test_headers_letters_and_lists_as_typed(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


@pytest.mark.parametrize("request_, greeted, email", [
    # To someone by their role, with what the email is for said after it.
    ("email the locksmith to ask for a copy of the invoice, it's for the insurers", "",
     "Could you send me a copy of the invoice? It's for the insurers."),
    ("write to the registry office at the town hall asking for an update on ref 5512", "",
     "Could we have an update on ref 5512?"),
    ("Send a reminder to everyone on the rota that keys go back by Sunday", "",
     "Just a reminder that keys go back by Sunday."),
    ("email Dr Imrie's receptionist asking to move my slot from 4 May to the week after", "",
     "Could we move my slot from 4 May to the week after?"),
    ("Email to housing office re repair job 8812, still no plumber after 2 weeks", "",
     "Re repair job 8812, still no plumber after 2 weeks."),
    ("tell caretaker the side gate won't lock", "", "The side gate won't lock."),
    # Titles typed in lower case, or run into the name.
    ("email to miss hollis saying Noor will miss Friday for her cousin's wedding", "Miss Hollis",
     "Noor will miss Friday for her cousin's wedding."),
    ("ask herr lenz when the pallet ships", "Herr Lenz",
     "Could you let me know when the pallet ships?"),
    ("msg to coach adaeze: kids can't make training", "Coach Adaeze", "Kids can't make training."),
    ("write an email to my tutor dr.okoro asking for a week's extension", "Dr Okoro",
     "Could we have a week's extension?"),
    # Family, greeted by what they are called; both of two people, by name.
    ("quick sorry to dad for missing his call", "Dad", "I'm sorry for missing your call."),
    ("tell both priya and sam the demo moved to 3", "Priya and Sam", "The demo moved to 3."),
    # Wishes, sympathy and apologies.
    ("say happy birthday to Imogen from the whole office", "Imogen",
     "Wishing you a happy birthday from the whole office!"),
    ("condolences to Kofi, his mum passed on Sunday", "Kofi",
     "I'm so sorry to hear your mum passed on Sunday."),
    # Said to the assistant in passing.
    ("Dear sir, please draft a mail to Mr. Bose regarding the unpaid bill no. 77", "Mr. Bose",
     None),
    ("write to Lars about the deposit. Can you write the email? He still owes £300", "Lars",
     None),
])
def test_more_readers_and_what_is_said_to_them(request_, greeted, email):
    from trainer.greetings import named_in_instruction

    named = named_in_instruction(request_)
    assert named.replace(".", "") == greeted.replace(".", "")
    body = literal_body(request_, reader=greeted.split()[-1] if greeted else "")
    assert body is not None and not body.lower().startswith(("email", "write", "send", "msg"))
    if email is not None:
        assert body == email
    assert "write the email" not in body.lower() and "dear sir" not in body.lower()


@pytest.mark.parametrize("request_, said, sender", [
    ("she wrote: \"Could you take the Thursday shift? Thanks, Ines Moreau, Rota Team\" — yes but "
     "only till 6", "yes but only till 6", "Ines"),
    ("my landlord sent this: \"The boiler service is on the 3rd. – Gareth\" that's fine, I'll be in",
     "that's fine, I'll be in", "Gareth"),
    ("Oskar emailed: 'any chance of the slides tonight? Cheers' — answer him that they're done",
     "they're done", "Oskar"),
    ("reply to this:\n>> Is the desk still for sale? Regards, Mr. T. Baines\nyes, £40, collect only",
     "yes, £40, collect only", "Mr. Baines"),
    ("Reply to this: \"Your parcel is delayed. Kind regards, Customer Services\" I want a refund",
     "I want a refund", ""),
    # pasted as it came, greeting to signature, after the ask
    ("pls answer this, say no thanks, we renewed with our old supplier.\n\nGood morning,\n"
     "Following up on our offer of discounted printer ink. Shall I send a price list?\n"
     "Kind regards,\nMagnus Berg\nSales Lead",
     "no thanks, we renewed with our old supplier.", "Magnus"),
    # a formal letter signed with its writer's title and initials, and the ask as "Inform that"
    ("Kindly draft reply to below mail. Inform that the samples left our warehouse on Monday.\n\n"
     "\"Dear Sir/Madam, We have not yet received the fabric samples. Yours faithfully, "
     "Mrs R. Quayle, Purchasing\"",
     "the samples left our warehouse on Monday.", "Mrs Quayle"),
    # how to write it, said to the assistant, stays out of what to answer
    ("help me reply. he wants me to cover sunday and i cant, its my son's birthday. dont want to "
     "sound rude\n\n---\nHi both, can one of you cover Sunday 10-6? Cheers, Fergus",
     "he wants me to cover sunday and i cant, its my son's birthday.", "Fergus"),
    # how the paste was introduced goes; a role signed after the name is not the name
    ("Got this from the dentist: \"Dear Mr Quint, your check-up is due. Please book before 30 "
     "June. Best wishes, Mrs Ellery (Practice Manager)\" Reply saying I'll book next week.",
     "I'll book next week.", "Mrs Ellery"),
    ("my brother-in-law emailed: 'Can you lend me the ladder on Sunday? - Tobiah' -- tell him yes",
     "yes", "Tobiah"),
    ("agent messaged me this: \"Hi! Are you open to a contract role in Leeds? Best, Oona\" -- "
     "politely decline, happy where I am", "politely decline, happy where I am", "Oona"),
    # a desk whose first word could be a name; a title with a first name and surname
    ("reply to this: \"Dear Ms Abara, your scan is booked. Kind regards, Radiology Bookings "
     "Team\" say thank you", "say thank you", ""),
    ("\"Dear Dr Lund,\nWe would love you to judge the science fair on 9 May.\nWarm regards,\n"
     "Professor Imke Sorensen\nFair Chair\"\n\naccept, and ask where to park",
     "accept, and ask where to park.", "Professor Sorensen"),
    # who sent it, said before the paste or in its copied From line (not its initials)
    ("Got this from Tomasz:\n\"Can we move the review to 4pm? The client call overran.\"\n\n"
     "tell him 4 is fine but 20 min max", "4 is fine but 20 min max", "Tomasz"),
    ("From: Halima Osei\nSent: Monday 3 March\nSubject: Stock count\n\nAre we counting on Friday "
     "or Monday? Need to plan the rota.\nHO\n\nreply: Monday, 7am start",
     "Monday, 7am start.", "Halima"),
    ("Reply to this from Ottilie (she's my gran):\n> Are you coming on Sunday? Love O x\n\n"
     "say yes, about 1pm", "say yes, about 1pm", "Ottilie"),
    # a subject line copied above its greeting is the pasted email's
    ("please answer this for me\n\nSubject: Reference – Joan Mbeki\nDear Mr Lowe, could you "
     "confirm Joan's dates with you? Kind regards, Dr Hester Quayle, HR\n\nconfirm 2019 to 2023",
     "Just to confirm: 2019 to 2023.", "Dr Quayle"),
    ("Got this from Ilse: 'Can I swap my Friday for your Monday? it's my son's recital' tell her "
     "yes", "yes", "Ilse"),
    # pasted with the header lines a mail client shows; its Subject line is its own
    ("Reply to this client:\n\nFrom: Bastien Roux\nSubject: Can you do a logo?\n\nHello, could "
     "you design a logo for my bakery by May? Bastien\n\nTell him yes, £400, ready 20 April.",
     "yes, £400, ready 20 April.", "Bastien"),
])
def test_who_sent_a_pasted_email_is_the_one_answered(request_, said, sender):
    from trainer.pasted import pasted_reply

    asked, pasted, who = pasted_reply(request_)
    if said.startswith("Just to confirm"):
        assert literal_body(request_) == said
        said = asked
    assert (asked, who) == (said, sender)
    assert pasted and said not in pasted


@pytest.mark.parametrize("request_, greeted, email", [
    ("get the Brent strip from Okafor pls", "Okafor", "Could I have the Brent strip?"),
    ("delegate the vendor review to Imani", "Imani", None),
    ("Have Luka look at the failing nightly export and get back to me today.", "Luka", None),
    ("quick yes to Farid, Tuesday works", "Farid", "Yes, Tuesday works."),
    ("Be blunt with Sorensen: the forecast doesn't tie to the ledger.", "Sorensen",
     "The forecast doesn't tie to the ledger."),
    ("For Ines: the revised rota is attached.", "Ines", "The revised rota is attached."),
    ("petra: the 3pm is moved to 4", "Petra", "The 3pm is moved to 4."),
    ("Tell Odile, formally, that the delivery slips to 2 May.", "Odile",
     "The delivery slips to 2 May."),
    ("Dmitri asked about the refund. It went out this morning — let him know.", "Dmitri",
     "You asked about the refund. It went out this morning."),
    ("Need the Q2 variance report by Friday. Goes to Halvorsen.", "Halvorsen", None),
    ("email ap@brightside.io re overdue remittance", "", None),
    # a department, in capitals
    ("Write to HR asking whether my new address is on file.", "",
     "Could you let me know whether my new address is on file?"),
    # the act straight after whom it is to; "a quick one" is an email
    ("email oskar confirm lunch fri 1pm", "Oskar", "Just to confirm: lunch Fri 1pm."),
    ("quick one to marta - train delayed, 20 min late", "Marta", "Train delayed, 20 min late."),
    ("Would you write a quick one to Ruairi to say Friday suits, and thank him for the lift.",
     "Ruairi", "Friday suits. Thank you for the lift."),
    # whom to, said by what they are and then named, in brackets or after a comma
    ("email the new intern (Oskar Lind) and welcome him, first day is monday", "Oskar Lind", None),
    ("we need to tell the client (Marisol at Vantage Freight) that the audit slips to the 9th",
     "Marisol", "The audit slips to the 9th."),
    ("email my counterpart at the Water Board, Imogen (I. Frost on her emails), re the outage "
     "rota for next month", "Imogen", "I'm writing about the outage rota for next month."),
    ("message the school's SENCO, Mrs Obi, asking for a meeting about Tunde's reading", "Mrs Obi",
     "Could we have a meeting about Tunde's reading?"),
    ("need Hamza to resend the contract, wrong date on it", "Hamza",
     "Could you resend the contract, wrong date on it?"),
    ("Subject should be 'Ladder'. To Keoni. Ask if he can lend me his ladder Sunday.", "Keoni",
     "Could you let me know whether you can lend me your ladder Sunday?"),
    # a group or desk at a place, and a thousands comma that splits nothing
    ("email accounts payable at Brightwater Ltd, invoice 4410 for $12,300 is 45 days overdue", "",
     "Invoice 4410 for $12,300 is 45 days overdue."),
    ("write to the tenants of Block D about the boiler service on 3 May", "",
     "I'm writing about the boiler service on 3 May."),
    # whom to, said first, last, or in the middle, in the many ways people put it
    ("To Osvaldo re: the van hire: it's booked for Friday 8am, ref VH-2210.", "Osvaldo", None),
    ("can you get a note out to Folake saying the audit moved to 3 June", "Folake",
     "The audit moved to 3 June."),
    ("I owe Radek an apology for missing his call on Monday. Write it, nothing grovelling.", "Radek",
     "I'm sorry for missing your call on Monday."),
    ("Need to tell the new starter that her badge is at reception. This is going to Nkiru.", "Nkiru",
     None),
    ("Confirm the gas check at 9 Elm Row on Tuesday at 10am. Send to Mrs Lindgren.", "Mrs Lindgren",
     "Just to confirm: the gas check at 9 Elm Row on Tuesday at 10am."),
    ("email for wojtek — cant make squash tues, back next wk", "Wojtek", None),
    ("Please write email to head nurse Agata that bed 4 was moved to ward 7.", "Agata", None),
    ("I'm a Year 3 teacher. Write to Noor's dad, Mr Haddad, to say she won the spelling bee.",
     "Mr Haddad", None),
    ("Volunteer thank-you to Efua, who sorted the food bank rota", "Efua",
     "Thank you — you sorted the food bank rota."),
    ("For the site manager at Tilbury, Oyelaran: crane hire is confirmed for Monday 7am.",
     "Oyelaran", "Crane hire is confirmed for Monday 7am."),
    ("Draft an email from me to Inés in payroll: my May payslip is missing 6 hours of overtime.",
     "Inés", "My May payslip is missing 6 hours of overtime."),
    ("Reply to this saying we can't do Saturday: 'Hi, could you deliver the sofa on Saturday "
     "morning? Thanks, Blessing'", "Blessing", "We can't do Saturday."),
    # an answer verb is never the one written to
    ("decline, we've already booked another venue", "", "I'm afraid I'll have to decline. We've "
     "already booked another venue."),
    ("politely decline, too busy until spring", "",
     "I'm afraid I'll have to decline — too busy until spring."),
])
def test_requests_typed_at_work(request_, greeted, email):
    from trainer.greetings import named_in_instruction

    assert named_in_instruction(request_).replace(".", "") == greeted
    body = literal_body(request_, reader=greeted)
    assert body is not None
    if email is not None:
        assert body == email
    assert not body.lower().rstrip(".").endswith(("know", "goes to halvorsen"))


@pytest.mark.parametrize("request_, sender", [
    # said by what they are, or by pronoun: the one who signed it is answered
    ("They sent: \"Can you still do the stall on Sunday? Thanks, Marisol\" — say yes", "Marisol"),
    ("Supplier sent this: \"Your pallets leave on Friday. Best regards, Tobias Lind, Logistics\" — "
     "write back confirming the loading bay is free", "Tobias"),
    # who wrote it says so in it, and signs nothing
    ("A recruiter sent: \"Hi! I'm Keanu from Brightpath and would love to chat about a role.\" "
     "Write back to him: not looking right now", "Keanu"),
    # a signature with no sign-off
    ("Our neighbour sent this, reply saying no problem\n\nHi there!\n\nWe're having a party on "
     "Saturday, sorry in advance for the noise.\n\nBeatrix (no. 9)", "Beatrix"),
    ("Customer complaint came in, write a reply apologising:\n\nTo whom it may concern,\n\nMy order "
     "arrived broken.\n\nRegards,\nNandi Khumalo", "Nandi"),
])
def test_whoever_signed_a_pasted_email_is_answered(request_, sender):
    from trainer.pasted import pasted_reply

    asked, pasted, who = pasted_reply(request_)
    assert who == sender
    assert pasted and not asked.lower().startswith(("write back", "reply", "supplier", "they sent"))


def test_a_subject_is_about_the_one_named_not_one_of_them():
    from trainer.subjects import subject_from_request
    asked = ("I supply veg boxes to a few pubs. One of them, The Drover's Rest, hasn't paid the last "
             "four invoices. Write to the landlord, Mags.")
    assert subject_from_request(asked) == "The Drover's Rest hasn't paid"


def test_the_readers_surname_is_not_missing_where_the_draft_greets_them():
    """"Hi Declan —" greets the reader as the user does; the window does not say it "did
    not mention: Hughes"."""
    from app.drafting import _greeted_names
    asked = "The owner is Ruairi Delaney. Write to Ruairi and offer to split the bill."
    assert _greeted_names(asked, "Hi Ruairi —\n\nHappy to split it.") == {"p:ruairi", "p:delaney"}
    assert _greeted_names(asked, "Hello,\n\nHappy to split it.") == set()
