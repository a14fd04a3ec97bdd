"""Requests told to the assistant as a story (``trainer.story``): what goes in the email,
what was said only to the assistant, and who the email is for. Every case is our own
phrasing."""

import pytest

from trainer.checks import check_draft
from trainer.greetings import named_in_instruction
from trainer.literal import literal_body
from trainer.story import about_the_writing, retold, said_to_assistant, sentences


@pytest.mark.parametrize("sentence", [
    "Keep it short.", "Polite but firm please.", "Sound enthusiastic!", "Nothing too flowery please.",
    "Don't be passive aggressive.", "Make it warm, she's a good friend.", "not too formal",
    "Please make it friendly, my English is not so good.", "Don't make it sound like a threat.",
])
def test_sentences_about_the_writing(sentence):
    assert about_the_writing(sentence)


@pytest.mark.parametrize("sentence", [
    "Don't be late on Monday.", "Make it clear the deadline is Friday.", "Keep the receipt.",
    "Be there by 9.", "It's a short walk from the station.", "Please make sure the gate is shut.",
    "I can't make it on Sunday.", "Thanks, that was kind.",
])
def test_sentences_that_belong_to_the_email(sentence):
    assert not about_the_writing(sentence)
    assert not said_to_assistant(sentence)


def test_sentences_are_not_cut_at_titles_or_abbreviations():
    assert sentences("Ask Dr. Rahman about it. See St. Anne's notice, e.g. the times. Thanks.") == [
        "Ask Dr. Rahman about it.", "See St. Anne's notice, e.g. the times.", "Thanks."]


@pytest.mark.parametrize("request_, reader, email", [
    # the ask to write in the middle, with what to say after whom to
    ("I run the Tuesday book club. Can you write to Imogen asking if she could host in May? "
     "We'd need room for ten.", "Imogen",
     "I run the Tuesday book club. Could you let me know whether you could host in May? "
     "We'd need room for ten."),
    # the reader introduced to the assistant, then spoken of
    ("I'm a dog groomer. My client is Mrs Ferreira. Her spaniel's appointment on the 9th has to "
     "move to the 11th because my van is in for repair. Keep it brief.", "Mrs Ferreira",
     "Your spaniel's appointment on the 9th has to move to the 11th because my van is in for "
     "repair."),
    # what the reader is to the writer, said before the name
    ("Please help me write email to my landlord Herr Vogel. The shower has leaked since Monday. "
     "I am home after 18 Uhr.", "Herr Vogel",
     "The shower has leaked since Monday. I am home after 18 Uhr."),
    # "I want a … email reminding him of …, asking …, and mentioning …": each act said
    ("Our allotment neighbour Mr Dunne, plot 14, left the gate open again. I want a polite email "
     "reminding him of the rule, asking him to check it each evening, and mentioning that the "
     "deer got in last week.", "Mr Dunne",
     "You left the gate open again. Just a reminder about the rule. Could you check it each "
     "evening? The deer got in last week."),
    # the kind of email named says how it opens
    ("Draft an apology to a customer, Mr Quaye, whose parcel went to the wrong address. Offer a "
     "free replacement.", "Mr Quaye",
     "I'm sorry. Your parcel went to the wrong address. I'd be happy to offer a free replacement."),
    ("Write an invite to Auntie Rose for Mum's 60th. Saturday 4 May, 2pm, at ours.", "Auntie Rose",
     "I'd like to invite you to Mum's 60th. Saturday 4 May, 2pm, at ours."),
    ("Can you write a follow-up to Tariq after our meeting this morning? He'll send the draft by "
     "Thursday.", "Tariq",
     "Just following up on our meeting this morning. You'll send the draft by Thursday."),
    # tone told with why, and a need after the tone
    ("Email Soren. He hasn't sent the rota. Don't be rude, but I need it by Friday noon. "
     "Gentle, he's new.", "Soren",
     "You haven't sent the rota. I need it by Friday noon."),
    # the reader's contact introduced with where they work; tone told with why
    ("We run the Thursday litter pick. Our contact at the council is Mrs Abara. The grabbers "
     "we ordered on 3 May never came. Please write to her asking when they will arrive. Keep it "
     "friendly, she's always been helpful.", "Mrs Abara",
     "We run the Thursday litter pick. The grabbers we ordered on 3 May never came. Could you let "
     "me know when they will arrive?"),
    # the one the story opens on, spoken of after as "him"
    ("My old flatmate Dmitri is moving to Lisbon on the 3rd. I can't come to his leaving drinks. "
     "I want to tell him I'll miss him and that I'll visit in the spring.", "Dmitri",
     "You are moving to Lisbon on the 3rd. I can't come to your leaving drinks. I'll miss you "
     "and I'll visit in the spring."),
])
def test_stories_become_the_email_they_ask_for(request_, reader, email):
    assert literal_body(request_, reader=reader) == email


