from store.retrieval import fts_query, query_terms


def test_fts_query_keeps_phrases_and_drops_stopwords():
    assert fts_query('glass "east panes" for the greenhouse') == \
        '"east panes" OR "glass" OR "greenhouse"'
    assert fts_query("if you do not") == '"if you do not"'
    assert fts_query("£340 quote") == '"340" OR "quote"'
    assert fts_query("gas price", common={"gas"}) == '"price"'
    assert fts_query("") == ""


def test_query_terms_match_the_fts_tokenizer():
    assert query_terms('phillip.allen@enron.com "Q3 numbers"') == (
        ["Q3 numbers"], ["phillip", "allen", "enron", "com"])


def test_examples_to_the_same_person_come_first(sample_home):
    """How the user writes to this person beats how they write about the topic to others."""
    from store.api import Store
    from trainer.engine.context import retrieve_own_emails

    with Store(sample_home) as store:
        plain = retrieve_own_emails(store, "greenhouse glazing and the board", k=3,
                                    min_similarity=0.1)
        to_priya = retrieve_own_emails(store, "greenhouse glazing and the board", k=3,
                                       min_similarity=0.1,
                                       prefer_to="priya.raman@hollowbrook.example")
    assert len(to_priya) == 3
    preferred = [e for e in to_priya if e.example.recipient == "priya.raman@hollowbrook.example"]
    assert preferred and to_priya[0].example.recipient == "priya.raman@hollowbrook.example"
    assert sum(e.example.recipient == "priya.raman@hollowbrook.example" for e in plain) \
        <= len(preferred)


def test_subjects_match_without_reply_prefixes():
    from trainer.engine.context import same_topic, subject_words

    assert subject_words("RE: Fwd: AW: Glazing quote") == {"glazing", "quote"}
    assert same_topic(subject_words("Re: Glazing quote"), subject_words("Glazing quote (v2)"))
    assert not same_topic(subject_words("Re: Glazing quote"), subject_words("AGM agenda"))
    assert not same_topic(set(), subject_words("AGM agenda"))


def test_examples_on_the_thread_subject_come_first(sample_home):
    """Replying in a thread: what the user wrote before on that subject leads."""
    from store.api import Store
    from trainer.engine.context import retrieve_own_emails, same_topic, subject_words

    with Store(sample_home) as store:
        plain = retrieve_own_emails(store, "thanks, see you then", k=3, min_similarity=0.0)
        assert len(plain) == 3
        # A subject among the similar emails that is not already the first.
        subject = plain[-1].example.subject
        assert not same_topic(subject_words(subject), subject_words(plain[0].example.subject))
        threaded = retrieve_own_emails(store, "thanks, see you then", k=3, min_similarity=0.0,
                                       prefer_subject=f"Re: {subject}")
    assert same_topic(subject_words(subject), subject_words(threaded[0].example.subject))
