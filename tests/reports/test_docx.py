"""The Word file: GB/T 9704-2012 page and type, real heading and list styles, tables and charts."""
from __future__ import annotations

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt


def east_asia_font(style):
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


@pytest.fixture
def docx_doc(demo, report_of):
    from planwatch.reports.render_docx import render_docx

    report = report_of(charts=True)
    return report, Document(io.BytesIO(render_docx(report)))


@pytest.mark.django_db
def test_page_is_a4_with_the_standard_type_area(docx_doc):
    _, doc = docx_doc
    s = doc.sections[0]
    def mm(x):  # stored in twips: compare to a tenth of a millimetre
        return round(x.mm, 1)

    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert [mm(x) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    # 22 lines in the 225 mm type area
    pitch_pt = int(grid.get(qn("w:linePitch"))) / 20
    assert int(225 / 25.4 * 72 // pitch_pt) == 22
    # 28 condensed 3号 characters fit the 156 mm line, 29 do not
    spacing = int(doc.styles["Normal"].element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    width_pt = 156 / 25.4 * 72
    assert 28 * (16 + spacing) <= width_pt < 29 * (16 + spacing)


@pytest.mark.django_db
def test_fonts_and_sizes(docx_doc):
    _, doc = docx_doc
    styles = doc.styles
    assert east_asia_font(styles["Title"]) == "方正小标宋简体" and styles["Title"].font.size == Pt(22)
    assert east_asia_font(styles["Heading 1"]) == "黑体" and styles["Heading 1"].font.size == Pt(16)
    assert east_asia_font(styles["Heading 2"]) == "楷体_GB2312" and styles["Heading 2"].font.size == Pt(16)
    assert east_asia_font(styles["Normal"]) == "仿宋_GB2312" and styles["Normal"].font.size == Pt(16)
    # no theme font left to override the named ones
    fonts = styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsiaTheme")) is None


@pytest.mark.django_db
def test_headings_lists_tables_and_pictures(docx_doc):
    report, doc = docx_doc
    paras = doc.paragraphs
    assert paras[0].style.name == "Title" and paras[0].text == report.title
    h1 = [p.text for p in paras if p.style.name == "Heading 1"]
    assert h1[:3] == ["一、上半年计划执行情况", "二、需要关注的主要问题", "三、下半年工作安排"]
    assert "附件" in h1
    assert any(p.style.name == "Heading 2" and p.text == "(一)推动经济较快增长" for p in paras)
    assert sum(p.style.name == "List Number" for p in paras) >= 10
    assert len(doc.tables) == sum(1 for s in report.sections for b in s.blocks if type(b).__name__ == "Table")
    assert doc.tables[0].rows[0].cells[0].text == "指标"
    assert doc.tables[0].rows[1].cells[2].text == "1499.7"
    charts = sum(1 for s in report.sections for b in s.blocks if type(b).__name__ == "Chart")
    assert charts >= 3
    assert len(doc.inline_shapes) == charts


@pytest.mark.django_db
def test_page_numbers_in_the_standard_form(docx_doc):
    _, doc = docx_doc
    s = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (s.footer, s.even_page_footer):
        p = footer.paragraphs[0]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))


@pytest.mark.django_db
def test_sources_appendix_lists_every_source(docx_doc):
    report, doc = docx_doc
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("数据来源")
    entries = [t for t in texts[start:] if t.startswith("[")]
    assert len(entries) == len(report.sources)
    assert entries[0].startswith("[1] 地区生产总值 东城区") and "1499.7" in entries[0]