@pytest.mark.parametrize("request_, reader", [
    ("I'm a dog groomer. My client is Mrs Ferreira. Her spaniel's appointment has to move.",
     "Mrs Ferreira"),
    ("I had a viewing on Saturday. The agent is Priyesh. Tell him we'd like a second look.",
     "Priyesh"),
    ("My old flatmate Dmitri is moving to Lisbon. I want to tell him I'll miss him.", "Dmitri"),
    ("hey can u write an email to my tutor dr.okoye for me. I was ill on the 4th.", "Dr Okoye"),
    ("The parcel came back damaged. to: my landlord Mr Lindqvist", "Mr Lindqvist"),
    # introduced in the story, then asked of by pronoun
    ("I help run the parish fete. One of the volunteers, Ottilie, baked forty scones for the "
     "tea tent. I'd like to write her a proper thank-you from all of us.", "Ottilie"),
    ("My brother-in-law is Anselm and he fixed our fence last weekend. I want to email him a "
     "thank-you that mentions the new gate.", "Anselm"),
])
def test_the_reader_of_a_story_is_found(request_, reader):
    assert named_in_instruction(request_).replace(".", "") == reader.replace(".", "")


def test_a_request_that_is_not_a_story_is_left_as_it_is():
    for request_ in ("tell Stan the board approved the quote; ask when he can start",
                     "Ask Priya to check the budget table by Friday.",
                     "reply to this: \"Are you free Thursday? Thanks, Ana\" — say yes"):
        assert retold(request_) == request_


def test_talk_to_the_assistant_left_in_a_draft_is_a_form_defect():
    told = check_draft("Hi Nell,\n\nCould you write a short email for my application to the "
                       "library job? I've worked in two school libraries.\n\nBest,\nSam",
                       instruction="write to Nell about the library job", sign_off="Best,\nSam")
    assert "to_the_assistant" in told.defects
    clean = check_draft("Hi Nell,\n\nI'm writing to apply for the library job. I've worked in two "
                        "school libraries.\n\nBest,\nSam",
                        instruction="write to Nell about the library job", sign_off="Best,\nSam")
    assert "to_the_assistant" not in clean.defects


def test_a_storys_subject_is_what_it_is_about_not_who_the_writer_is():
    from trainer.subjects import subject_from_request
    assert subject_from_request(
        "I run the Thursday litter pick. The grabbers we ordered on 3 May never came. Please "
        "write to Mrs Abara asking when they will arrive.") == "The grabbers we ordered on 3 May"


def test_someone_elses_words_reported_keep_their_pronouns():
    assert literal_body("write to Mrs Ncube (my daughter Ama's form tutor). Ama says she was "
                        "marked absent on Monday but she was in class all day.",
                        reader="Mrs Ncube") == \
        "Ama says she was marked absent on Monday but she was in class all day."


