"""Any text at all: the extractor never raises and every span points at its quote."""
from hypothesis import given, settings
from hypothesis import strategies as st

from planwatch.extract import extract_facts
from planwatch.extract.numerals import fold

GENRE = st.sampled_from(list("0123456789０１２３.．%％,，。;；、万亿千余近约超多左右以上个项家户元平方米同比增长下降完成进度的占年计划第号“”《》十两一二三百零〇-至/ \n"))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(GENRE, max_size=80), st.lists(st.one_of(st.text(GENRE, max_size=8), st.text(max_size=4))).map("".join)))
def test_arbitrary_text_gives_valid_spans(text):
    facts = extract_facts(text)
    for f in facts:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == f.quote
        assert isinstance(f.value, float)


@given(st.text())
def test_folding_keeps_length(text):
    assert len(fold(text)) == len(text)
