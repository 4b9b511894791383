"""Reading each document format and encoding from real files made here, and each error case."""
import os

import pytest

from planwatch.extract import extract_facts
from planwatch.extract.reader import DocumentError, read_document
from planwatch.extract.stream import stream_facts

SAMPLE = "上半年,全区完成固定资产投资64.2亿元,同比增长3.1%,完成进度51.2%。新建社区养老驿站十二个。"


def cjk_font():
    import mplfonts
    base = os.path.join(os.path.dirname(mplfonts.__file__), "fonts")
    for name in sorted(os.listdir(base)):
        if name.lower().endswith((".ttf", ".otf")) and "hei" in name.lower():
            return os.path.join(base, name)
    pytest.skip("no CJK font in mplfonts")


def check(doc):
    fs = extract_facts(doc.text)
    assert [(f.value, f.unit) for f in fs] == [(64.2, "亿元"), (12, "个")]
    assert fs[0].yoy_pct == 3.1 and fs[0].progress_pct == 51.2
    for f in fs:
        assert doc.text[f.start:f.end] == f.quote


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"),
    ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"),
])
def test_text_encodings_are_detected(tmp_path, encoding, expected):
    p = tmp_path / "report.txt"
    p.write_bytes(SAMPLE.encode(encoding))
    doc = read_document(p)
    assert doc.encoding == expected and doc.format == "txt"
    assert doc.text == SAMPLE  # no BOM left in the text
    check(doc)
    assert [f.quote for f in stream_facts(p)] == [f.quote for f in extract_facts(doc.text)]


def test_crlf_is_read_as_newlines_by_both_paths(tmp_path):
    p = tmp_path / "crlf.txt"
    p.write_bytes((SAMPLE + "\r\n" + SAMPLE).encode("gb18030"))
    whole = [(f.start, f.quote) for f in extract_facts(read_document(p).text)]
    assert whole == [(f.start, f.quote) for f in stream_facts(p, chunk_chars=16)]


def test_docx(tmp_path):
    import docx
    d = docx.Document()
    d.add_paragraph("关于2021年上半年计划执行情况的报告")
    d.add_paragraph(SAMPLE)
    p = tmp_path / "report.docx"
    d.save(p)
    doc = read_document(p)
    assert doc.format == "docx"
    check(doc)


def test_pdf_with_text_layer(tmp_path):
    from fpdf import FPDF
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("cjk", "", cjk_font())
    pdf.set_font("cjk", size=11)
    pdf.multi_cell(0, 8, SAMPLE)
    p = tmp_path / "report.pdf"
    pdf.output(str(p))
    doc = read_document(p)
    assert doc.format == "pdf"
    check(doc)


def test_scanned_pdf_without_text_is_an_error(tmp_path):
    from fpdf import FPDF
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    p = tmp_path / "scan.pdf"
    pdf.output(str(p))
    with pytest.raises(DocumentError, match="scan.pdf.*no text layer"):
        read_document(p)


def test_html_with_declared_charset_and_clutter(tmp_path):
    markup = ("<html><head><meta charset=\"gb2312\"><title>报告</title><style>p{color:red}</style>"
              "<script>var x = 12;</script></head><body><div class=nav>首页 &gt; 计划</div>"
              f"<p>{SAMPLE}</p></body></html>")
    p = tmp_path / "report.html"
    p.write_bytes(markup.encode("gb18030"))
    doc = read_document(p)
    assert doc.format == "html" and "var x" not in doc.text and "color" not in doc.text
    check(doc)


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\t\n", "empty"),
    ("notes.xyz", "完成投资12亿元".encode(), "unknown document type"),
    ("noext", "完成投资12亿元".encode(), "unknown document type"),
    ("binary.txt", bytes(range(128, 256)) * 20, "undecodable"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable .docx"),
    ("broken.pdf", b"%PDF-1.4 garbage", "not a readable PDF|no text layer"),
])
def test_errors_name_the_file_and_the_reason(tmp_path, name, content, reason):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(DocumentError, match=reason) as err:
        read_document(p)
    assert name in str(err.value)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(DocumentError, match="missing.txt.*cannot be read"):
        read_document(tmp_path / "missing.txt")


def test_streaming_undecodable_file_is_an_error(tmp_path):
    p = tmp_path / "binary.txt"
    p.write_bytes(bytes(range(128, 256)) * 20)
    with pytest.raises(DocumentError, match="undecodable"):
        list(stream_facts(p))
