"""Malformed workbooks: each gives its precise error (sheet, cell, reason) and writes nothing.

Every case starts from a real template in which one valid figure is filled (so that a reader that
skipped the broken part would write something), breaks it the way people do, imports it, and
checks the problem list and that the database did not move.
"""
from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook, load_workbook

from planwatch.accounts.models import Membership
from planwatch.data.actions import Actor
from planwatch.io import layout
from planwatch.io.importer import import_workbook
from planwatch.io.problems import ImportRefused

from .conftest import Filled, db_state, make_template

DATA, META = layout.DATA_SHEET, layout.META_SHEET


def _fill(f: Filled):
    f.set("gdp", "I", 1499.7)


def cell_text(value, column="I", code="revenue"):
    def mutate(f: Filled):
        f.set(code, column, value)
        return f"{column}{f.row(code)}"
    return mutate


def meta_value(row: int, value):
    def mutate(f: Filled):
        f.wb[META][f"B{row}"] = value
    return mutate


def merged(f: Filled):
    r = f.row("revenue")
    f.ws.merge_cells(f"I{r}:J{r}")
    return f"I{r}:J{r}"


def deleted_row(f: Filled):
    r = f.row("revenue")
    f.ws.delete_rows(r)
    return f"C{r}"


def inserted_row(f: Filled):
    r = f.row("revenue")
    f.ws.insert_rows(r)
    return f"C{r}"


def moved_rows(f: Filled):
    r1, r2 = f.row("revenue"), f.row("fai")
    f.ws[f"C{r1}"], f.ws[f"C{r2}"] = "fai", "revenue"
    return f"C{r1}"


def deleted_last_rows(f: Filled):
    last = f.ws.max_row
    f.ws.delete_rows(last - 1, 2)
    return f"C{last - 1}"


def renamed_sheet(f: Filled):
    f.ws.title = "Sheet1"


def removed_meta(f: Filled):
    del f.wb[META]


def deleted_column(f: Filled):
    f.ws.delete_cols(9)  # 本期数值
    return f"I{layout.HEADER_ROW}"


def inserted_column(f: Filled):
    f.ws.insert_cols(5)
    return f"E{layout.HEADER_ROW}"


def appended_row(f: Filled):
    r = f.ws.max_row + 1
    f.ws[f"C{r}"] = "gdp"
    f.ws[f"I{r}"] = 1.0
    return f"I{r}"


def meta_table_tampered(f: Filled):
    f.wb[META][f"A{layout.META_TABLE_ROW + 200}"] = 999
    f.wb[META][f"B{layout.META_TABLE_ROW + 200}"] = "value"
    f.wb[META][f"C{layout.META_TABLE_ROW + 200}"] = "gdp"
    f.wb[META][f"D{layout.META_TABLE_ROW + 200}"] = "110101"


def formula_in_note(f: Filled):
    f.set("revenue", "I", 105.7)
    return f.set("revenue", "L", "=HYPERLINK(\"http://example.invalid\")")


def note_without_number(f: Filled):
    return f.set("revenue", "L", "数据待统计局反馈")


def note_too_long(f: Filled):
    f.set("revenue", "I", 105.7)
    return f.set("revenue", "L", "说" * (layout.MAX_NOTE + 1))


def task_yoy(f: Filled):
    f.set("task:back-alleys", "I", 10)
    return f.set("task:back-alleys", "J", 5)


