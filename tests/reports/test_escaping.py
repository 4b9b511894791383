"""A planner's text with markup or Word-breaking characters comes out escaped and intact everywhere."""
from __future__ import annotations

import io
import re

import pytest

from planwatch.reports.text import clean

NASTY = 'Q3<script>alert("x&y")</script>推进\x0b第二行\x00尾\ud800部]]>*粗*_斜_ [链接](http://x) # 井号'
VISIBLE = '<script>alert("x&y")</script>'


def test_clean_removes_what_no_format_can_hold():
    out = clean(NASTY)
    assert "\x00" not in out and "\x0b" not in out
    assert "\ud800" not in out and "\ufffd" in out
    assert "推进\n第二行" in out and "尾\ufffd部" in out
    assert VISIBLE in out
    out.encode("utf-8")  # would raise on a lone surrogate
    assert clean("a\r\nb\rc\x0cd") == "a\nb\nc\nd"
    assert clean(None) == ""


@pytest.fixture
def nasty_report(demo, report_of):
    from planwatch.plans.models import PlanArea, Task
    from planwatch.reports.narratives import set_narrative

    set_narrative(demo, "2021H1", NASTY, part="execution", area=PlanArea.objects.get(plan=demo, code="city"))
    set_narrative(demo, "2021H1", NASTY, part="next", task=Task.objects.get(plan=demo, code="back-alleys"))
    return report_of()


@pytest.mark.django_db
def test_html_escapes_markup(nasty_report):
    from planwatch.reports.render_html import render_html

    html = render_html(nasty_report)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;" in html
    assert "]]&gt;" in html and "\x00" not in html and "\x0b" not in html
    from html.parser import HTMLParser

    texts = []

    class P(HTMLParser):
        def handle_data(self, data):
            texts.append(data)

    P(convert_charrefs=True).feed(html)
    assert VISIBLE in "".join(texts)  # a browser shows the text as typed


@pytest.mark.django_db
def test_markdown_escapes_markup(nasty_report):
    from planwatch.reports.render_md import render_md

    md = render_md(nasty_report)
    body = md.split("<!-- 需核实")[0]  # the review comment at the end is the one raw HTML the file has
    assert not re.search(r"(?<!\\)<", body), "every < of the planner's text is backslash-escaped"
    assert r'\<script\>alert("x\&y")\</script\>' in md
    assert r"\*粗\*\_斜\_ \[链接\](http://x)" in md
    assert "\x00" not in md and "\x0b" not in md
    md.encode("utf-8")


@pytest.mark.django_db
def test_docx_keeps_the_text_as_typed(nasty_report):
    from docx import Document

    from planwatch.reports.render_docx import render_docx

    doc = Document(io.BytesIO(render_docx(nasty_report)))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert VISIBLE in body
    assert "推进" in body and "第二行" in body and "尾\ufffd部]]>" in body
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", body)
