"""The two sheet readers agree: the plain-sheet reader reads what the element reader reads, or hands over.

Each case is a worksheet XML written by hand into a real workbook (with a date style, a percent
style and a shared-string table), read by both readers; the rows and merged ranges must be
equal, and the case says which reader the plain path is expected to end in.  Then whole
templates saved the way Excel saves them (shared strings, XML declaration, x14ac row
attributes) are imported.
"""
from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import Workbook, load_workbook

from planwatch.data.models import DataValue
from planwatch.io import layout
from planwatch.io.fastsheet import SheetStream
from planwatch.io.importer import import_workbook
from planwatch.io.problems import ImportRefused

from .conftest import Filled, db_state, make_template
from .excel_like import DECL, MAIN, excel_like

HEAD = f'<worksheet xmlns="{MAIN}"><sheetData>'
TAIL = "</sheetData></worksheet>"


def _book(tmp_path: Path, sheet_xml: str) -> Path:
    """A workbook whose first sheet is ``sheet_xml``; {date}, {pct} name its date and percent styles.

    Shared strings 0..2 are "甲", "a&b<c>", "  spaced  ".
    """
    wb = Workbook()
    ws = wb.active
    ws["A1"] = datetime(2021, 6, 30)
    ws["A2"] = 0.5
    ws["A2"].number_format = "0.0%"
    ws["A3"], ws["A4"], ws["A5"] = "甲", "a&b<c>", "  spaced  "
    path = tmp_path / "book.xlsx"
    wb.save(path)
    excel_like(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    original = parts["xl/worksheets/sheet1.xml"].decode()
    styles = {ref: re.search(rf'<c r="{ref}" s="(\d+)"', original).group(1) for ref in ("A1", "A2")}
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.format(date=styles["A1"], pct=styles["A2"]).encode("utf-8")
    with zipfile.ZipFile(path, "w") as z:
        for n, raw in parts.items():
            z.writestr(n, raw)
    return path


def _both(path: Path, columns=frozenset("ACIJKL"), min_row=1, until=0):
    ro = load_workbook(path, read_only=True)
    stream = SheetStream(ro, ro.worksheets[0])
    plain = stream.rows(set(columns), min_row, until)
    plain_merged, reader = stream.merged, stream.reader
    element = stream.rows(set(columns), min_row, until, plain=False)
    assert stream.reader == "element"
    return plain, plain_merged, reader, element, stream.merged


PLAIN_ROWS = (
    '<row r="1"><c r="A1" s="{date}"><v>44377</v></c><c r="B1" t="s"><v>0</v></c><c r="I1" s="{pct}"><v>0.555</v></c>'
    '<c r="J1"><v>12</v></c><c r="K1"><v>1E3</v></c><c r="L1" t="s"><v>1</v></c></row>'
    '<row r="2" spans="1:12"><c r="A2" t="b"><v>1</v></c><c r="I2" t="e"><v>#DIV/0!</v></c><c r="J2" t="str"><v>x&amp;y</v></c>'
    '<c r="K2" t="inlineStr"><is><t xml:space="preserve">  两个\r\n空格 &#x4E2D;&#25991; </t></is></c><c r="L2" t="s"><v>2</v></c></row>'
    '<row r="3"/><row r="4"><c r="I4" s="{pct}"/><c r="J4"></c><c r="K4" t="inlineStr"><is><t></t></is></c>'
    '<c r="L4" t="inlineStr"></c><c r="IA4"><v>9</v></c><c r="CI4"><v>9</v></c></row>'
    '<row r="5"><c r="I5"><v>-3.25</v></c><c r="I5"><v>7</v></c><c r="J5" t="d"><v>2021-06-30T00:00:00Z</v></c></row>'
)

CASES = [
    # (id, sheet XML, reader the plain path ends in)
    ("excel-like", DECL + HEAD.replace("<worksheet ", '<worksheet xmlns:x14ac="urn:x" ') + PLAIN_ROWS
     + '</sheetData><mergeCells count="1"><mergeCell ref="J2:K3"/></mergeCells></worksheet>', "plain"),
    ("no-declaration", HEAD + PLAIN_ROWS + TAIL, "plain"),
    ("formula", HEAD + '<row r="1"><c r="I1"><f>A1*2</f><v>2</v></c></row>' + TAIL, "element"),
    ("shared-formula", HEAD + '<row r="1"><c r="I1"><f t="shared" ref="I1:I2" si="0">A1</f><v>1</v></c>'
     '<c r="I2"><f t="shared" si="0"/><v>1</v></c></row>' + TAIL, "element"),
    ("rich-text", HEAD + '<row r="1"><c r="L1" t="inlineStr"><is><r><t>粗</t></r><r><t>体</t></r></is></c></row>' + TAIL,
     "element"),
    ("attributes-reordered", HEAD + '<row r="1"><c s="{pct}" r="I1"><v>0.5</v></c></row>' + TAIL, "element"),
    ("single-quotes", HEAD + "<row r='1'><c r='I1'><v>5</v></c></row>" + TAIL, "element"),
    ("comment", HEAD + '<row r="1"><!-- x --><c r="I1"><v>5</v></c></row>' + TAIL, "element"),
    ("cdata", HEAD + '<row r="1"><c r="L1" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>' + TAIL, "element"),
    ("prefixed-namespace", f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="I1"><x:v>5</x:v></x:c>'
     "</x:row></x:sheetData></x:worksheet>", "element"),
    ("second-prefix-for-main", f'<worksheet xmlns="{MAIN}" xmlns:x="{MAIN}"><sheetData><row r="1"><x:c r="I1"><x:v>5</x:v>'
     "</x:c></row></sheetData></worksheet>", "element"),
    ("strict-namespace", '<worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><sheetData><row r="1">'
     '<c r="I1"><v>5</v></c></row></sheetData></worksheet>', "element"),
    ("cell-without-reference", HEAD + '<row r="1"><c><v>4</v></c><c r="I1"><v>5</v></c></row>' + TAIL, "element"),
    ("end-tag-with-space", HEAD + '<row r="1"><c r="I1"><v>5</v></c ></row ><row r="2"><c r="I2"><v>6</v></c></row>'
     + TAIL, "element"),
    ("entity-in-attribute", HEAD + '<row r="1"><c r="I1" s="&#49;"><v>5</v></c></row>' + TAIL, "element"),
    ("merge-with-two-attributes", HEAD + '<row r="1"><c r="I1"><v>5</v></c></row></sheetData>'
     '<mergeCells><mergeCell ref="I1:J1" x="1"/></mergeCells></worksheet>', "element"),
    ("row-number-with-leading-zero", HEAD + '<row r="01"><c r="A1"><v>1</v></c><c r="I1"><v>5</v></c></row>' + TAIL,
     "element"),
    ("utf-16", '<?xml version="1.0" encoding="UTF-16"?>' + HEAD + TAIL, "element"),
    ("empty-sheet", HEAD + TAIL, "plain"),
]


@pytest.mark.parametrize("case_id, xml, expected_reader", CASES, ids=[c[0] for c in CASES])
def test_plain_reader_reads_as_the_element_reader(tmp_path, case_id, xml, expected_reader):
    if case_id == "utf-16":
        path = _book(tmp_path, "{date}{pct}")
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        parts["xl/worksheets/sheet1.xml"] = xml.encode("utf-16")
        with zipfile.ZipFile(path, "w") as z:
            for n, raw in parts.items():
                z.writestr(n, raw)
    else:
        path = _book(tmp_path, xml)
    plain, plain_merged, reader, element, element_merged = _both(path, until=1)
    assert reader == expected_reader
    assert plain == element
    assert plain_merged == element_merged


def test_plain_reader_values(tmp_path):
    """What the excel-like case reads, spelled out (the element reader is held to the same)."""
    path = _book(tmp_path, DECL + HEAD + PLAIN_ROWS + TAIL)
    plain, _, reader, element, _ = _both(path, until=2)
    assert reader == "plain" and plain == element
    value = {r: {c: cell.value for c, cell in cells.items()} for r, cells in plain.items()}
    assert value[1] == {"A": datetime(2021, 6, 30), "B": "甲", "I": 0.555, "J": 12, "K": 1000.0, "L": "a&b<c>"}
    assert plain[1]["I"].number_format == "0.0%" and plain[1]["A"].data_type == "d"
    assert value[2] == {"A": True, "I": "#DIV/0!", "J": "x&y", "K": "  两个\n空格 中文 ", "L": "  spaced  "}
    assert 3 not in value  # an empty row is absent
    assert value[4] == {"I": None, "J": None, "K": None, "L": None}  # present but empty; IA4 and CI4 are other columns
    assert value[5] == {"I": 7, "J": datetime(2021, 6, 30)}  # the later of two cells with one reference wins
    assert type(value[5]["I"]) is int and type(value[1]["K"]) is float


def test_header_rows_are_read_whole(tmp_path):
    path = _book(tmp_path, HEAD + PLAIN_ROWS + TAIL)
    plain, _, reader, element, _ = _both(path, columns={"I"}, min_row=2, until=2)
    assert reader == "plain" and plain == element
    assert set(plain[2]) == {"A", "I", "J", "K", "L"} and set(plain[4]) == {"I"} and 1 not in plain


def test_malformed_xml_is_refused_by_both_readers(tmp_path):
    # the dimension comes first, as Excel writes it, so openpyxl opens the sheet without reading on
    path = _book(tmp_path, HEAD.replace("<sheetData>", '<dimension ref="I1"/><sheetData>')
                 + '<row r="1"><c r="I1"><v>5</v></row>' + TAIL)
    ro = load_workbook(path, read_only=True)
    stream = SheetStream(ro, ro.worksheets[0])
    for plain in (True, False):
        with pytest.raises(etree.XMLSyntaxError):
            stream.rows({"I"}, plain=plain)


# -- whole templates as Excel saves them -------------------------------------------------------

def test_template_saved_by_excel_imports_the_same(plan, tmp_path):
    f = Filled(make_template(plan, tmp_path))
    f.set("gdp", "I", 1499.7)
    f.set("gdp", "J", "5.2%")
    f.set("revenue", "I", "105.7亿元")
    f.set("revenue", "L", "税收 & 非税<收入>\n两行")
    openpyxl_path = f.save()
    excel_path = excel_like(openpyxl_path, tmp_path / "excel.xlsx")
    with zipfile.ZipFile(excel_path) as z:
        data_xml = z.read("xl/worksheets/sheet2.xml").decode()
    assert 't="s"' in data_xml and "inlineStr" not in data_xml and "x14ac:dyDescent" in data_xml
    sheets = {}
    for path in (openpyxl_path, excel_path):
        ro = load_workbook(path, read_only=True)
        sheets[path] = []
        for name, columns in ((layout.DATA_SHEET, {"C", "I", "J", "K", "L"}), (layout.META_SHEET, set("ABCD"))):
            stream = SheetStream(ro, ro[name])
            sheets[path].append(stream.rows(columns, 1, layout.HEADER_ROW))
            assert stream.reader == "plain", (path.name, name)
    assert sheets[openpyxl_path] == sheets[excel_path]
    report = import_workbook(excel_path)
    assert report.created == 2
    gdp = DataValue.objects.get(indicator__code="gdp", org_unit__code=plan.plan.org_unit.code)
    revenue = DataValue.objects.get(indicator__code="revenue", org_unit__code=plan.plan.org_unit.code)
    assert (gdp.value, gdp.yoy_pct) == (1499.7, 5.2)
    assert (revenue.value, revenue.note) == (105.7, "税收 & 非税<收入>\n两行")


def test_template_saved_by_excel_refuses_the_same(plan, tmp_path):
    f = Filled(make_template(plan, tmp_path))
    ref = f.set("revenue", "I", "12,3亿")
    path = excel_like(f.save())
    before = db_state()
    with pytest.raises(ImportRefused) as info:
        import_workbook(path)
    assert [(p.sheet, p.cell, p.reason) for p in info.value.problems] == [
        (layout.DATA_SHEET, ref, "'12,3亿' 不是数字(千分位逗号位置不对)")]
    assert db_state() == before