CASES = [
    # (id, mutate, sheet, cell (None: returned by mutate / "" when file-level), reason)
    ("thousands-wrong", cell_text("12,3亿"), DATA, None, "'12,3亿' 不是数字"),
    ("plain-text", cell_text("约一百亿"), DATA, None, "'约一百亿' 不是数字"),
    ("dash-for-blank", cell_text("—"), DATA, None, "'—' 不是数字"),
    ("two-points", cell_text("105.7.1"), DATA, None, "不是数字"),
    ("wrong-unit", cell_text("5户"), DATA, None, "单位'户'与指标单位'亿元'不符"),
    ("wrong-currency", cell_text("5亿美元"), DATA, None, "单位'亿美元'与指标单位'亿元'不符"),
    ("unit-in-percent-column", cell_text("9亿元", "J"), DATA, None, "此栏填百分数"),
    ("negative-amount", cell_text(-3), DATA, None, "小于允许的最小值 0亿元"),
    ("yoy-below-minus-100", cell_text("-150%", "J"), DATA, None, "小于允许的最小值 -100%"),
    ("progress-too-high", cell_text(5000, "K"), DATA, None, "大于允许的最大值 1000%"),
    ("task-percent-over-100", cell_text(120, "K", "task:back-alleys"), DATA, None, "大于允许的最大值 100%"),
    ("absurd-number", cell_text(1e18), DATA, None, "超出合理范围"),
    ("formula", cell_text("=100+5.7"), DATA, None, "是公式"),
    ("formula-reference", cell_text("=G5*1.1"), DATA, None, "是公式"),
    ("date", cell_text(datetime(2021, 6, 30)), DATA, None, "是日期"),
    ("boolean", cell_text(True), DATA, None, "逻辑值"),
    ("task-yoy", task_yoy, DATA, None, "任务行不填同比增长"),
    ("formula-in-note", formula_in_note, DATA, None, "说明栏不能填公式"),
    ("note-without-number", note_without_number, DATA, None, "只有说明没有数值"),
    ("note-too-long", note_too_long, DATA, None, f"说明超过 {layout.MAX_NOTE} 字"),
    ("merged-cells", merged, DATA, None, "合并了单元格"),
    ("deleted-row", deleted_row, DATA, None, "行被删除、插入、移动"),
    ("inserted-row", inserted_row, DATA, None, "行被删除、插入、移动"),
    ("moved-rows", moved_rows, DATA, None, "应为“revenue”,实为“fai”"),
    ("deleted-last-rows", deleted_last_rows, DATA, None, "缺少 2 个项目"),
    ("appended-row", appended_row, DATA, None, "不是模板中的项目"),
    ("deleted-column", deleted_column, DATA, None, "表头应为“本期数值”"),
    ("inserted-column", inserted_column, DATA, None, "请勿插入、删除或移动列"),
    ("renamed-sheet", renamed_sheet, "填报表", "", "找不到工作表“填报表”"),
    ("removed-meta-sheet", removed_meta, "", "", "不是 planwatch 生成的填报模板"),
    ("wrong-version", meta_value(2, "0"), META, "B2", "模板版本为'0'"),
    ("wrong-format-marker", meta_value(1, "something-else"), META, "B1", "模板标识有误"),
    ("unknown-plan", meta_value(3, "xicheng-2021"), META, "B3", "计划'xicheng-2021'不存在"),
    ("bad-period", meta_value(4, "2021H3"), META, "B4", "报告期'2021H3'无法识别"),
    ("unknown-recipient", meta_value(6, "nobody"), META, "B6", "填报对象无效"),
    ("meta-table-tampered", meta_table_tampered, META, "B9", "模板标识表已损坏"),
]


@pytest.mark.parametrize("case_id, mutate, sheet, cell, reason", CASES, ids=[c[0] for c in CASES])
def test_malformed_workbook(plan, tmp_path, case_id, mutate, sheet, cell, reason):
    f = Filled(make_template(plan, tmp_path))
    _fill(f)
    returned = mutate(f)
    path = f.save()
    expected_cell = returned if cell is None else cell
    before = db_state()
    with pytest.raises(ImportRefused) as info:
        import_workbook(path)
    problems = info.value.problems
    assert any(p.sheet == sheet and p.cell == expected_cell and reason in p.reason for p in problems), \
        [str(p) for p in problems]
    assert db_state() == before


def test_enough_distinct_malformed_cases():
    assert len({c[0] for c in CASES}) + len(FILE_CASES) + 4 >= 30


# -- files that are not (usable) workbooks at all ---------------------------------------------

def _text_as_xlsx(path: Path):
    path.write_text("指标,数值\ngdp,1499.7\n", encoding="utf-8")


def _pdf_as_xlsx(path: Path):
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")


def _xls_as_xlsx(path: Path):
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)


def _truncated_zip(path: Path):
    path.write_bytes(b"PK\x03\x04" + b"\x14\x00" * 40)


def _zip_not_workbook(path: Path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "不是工作簿")


def _empty(path: Path):
    path.write_bytes(b"")


def _plain_workbook(path: Path):
    wb = Workbook()
    wb.active["A1"] = "地区生产总值"
    wb.active["B1"] = 1499.7
    wb.save(path)


FILE_CASES = [
    ("text-renamed-xlsx", _text_as_xlsx, "内容不是 Excel 工作簿"),
    ("pdf-renamed-xlsx", _pdf_as_xlsx, "实为PDF 文件"),
    ("old-xls", _xls_as_xlsx, "旧版 Excel(.xls)"),
    ("truncated-zip", _truncated_zip, "无法打开工作簿"),
    ("zip-not-workbook", _zip_not_workbook, "无法打开工作簿"),
    ("empty-file", _empty, "文件是空的"),
    ("someone-elses-workbook", _plain_workbook, "不是 planwatch 生成的填报模板"),
]


