"""The report as a Word document an office can file: page and type after GB/T 9704-2012.

    A4; 版心 156 mm × 225 mm (margins top 37, bottom 35, left 28, right 26 mm);
    28 characters × 22 lines per page (line pitch 28.95 pt, character grid compressed to fit);
    title 方正小标宋简体 2号 (22 pt); 一级标题 黑体 3号, 二级标题 楷体_GB2312 3号,
    三级标题 仿宋_GB2312 3号 bold; body 仿宋_GB2312 3号 (16 pt), first line indented two characters;
    page numbers 宋体 4号 "— 1 —", odd pages right, even pages left, one character in.

Headings are Word's own Heading 1–3 (the navigation pane and a table of contents work), list
items use the List Number style with numbering restarted per subsection, indicator and task
progress are real tables, charts are pictures. The fonts are named, not embedded: a machine
without 仿宋_GB2312 substitutes its own, as it does for every official document.
"""
from __future__ import annotations

import io
import math

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from planwatch.reports.model import Chart, Paragraph, Report, Table, Text

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

SIZE_2 = Pt(22)    # 二号
SIZE_3 = Pt(16)    # 三号
SIZE_4 = Pt(14)    # 四号
SIZE_TABLE = Pt(10.5)  # 五号

PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines, a hair under so the 22nd line always fits

LEVEL_FILL = {"green": "C8E6C9", "yellow": "FFF59D", "red": "FFCDD2", "missing": "E0E0E0"}


def _set_fonts(rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts explicitly and drop theme fonts (which would override the names)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style(doc, name: str, east_asia: str, size, bold=False, align=None, indent_chars: float | None = 2,
           exact=True, space_before=0, space_after=0):
    st = doc.styles[name]
    st.font.size = size
    st.font.bold = bold
    st.font.italic = False
    st.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(st.element, east_asia)
    pf = st.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.first_line_indent = Pt(size.pt * indent_chars) if indent_chars else Pt(0)
    pf.left_indent = Pt(0)
    pf.space_before = Pt(space_before)
    pf.space_after = Pt(space_after)
    if exact:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = LINE_PITCH
    pf.keep_with_next = name.startswith("Heading") or name == "Title"
    pf.widow_control = True
    return st


def _setup_styles(doc) -> None:
    _style(doc, "Normal", BODY_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "Title", TITLE_FONT, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, indent_chars=None, exact=False,
           space_after=LINE_PITCH.pt)
    title = doc.styles["Title"].paragraph_format
    title.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    title.line_spacing = Pt(35)
    # the template draws a rule under the title: an official document has none
    ppr = doc.styles["Title"].element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    _style(doc, "Heading 1", H1_FONT, SIZE_3)
    _style(doc, "Heading 2", H2_FONT, SIZE_3)
    _style(doc, "Heading 3", BODY_FONT, SIZE_3, bold=True)
    _style(doc, "List Number", BODY_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "Caption", H1_FONT, SIZE_4, align=WD_ALIGN_PARAGRAPH.CENTER, indent_chars=None, exact=False,
           space_before=6, space_after=6)
    _style(doc, "Footer", PAGE_NUMBER_FONT, SIZE_4, indent_chars=None, exact=False)
    for name in ("Normal", "List Number", "Heading 1", "Heading 2", "Heading 3"):
        _condense(doc.styles[name])
    st = doc.styles["List Number"].paragraph_format
    st.left_indent = Pt(0)
    st.first_line_indent = Pt(SIZE_3.pt * 2)


def _doc_grid(section) -> None:
    """22 lines per page: Word's line grid for the 版心 (the 28 characters come from CHAR_SPACING).

    A character grid (``linesAndChars``) would also give 28 characters, but LibreOffice lays
    compressed grid cells out as two cells per character and table cells inherit the grid, so
    the line grid plus a slightly condensed body font is the layout both programs agree on.
    """
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(round(LINE_PITCH.pt * 20))))
    sect_pr.append(grid)


def char_spacing_twips() -> int:
    """Condensing (in twentieths of a point) that fits CHARS_PER_LINE 3号 characters in the 版心."""
    text_width_pt = (PAGE_W - MARGIN_LEFT - MARGIN_RIGHT) / 12700
    pitch = text_width_pt / CHARS_PER_LINE            # 15.79 pt for 156 mm
    return math.floor((pitch - SIZE_3.pt) * 20)        # round down so 28 always fit: -5 = -0.25 pt


