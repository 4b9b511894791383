"""Streaming a large file in sentence-aligned chunks gives the facts of reading it whole."""
from planwatch.extract import extract_facts
from planwatch.extract.stream import iter_text_chunks, stream_facts

BLOCK = ("上半年,全区税收收入实现88.6亿元,同比增长7.2%,完成进度51.3%;新增就业岗位1.2万余个。\n"
         "累计清扫道路706万平方米,发放补贴资金2150.6万元,惠及1.8万人次。")


def test_chunks_end_at_sentences_and_offsets_are_global(tmp_path):
    text = BLOCK * 40
    p = tmp_path / "big.txt"
    p.write_text(text, encoding="utf-8")
    pieces = list(iter_text_chunks(p, chunk_chars=100))
    assert len(pieces) > 10
    assert "".join(t for _, t in pieces) == text
    for off, t in pieces[:-1]:
        assert text[off:off + len(t)] == t and t[-1] in "。;\n"
    streamed = [f.to_dict() for f in stream_facts(p, chunk_chars=100)]
    assert streamed == [f.to_dict() for f in extract_facts(text)]
    for f in streamed:
        assert text[f["start"]:f["end"]] == f["quote"]


def test_a_file_without_sentence_ends_still_streams(tmp_path):
    text = "完成投资12亿元," * 500
    p = tmp_path / "long.txt"
    p.write_text(text, encoding="gb18030")
    streamed = list(stream_facts(p, chunk_chars=64))
    assert len(streamed) == 500
    for f in streamed:
        assert text[f.start:f.end] == f.quote