@pytest.mark.parametrize("case_id, make, reason", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_not_a_template(plan, tmp_path, case_id, make, reason):
    path = tmp_path / "报表.xlsx"
    make(path)
    before = db_state()
    with pytest.raises(ImportRefused) as info:
        import_workbook(path)
    assert any(reason in p.reason for p in info.value.problems), [str(p) for p in info.value.problems]
    assert db_state() == before


def test_fifty_megabyte_file_is_refused_by_size(plan, tmp_path):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(50 * 1024 * 1024)  # sparse: instant to make, 50 MB to the size check
    before = db_state()
    with pytest.raises(ImportRefused) as info:
        import_workbook(path)
    (problem,) = info.value.problems
    assert "文件过大(50.0 MB)" in problem.reason and "上限为 20 MB" in problem.reason
    assert db_state() == before


def test_template_of_another_plan_or_period_is_refused(plan, tmp_path):
    f = Filled(make_template(plan, tmp_path))
    _fill(f)
    path = f.save()
    with pytest.raises(ImportRefused) as info:
        import_workbook(path, plan="xicheng-2021")
    assert "不是计划 xicheng-2021 的" in info.value.problems[0].reason
    with pytest.raises(ImportRefused) as info:
        import_workbook(path, period="2021Q3")
    assert info.value.problems[0].reason == "这是 2021年上半年 的模板,不是 2021年第3季度 的"


def test_recipient_may_not_report_anothers_items(plan, tmp_path):
    """A department edits its template (visible and hidden sheet) to report another department's figure."""
    f = Filled(make_template(plan, tmp_path, "department", "dc-czj"))
    r = f.row("tax-sources")
    f.ws[f"C{r}"] = "gdp"
    f.ws[f"I{r}"] = 1499.7
    meta = f.wb[META]
    for row in meta.iter_rows(min_row=layout.META_TABLE_ROW):
        if row[0].value == r:
            row[2].value = "gdp"
    path = f.save()
    before = db_state()
    with pytest.raises(ImportRefused) as info:
        import_workbook(path)
    assert [(p.cell, p.reason) for p in info.value.problems] == [(f"I{r}", "责任部门:区财政局 无权填报 地区生产总值(东城区)")]
    assert db_state() == before


@pytest.fixture
def reporter(plan):
    from planwatch.plans.models import Department

    user = get_user_model().objects.create_user("fgw-reporter", password="x")
    Membership.objects.create(user=user, role="department", department=Department.objects.get(code="dc-fgw"))
    return user


def test_user_may_not_report_items_outside_their_role(plan, tmp_path, reporter):
    f = Filled(make_template(plan, tmp_path, "department", "dc-czj"))
    ref = f.set("revenue", "I", 105.7)
    before = db_state()
    with pytest.raises(ImportRefused) as info:
        import_workbook(f.save(), actor=Actor.of(reporter))
    assert [(p.cell, p.reason) for p in info.value.problems] == [(ref, "用户 fgw-reporter 无权填报 区级一般公共预算收入(东城区)")]
    assert db_state() == before


def test_user_reports_their_own_department(plan, tmp_path, reporter):
    f = Filled(make_template(plan, tmp_path, "department", "dc-fgw"))
    f.set("fai", "I", 114.5)
    report = import_workbook(f.save(), actor=Actor.of(reporter))
    assert report.created == 1
    from planwatch.data.models import DataValue

    assert DataValue.objects.get().created_by == reporter


@pytest.mark.parametrize("sheet", [DATA, META])
@pytest.mark.parametrize("breakage", ["mismatched-tag", "bad-crc"])
def test_corrupt_sheet_xml_is_refused_with_the_sheet_named(plan, tmp_path, sheet, breakage):
    f = Filled(make_template(plan, tmp_path))
    _fill(f)
    path = f.save()
    part = f"xl/worksheets/sheet{f.wb.sheetnames.index(sheet) + 1}.xml"
    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i) for i in z.namelist()}
    xml = parts[part]
    if breakage == "mismatched-tag":
        at = xml.rindex(b"</row>")
        parts[part] = xml[:at] + b"</c>" + xml[at:]
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as z:
        for name, raw in parts.items():
            z.writestr(name, raw)
    if breakage == "bad-crc":  # flip a byte inside the sheet's compressed data
        data = bytearray(broken.read_bytes())
        with zipfile.ZipFile(broken) as z:
            info = z.getinfo(part)
        offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
        data[offset] ^= 0xFF
        broken.write_bytes(bytes(data))
    before = db_state()
    with pytest.raises(ImportRefused) as info:
        import_workbook(broken)
    problems = info.value.problems
    if breakage == "mismatched-tag":
        assert any(p.sheet == sheet and f"工作表“{sheet}”已损坏" in p.reason for p in problems), [str(p) for p in problems]
    else:  # found while opening (openpyxl reads each sheet's first bytes) or while reading the sheet
        assert any("已损坏" in p.reason for p in problems), [str(p) for p in problems]
    assert db_state() == before
