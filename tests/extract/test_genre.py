

def test_a_verb_ending_in_a_hedge_character_is_not_a_hedge():
    from planwatch.extract.grammar import extract_facts

    text = "全年累计签约1200户,节约资金约3.5亿元。"
    facts = {f.quote: f for f in extract_facts(text)}
    assert "1200户" in facts and facts["1200户"].approx is False
    assert facts["约3.5亿元"].approx is True
