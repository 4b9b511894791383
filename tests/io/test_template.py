"""Collection templates: what a department receives, and what happens when it comes back filled."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from planwatch.data.models import AuditEntry, DataValue, Status, TaskProgress
from planwatch.io import layout
from planwatch.io.importer import import_workbook
from planwatch.io.problems import ImportRefused

from .conftest import Filled, db_state, make_template


def test_department_template_lists_only_its_items(plan, tmp_path):
    path = make_template(plan, tmp_path, "department", "dc-czj")
    wb = load_workbook(path)
    assert wb.sheetnames == [layout.GUIDE_SHEET, layout.DATA_SHEET, layout.META_SHEET]
    assert wb[layout.META_SHEET].sheet_state == "veryHidden"
    ws = wb[layout.DATA_SHEET]
    codes = [ws[f"C{r}"].value for r in range(layout.FIRST_ROW, ws.max_row + 1)]
    # 区财政局 is responsible for revenue and tax-sources in the demo plan, and for no key task
    assert codes == ["revenue", "tax-sources"]
    meta = {row[0]: row[1] for row in wb[layout.META_SHEET].iter_rows(max_row=9, values_only=True)}
    assert (meta["plan"], meta["period"], meta["recipient_kind"], meta["recipient"], meta["version"]) == \
        ("dongcheng-2021", "2021H1", "department", "dc-czj", layout.TEMPLATE_VERSION)


def test_template_protects_labels_and_validates_inputs(demo_values, tmp_path):
    path = make_template(demo_values, tmp_path, "department", "dc-czj", period="2021Q3")
    ws = load_workbook(path)[layout.DATA_SHEET]
    r = layout.FIRST_ROW
    assert ws.protection.sheet
    assert ws[f"C{r}"].protection.locked and ws[f"D{r}"].protection.locked
    assert not ws[f"I{r}"].protection.locked and not ws[f"L{r}"].protection.locked
    assert ws[f"F{r}"].value == "亿元"
    assert ws[f"H{r}"].value == "190.5"           # the annual target beside the input
    assert ws["G3"].value == "上期(2021年第2季度)"
    def dv_of(ref):
        (dv,) = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
        return dv

    value_dv = dv_of(f"I{r}")
    assert (value_dv.type, value_dv.operator, value_dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert "亿元" in value_dv.prompt
    assert dv_of(f"J{r}").formula1 == "-100"
    assert dv_of(f"L{r + 1}").type == "textLength"


def test_previous_period_value_shown_beside_input(demo_values, tmp_path):
    path = make_template(demo_values, tmp_path, "department", "dc-czj", period="2021Q3")
    ws = load_workbook(path)[layout.DATA_SHEET]
    # 2021Q3's previous quarter is 2021Q2 (no figures); make one and look again
    from planwatch.data.actions import record_value
    record_value(demo_values.indicators["revenue"], demo_values.plan.org_unit, "2021Q2", value=80.5)
    path = make_template(demo_values, tmp_path, "department", "dc-czj", period="2021Q3", name="t2.xlsx")
    ws = load_workbook(path)[layout.DATA_SHEET]
    assert ws[f"G{layout.FIRST_ROW}"].value == 80.5


def test_subdistrict_template_is_its_own_unit(plan, tmp_path):
    path = make_template(plan, tmp_path, "org_unit", "110101005")
    ws = load_workbook(path)[layout.DATA_SHEET]
    units = {ws[f"E{r}"].value for r in range(layout.FIRST_ROW, ws.max_row + 1)}
    assert units == {"北新桥街道"}
    assert ws.max_row - layout.FIRST_ROW + 1 == len(plan.indicators)


def test_filled_template_imports_as_submitted(plan, tmp_path):
    f = Filled(make_template(plan, tmp_path))
    f.set("revenue", "I", "1,057,000万元")      # 105.7 亿元 written in 万元 with separators
    f.set("revenue", "J", "９.１%")
    f.set("revenue", "K", 0.555, number_format="0.0%")
    f.set("gdp", "I", 1499.7)
    f.set("task:back-alleys", "I", 120)
    f.set("task:back-alleys", "L", "已完成120条")
    report = import_workbook(f.save())
    assert (report.values, report.tasks, report.created) == (2, 1, 3)
    rev = DataValue.objects.get(indicator__code="revenue")
    assert (rev.value, rev.yoy_pct, rev.progress_pct) == (pytest.approx(105.7), 9.1, pytest.approx(55.5))
    assert (rev.status, rev.source, rev.period.code) == (Status.SUBMITTED, "imported", "2021H1")
    progress = TaskProgress.objects.get(task__code="back-alleys")
    assert (progress.quantity_done, progress.narrative, progress.status) == (120, "已完成120条", Status.SUBMITTED)
    assert report.blank == len(plan.indicators) + len(plan.tasks) - 3


def test_importing_the_same_file_twice_changes_nothing(plan, tmp_path):
    f = Filled(make_template(plan, tmp_path))
    f.set("gdp", "I", "1499.7亿元")
    path = f.save()
    import_workbook(path)
    before = db_state()
    report = import_workbook(path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert db_state() == before


def test_reimport_with_a_correction_updates_the_version(plan, tmp_path):
    f = Filled(make_template(plan, tmp_path))
    f.set("gdp", "I", 1499.7)
    import_workbook(f.save())
    f.set("gdp", "I", 1500.2)
    report = import_workbook(f.save())
    assert report.updated == 1
    row = DataValue.objects.get(indicator__code="gdp")
    assert (row.value, row.version) == (1500.2, 2)
    assert AuditEntry.objects.filter(action="value.update", reason__contains="t.xlsx").exists()


def test_blank_template_writes_nothing(plan, tmp_path):
    before = db_state()
    report = import_workbook(make_template(plan, tmp_path))
    assert report.values == report.tasks == 0 and not report.changed
    assert db_state() == before


def test_all_errors_listed_and_nothing_written(plan, tmp_path):
    f = Filled(make_template(plan, tmp_path))
    f.set("gdp", "I", 1499.7)                 # valid, but must not be written alone
    bad1 = f.set("revenue", "I", "12,3亿")
    bad2 = f.set("fai", "J", "abc")
    before = db_state()
    with pytest.raises(ImportRefused) as info:
        import_workbook(f.save())
    cells = [(p.sheet, p.cell) for p in info.value.problems]
    assert cells == [(layout.DATA_SHEET, bad1), (layout.DATA_SHEET, bad2)]
    assert str(info.value.problems[0]) == f"[{layout.DATA_SHEET}] {bad1}: '12,3亿' 不是数字(千分位逗号位置不对)"
    assert db_state() == before


def test_import_accepts_an_uploaded_file_object(plan, tmp_path):
    f = Filled(make_template(plan, tmp_path))
    f.set("gdp", "I", 1499.7)
    path = f.save()
    with open(path, "rb") as fh:
        report = import_workbook(fh, name="上传.xlsx")
    assert report.filename == "上传.xlsx" and report.created == 1


def test_streaming_reader_agrees_with_openpyxl(tmp_path):
    """The fast column reader gives what openpyxl's own read-only cells give, type by type."""
    from datetime import datetime

    from openpyxl import Workbook

    from planwatch.io.fastsheet import SheetStream

    wb = Workbook()
    ws = wb.active
    values = [1499.7, 12, "12,3亿", "=A1*2", datetime(2021, 6, 30), True, 0.555, "", None, "＝全角", -3.25]
    for i, v in enumerate(values, start=1):
        ws[f"I{i}"] = v
    ws["I7"].number_format = "0.0%"
    ws.merge_cells("J2:K3")
    path = tmp_path / "types.xlsx"
    wb.save(path)
    ro = load_workbook(path, read_only=True)
    stream = SheetStream(ro, ro.active)
    fast = stream.rows({"I"})
    for i, row in enumerate(ro.active.iter_rows(min_col=9, max_col=9), start=1):
        cell = row[0]
        got = fast.get(i, {}).get("I")
        expected_value = cell.value
        assert (got.value if got else None) == expected_value, i
        if got is not None and expected_value is not None:
            assert got.number_format == cell.number_format, i
            assert (got.data_type == "f") == (cell.data_type == "f"), i
    assert stream.merged == ["J2:K3"]