def _condense(style) -> None:
    rpr = style.element.get_or_add_rPr()
    for old in rpr.findall(qn("w:spacing")):
        rpr.remove(old)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(char_spacing_twips()))
    rpr.append(spacing)


def _field(paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep, shown, end):
        run._r.append(el)


def _page_number(footer, align) -> None:
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.style = "Footer"
    p.alignment = align
    fmt = p.paragraph_format
    # 单页码居右空一字,双页码居左空一字
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = SIZE_4
    else:
        fmt.left_indent = SIZE_4
    p.add_run("— ")
    _field(p, "PAGE")
    p.add_run(" —")


def _setup_page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(15)
    section.footer_distance = Mm(22)
    _doc_grid(section)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


class _Numbering:
    """New List Number instances, so each subsection's list starts again at 1."""

    def __init__(self, doc):
        self.doc = doc
        self.numbering = doc.part.numbering_part.element
        style = doc.styles["List Number"].element
        num_id = style.pPr.find(qn("w:numPr")).find(qn("w:numId")).get(qn("w:val"))
        num = next(n for n in self.numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id)
        self.abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        self.next_id = max(int(n.get(qn("w:numId"))) for n in self.numbering.findall(qn("w:num"))) + 1

    def restart(self) -> str:
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), str(self.next_id))
        abstract = OxmlElement("w:abstractNumId")
        abstract.set(qn("w:val"), self.abstract)
        num.append(abstract)
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), "0")
        start = OxmlElement("w:startOverride")
        start.set(qn("w:val"), "1")
        override.append(start)
        num.append(override)
        self.numbering.append(num)
        self.next_id += 1
        return num.get(qn("w:numId"))

    @staticmethod
    def apply(paragraph, num_id: str) -> None:
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = int(num_id)


def _add_runs(paragraph, runs, size=None) -> None:
    for r in runs:
        run = paragraph.add_run(r.text)
        if isinstance(r, Text) and r.bold:
            run.bold = True
        if size is not None:
            run.font.size = size


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


TEXT_WIDTH_CM = 15.6


def _column_widths(n: int) -> list:
    """The first column (the indicator's or task's name) gets 30 % of the width, the rest share."""
    first = TEXT_WIDTH_CM * 0.3
    rest = (TEXT_WIDTH_CM - first) / max(1, n - 1)
    return [Cm(first)] + [Cm(rest)] * (n - 1)


# pPr children that the schema puts after w:snapToGrid (Word rejects elements out of order)
_AFTER_SNAP = {qn(f"w:{t}") for t in ("spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
                                      "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId",
                                      "cnfStyle", "rPr", "sectPr", "pPrChange")}


def _table_styles(doc) -> None:
    """Paragraph styles for table cells: 五号, single spacing, centred, off the page's line grid."""
    for name, font, bold in (("Table Text", BODY_FONT, False), ("Table Heading", H1_FONT, True)):
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = doc.styles["Normal"]
        st.font.size = SIZE_TABLE
        st.font.bold = bold
        _set_fonts(st.element, font)
        rpr = st.element.get_or_add_rPr()
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), "0")
        rpr.append(spacing)
        _table_paragraph_format(st.paragraph_format, st.element.get_or_add_pPr())


def _table_paragraph_format(fmt, ppr, align=WD_ALIGN_PARAGRAPH.CENTER):
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.alignment = align
    # table lines keep their own height instead of snapping to the 22-line page grid
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    later = [c for c in ppr if c.tag in _AFTER_SNAP]
    if later:
        later[0].addprevious(snap)
    else:
        ppr.append(snap)


def _table_paragraph(p, align=WD_ALIGN_PARAGRAPH.CENTER):
    _table_paragraph_format(p.paragraph_format, p._p.get_or_add_pPr(), align)
    return p