@pytest.mark.parametrize("request_, reader, email", [
    # introduced with what they are like, and why the tone, told to the assistant
    ("I've run the kitchen rota for a year. My supervisor is Ingeborg, she's kind but always "
     "rushed, so it needs to be brief. I'd like to ask for a meeting about taking on the ordering.",
     "Ingeborg", "I've run the kitchen rota for a year. Could we have a meeting about taking on "
                 "the ordering?"),
    # introduced by what they do, not by a title
    ("Our holiday let is on Quay Street. The guest who booked everything is Matthias. I want to "
     "email him about check-in: keys are in the lockbox, code 4471.", "Matthias",
     "Our holiday let is on Quay Street. About check-in: keys are in the lockbox, code 4471."),
    # "My … is …" after the ask began still only tells the assistant who it is
    ("Please write a resignation email. I'm leaving the bakery after six years. My head baker is "
     "Odile. My last day is 30 May.", "Odile",
     "I'm writing to resign. I'm leaving the bakery after six years. My last day is 30 May."),
    # someone else's friend, with what they are, then what to ask
    ("Grandad turns 90 in June. I want to email his friend Wilfred, who's known him since the "
     "war, to ask if he could give a toast. Wilfred is hard of hearing so keep it short.",
     "Wilfred", "Grandad turns 90 in June. Could you let me know whether you could give a toast?"),
    # the ask after "and", to a group named by what it is
    ("We're holding a street party on 2 August and need to email the local council to ask "
     "whether we need a road closure. About 80 people are coming.", "",
     "We're holding a street party on 2 August. Could you let me know whether we need a road "
     "closure? About 80 people are coming."),
    # a group told what to do
    ("Draft a mail to all shift leads to do the needful and return the rota forms by Thursday.",
     "", "Please return the rota forms by Thursday."),
    # introduced, then what they are like and what else is told, after "and"; the tone said
    # after the reader's name is not said in the email
    ("Our allotment plot 14 still hasn't been cleared. The tenant is Rosalind Achterberg and to be "
     "fair she's always been helpful, and I know she broke her wrist in May. Write to Rosalind, "
     "gentle but clear, and offer to help clear it on Saturday.", "Rosalind Achterberg",
     "Our allotment plot 14 still hasn't been cleared. I know you broke your wrist in May. I'd be "
     "happy to help clear it on Saturday."),
    # "someone called", a who-clause of what they did, an ask that opens on "So", and what
    # the email is to leave out (not what the reader is asked to keep to themselves)
    ("The flat's hot water keeps failing. The property manager is someone called Odalys Ferro. "
     "I want to email her: firm but fair, say it has failed four times since May. Don't mention "
     "the rent rise, I'll raise it later.", "Odalys Ferro",
     "The flat's hot water keeps failing. It has failed four times since May."),
    ("My claim was rejected twice. The person checking it is Anwar, who started in finance last "
     "week. I want to email him to ask what is missing.", "Anwar",
     "My claim was rejected twice. Could you let me know what is missing?"),
    ("Our choir leader retires in June. So I need to email his partner, Ilse, to ask whether he is "
     "free on 14 June.", "Ilse", None),
    ("One of the parents keeps parking on the zigzags. He's Mateo's dad, Rafael Quispe. I need to "
     "email him about the school's parking rules.", "Rafael Quispe",
     "One of the parents keeps parking on the zigzags. I'm writing about the school's parking "
     "rules."),
    ("tell Jo the party is on Saturday, don't mention it to Sam", "Jo",
     "The party is on Saturday, don't mention it to Sam."),
    # someone gone, spoken of as they were, is not the reader, nor are her pronouns theirs
    ("My aunt's friend died in March. Her name was Philippa and she was 88. I want to email her "
     "daughter Maren to send my condolences.", "Maren",
     "My aunt's friend died in March. Her name was Philippa and she was 88. I'd like to send my "
     "condolences."),
])
def test_stories_with_the_reader_introduced_in_passing(request_, reader, email):
    if email is not None:
        assert literal_body(request_, reader=reader) == email
    assert named_in_instruction(request_) == reader


@pytest.mark.parametrize("request_, reader", [
    # one person a story knows from work, then asked of by pronoun
    ("I studied with Bartek at Warsaw twenty years ago. He now runs a design studio. I'd like to "
     "email him to ask about freelance work.", "Bartek"),
    # a title given once, in passing, is kept in the greeting
    ("We had a complaint from a tenant, Mrs Oduya, about the lift. Please write a reply to her "
     "that apologises and explains the repair date.", "Mrs Oduya"),
    # titles from other countries
    ("Please write email for Eng. Haddad, the drawings are late since one week.", "Eng Haddad"),
    # "I've" is no one
    ("I've got to cancel my broadband. I want an email to their accounts team cancelling it.", ""),
])
def test_readers_found_in_passing(request_, reader):
    assert named_in_instruction(request_).replace(".", "") == reader


def test_a_reply_that_does_several_things_says_each():
    body = literal_body("We had a complaint from a tenant, Mrs Oduya, about the lift. Please write "
                        "a reply to her that apologises and invites her to the residents' meeting.",
                        reader="Mrs Oduya")
    assert body.endswith("I'm sorry. I'd like to invite you to the residents' meeting.")
    # what is not an act stays as it was said
    assert "fees are going up" in literal_body(
        "Write to Jan that fees are going up from £20 to £24 in May.", reader="Jan").lower()
