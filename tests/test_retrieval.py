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