class _Writer:
    def __init__(self, report: Report):
        self.report = report
        self.doc = Document()
        _setup_styles(self.doc)
        _setup_page(self.doc)
        self.numbering = _Numbering(self.doc)
        # style ids looked up once: python-docx resolves a style name with an XPath per paragraph
        _table_styles(self.doc)
        self.style_ids = {n: self.doc.styles[n].style_id for n in
                          ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Number", "Caption",
                           "Table Heading", "Table Text")}
        self.table_style_id = self.doc.styles["Table Grid"].style_id
        self.tables = 0
        self.figures = 0
        self.list_id: str | None = None

    def add(self, style: str, text: str = ""):
        p = self.doc.add_paragraph(text)
        if style != "Normal":
            p._p.style = self.style_ids[style]
        return p

    def heading(self, text: str, level: int) -> None:
        self.add(f"Heading {min(level, 3)}", text)
        self.list_id = None

    def paragraph(self, block: Paragraph) -> None:
        if block.style == "list":
            if self.list_id is None:
                self.list_id = self.numbering.restart()
            p = self.add("List Number")
            _Numbering.apply(p, self.list_id)
        else:
            p = self.add("Normal")
        _add_runs(p, block.runs)

    def table(self, block: Table) -> None:
        self.tables += 1
        cap = self.add("Caption", f"表{self.tables} {block.caption}")
        cap.paragraph_format.keep_with_next = True
        n = len(block.header)
        t = self.doc.add_table(rows=1 + len(block.rows), cols=n)
        t._tbl.tblStyle_val = self.table_style_id  # by id: a lookup by name costs an XPath each time
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        widths = _column_widths(n)
        for column, width in zip(t.columns, widths):
            column.width = width
        cells = t._cells  # all cells in one pass, row by row
        head_id, text_id = self.style_ids["Table Heading"], self.style_ids["Table Text"]
        for j, text in enumerate(block.header):
            cell = cells[j]
            cell.width = widths[j]
            p = cell.paragraphs[0]
            p._p.style = head_id
            p.add_run(text)
        # repeat the header row on every page the table runs over
        t.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for i, row in enumerate(block.rows):
            base = (i + 1) * n
            for j, content in enumerate(row):
                cell = cells[base + j]
                cell.width = widths[j]
                p = cell.paragraphs[0]
                p._p.style = text_id
                if j == 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
                _add_runs(p, content)
            level = block.levels[i] if i < len(block.levels) else None
            if level in LEVEL_FILL:
                _shade(cells[base + n - 1], LEVEL_FILL[level])
        self.add("Normal").paragraph_format.line_spacing = Pt(8)

    def chart(self, block: Chart) -> None:
        self.figures += 1
        p = self.add("Normal")
        _table_paragraph(p)
        p.paragraph_format.keep_with_next = True
        p.add_run().add_picture(io.BytesIO(block.png), width=Cm(min(block.width_cm, 15.6)))
        # the picture's alternative text, for screen readers and for search
        doc_pr = p._p.xpath(".//wp:docPr")
        if doc_pr:
            doc_pr[0].set("descr", block.alt)
        self.add("Caption", f"图{self.figures} {block.title}")

    def sources(self) -> None:
        report = self.report
        p = self.add("Normal")
        p.add_run().add_break(WD_BREAK.PAGE)
        self.heading("附件", 1)
        self.add("Title", "数据来源")
        self.add(
            "Normal", "本附件逐项列出报告中每个数字的来源:填报或导入的数据注明方式、状态、责任部门、填报人和审核人,"
            "文档抽取的数据注明文档和原文,计算得出的数字注明算法和依据。")
        cited = report.cited_numbers()
        for i, s in enumerate(report.sources, 1):
            p = self.add("Normal")
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            p.paragraph_format.line_spacing = Pt(22)
            head = p.add_run(f"[{i}] {s.label}")
            head.bold = True
            head.font.size = SIZE_4
            figures = cited.get(s.id)
            body = ("。报告中的数字:" + "、".join(figures) if figures else "") + "。" + ";".join(s.lines) + "。"
            p.add_run(body).font.size = SIZE_4

    def write(self) -> bytes:
        report = self.report
        self.doc.core_properties.title = report.title
        self.doc.core_properties.subject = f"{report.org_name} {report.period_code}"
        self.doc.core_properties.author = "planwatch"
        self.add("Title", report.title)
        for section in report.sections:
            self.heading(section.heading, section.level)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    self.paragraph(block)
                elif isinstance(block, Table):
                    self.table(block)
                elif isinstance(block, Chart):
                    self.chart(block)
        self.sources()
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def render_docx(report: Report) -> bytes:
    return _Writer(report).write()
