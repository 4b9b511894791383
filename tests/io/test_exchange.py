"""Exports for other systems and their import: exact round trips, standard shapes, same validation."""
from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from planwatch.data.actions import record_task_progress, record_value
from planwatch.data.models import DataValue, Status, TaskProgress
from planwatch.io.codes import from_dhis2, previous, to_dhis2, to_sdmx
from planwatch.io.export import SDMX_COLUMNS, TIDY_COLUMNS, export
from planwatch.io.importer import import_workbook
from planwatch.io.problems import ImportRefused
from planwatch.periods import Period

from .conftest import db_state


@pytest.mark.parametrize("code, dhis2, sdmx", [
    ("2021", "2021", "2021"), ("2021H1", "2021S1", "2021-S1"), ("2021H2", "2021S2", "2021-S2"),
    ("2021Q3", "2021Q3", "2021-Q3"), ("2021-06", "202106", "2021-06"), ("2021-12", "202112", "2021-12"),
])
def test_period_notations(code, dhis2, sdmx):
    p = Period.parse(code)
    assert (to_dhis2(p), to_sdmx(p)) == (dhis2, sdmx)
    assert from_dhis2(dhis2) == p


@pytest.mark.parametrize("bad", ["2021S3", "2021W12", "202113", "21Q1", ""])
def test_unknown_dhis2_periods_are_refused(bad):
    with pytest.raises(ValueError):
        from_dhis2(bad)


def test_previous_period():
    assert [previous(Period.parse(c)).code for c in ("2021H1", "2021Q1", "2021-01", "2021", "2021Q3")] == \
        ["2020H2", "2020Q4", "2020-12", "2020", "2021Q2"]


@pytest.fixture
def richer(demo_values):
    """The demo plus a second period, 街道 figures and notes that look like formulas."""
    plan = demo_values
    gdp, revenue = plan.indicators["gdp"], plan.indicators["revenue"]
    street = plan.org_units["110101005"]
    record_value(gdp, street, "2021Q3", value=88.25, yoy_pct=-2.5, note="=HYPERLINK(\"x\")")
    record_value(revenue, plan.plan.org_unit, "2021Q3", value=150.3, progress_pct=78.9, note="+含一次性收入")
    record_value(revenue, street, "2021-06", yoy_pct=3.0)                 # a value with only a growth rate
    record_task_progress(plan.tasks["back-alleys"], "2021Q3", quantity_done=200, percent=59.0, narrative="-部分完成")
    record_task_progress(plan.tasks["forest-chief"], "2021Q3", narrative="制度已印发")  # narrative only
    return plan


def _clear_values():
    DataValue.objects.all().delete()
    TaskProgress.objects.all().delete()


@pytest.mark.parametrize("fmt", ["csv", "dhis2-json"])
def test_round_trip_is_exact(richer, tmp_path, fmt):
    first = export(richer, fmt)
    path = tmp_path / ("out.csv" if fmt == "csv" else "out.json")
    path.write_bytes(first)
    _clear_values()                      # the plan stays loaded, the figures are gone
    report = import_workbook(path)
    assert report.created == report.values + report.tasks > 20
    assert export(richer, fmt) == first
    assert set(DataValue.objects.values_list("status", flat=True)) == {Status.SUBMITTED}
    # and importing the export again changes nothing
    before = db_state()
    import_workbook(path)
    assert db_state() == before


def test_tidy_csv_shape_and_formula_neutralising(richer):
    rows = list(csv.DictReader(io.StringIO(export(richer, "csv").decode("utf-8-sig"))))
    assert list(rows[0]) == TIDY_COLUMNS
    gdp_street = next(r for r in rows if r["data_element"] == "gdp" and r["org_unit"] == "110101005")
    assert (gdp_street["period"], gdp_street["value"], gdp_street["yoy_pct"]) == ("2021Q3", "88.25", "-2.5")
    assert gdp_street["note"] == "'=HYPERLINK(\"x\")"
    task = next(r for r in rows if r["data_element"] == "task:back-alleys")
    assert (task["value"], task["progress_pct"], task["note"]) == ("200", "59", "'-部分完成")
    assert all(not r[c].startswith(("=", "+", "-", "@")) for r in rows for c in ("name", "note", "org_unit_name"))
    # periods in time order
    assert [r["period"] for r in rows] == sorted((r["period"] for r in rows), key=lambda c: Period.parse(c).end)


def test_sdmx_csv(richer):
    text = export(richer, "sdmx-csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == SDMX_COLUMNS
    assert ["PLANWATCH:DONGCHENG_2021(1.0)", "revenue", "110101", "2021-S1", "105.7", "亿元"] in rows
    assert ["PLANWATCH:DONGCHENG_2021(1.0)", "gdp", "110101005", "2021-Q3", "88.25", "亿元"] in rows
    assert not any(r[1].startswith("task:") for r in rows)           # tasks are not statistics
    assert not any(r[2] == "110101005" and r[3] == "2021-06" for r in rows)  # no OBS_VALUE, no row


def test_dhis2_json(richer):
    doc = json.loads(export(richer, "dhis2-json"))
    assert doc["dataSet"] == "dongcheng-2021"
    values = doc["dataValues"]
    assert {"dataElement": "revenue", "period": "2021S1", "orgUnit": "110101", "value": "105.7"} in values
    assert {"dataElement": "revenue", "period": "2021S1", "orgUnit": "110101",
            "categoryOptionCombo": "PROGRESS_PCT", "value": "55.5"} in values
    assert {"dataElement": "revenue", "period": "202106", "orgUnit": "110101005",
            "categoryOptionCombo": "YOY_PCT", "value": "3"} in values
    assert {"dataElement": "task:forest-chief", "period": "2021Q3", "orgUnit": "110101", "value": "",
            "comment": "制度已印发"} in values
    assert all(isinstance(v["value"], str) for v in values)


def test_pivot_xlsx(richer):
    wb = load_workbook(io.BytesIO(export(richer, "xlsx")))
    assert wb.sheetnames == ["2021H1", "2021-06", "2021Q3"]
    ws = wb["2021Q3"]
    header = [c.value for c in ws[2]]
    assert header[:3] == ["代码", "指标/任务", "计量单位"] and set(header[3:]) == {"东城区", "北新桥街道"}
    rows = {ws.cell(row=r, column=1).value: r for r in range(3, ws.max_row + 1)}
    assert ws.cell(row=rows["gdp"], column=3 + header[3:].index("北新桥街道") + 1).value == 88.25
    assert ws.cell(row=rows["revenue"], column=3 + header[3:].index("东城区") + 1).value == 150.3


def test_export_one_period(richer):
    rows = list(csv.DictReader(io.StringIO(export(richer, "csv", ["2021Q3"]).decode("utf-8-sig"))))
    assert {r["period"] for r in rows} == {"2021Q3"} and len(rows) == 4


def test_export_respects_what_a_user_may_see(richer):
    from django.contrib.auth import get_user_model

    from planwatch.accounts.models import Membership

    user = get_user_model().objects.create_user("beixinqiao", password="x")
    Membership.objects.create(user=user, role="subdistrict", org_unit=richer.org_units["110101005"])
    rows = list(csv.DictReader(io.StringIO(export(richer, "csv", user=user).decode("utf-8-sig"))))
    assert rows and {r["org_unit"] for r in rows} == {"110101005"}


# -- importing CSV and DHIS2: the same validation ---------------------------------------------

HEADER = ",".join(TIDY_COLUMNS) + "\n"


def _import_text(tmp_path, name, text, **kw):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_workbook(path, **kw)


def test_csv_accepts_people_spellings_and_gbk(plan, tmp_path):
    text = HEADER + "dongcheng-2021,2021H1,revenue,,110101,,万元,\"1,057,000\",９.１%,55.5,\n"
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gb18030"))
    report = import_workbook(path)
    row = DataValue.objects.get()
    assert report.created == 1 and (row.value, row.yoy_pct, row.progress_pct) == (pytest.approx(105.7), 9.1, 55.5)


@pytest.mark.parametrize("line, cell, reason", [
    ("dongcheng-2021,2021H1,revenue,,110101,,,\"12,3亿\",,,", "第2行 value", "'12,3亿' 不是数字"),
    ("dongcheng-2021,2021H7,revenue,,110101,,,1,,,", "第2行 period", "报告期'2021H7'无法识别"),
    ("dongcheng-2021,2021H1,nonsense,,110101,,,1,,,", "第2行 data_element", "指标'nonsense'不在计划"),
    ("dongcheng-2021,2021H1,revenue,,999,,,1,,,", "第2行 data_element", "单位'999'不存在"),
    ("dongcheng-2021,2021H1,task:nonsense,,110101,,,1,,,", "第2行 data_element", "任务'nonsense'不在计划"),
    ("dongcheng-2021,2021H1,task:back-alleys,,110101,,,1,5,,", "第2行 yoy_pct", "任务不填同比"),
    ("dongcheng-2021,2021H1,revenue,,110101,,,=1+1,,,", "第2行 value", "是公式"),
    ("dongcheng-2021,2021H1,revenue,,110101,,,-5,,,", "第2行 value", "小于允许的最小值"),
    ("dongcheng-2021,2021H1,revenue,,110101,,,1", "第2行", "有 8 列,表头有 11 列"),
    ("dongcheng-2021,2021H1,revenue,,110101,,,,,,备注", "第2行", "只有说明没有数值"),
])
def test_csv_errors(plan, tmp_path, line, cell, reason):
    before = db_state()
    text = HEADER + "dongcheng-2021,2021H1,gdp,,110101,,,1499.7,,,\n" + line + "\n"
    with pytest.raises(ImportRefused) as info:
        _import_text(tmp_path, "x.csv", text)
    text_cell = cell.replace("第2行", "第3行")
    assert any(p.cell == text_cell and reason in p.reason for p in info.value.problems), [str(p) for p in info.value.problems]
    assert db_state() == before


def test_csv_file_level_errors(plan, tmp_path):
    with pytest.raises(ImportRefused) as info:
        _import_text(tmp_path, "a.csv", "indicator,value\ngdp,1\n")
    assert "缺少列:period, data_element, org_unit" in info.value.problems[0].reason
    with pytest.raises(ImportRefused) as info:
        _import_text(tmp_path, "b.csv", HEADER + "xicheng-2021,2021H1,gdp,,110101,,,1,,,\n")
    assert "计划'xicheng-2021'不存在" in info.value.problems[0].reason
    with pytest.raises(ImportRefused) as info:
        _import_text(tmp_path, "c.csv", HEADER + "dongcheng-2021,2021H1,gdp,,110101,,,1,,,\n"
                     "dongcheng-2021,2021H1,gdp,,110101,,,2,,,\n")
    assert info.value.problems[0].cell == "第3行" and "重复出现(另见 第2行)" in info.value.problems[0].reason
    with pytest.raises(ImportRefused) as info:
        _import_text(tmp_path, "d.csv", HEADER + "dongcheng-2021,2021Q3,gdp,,110101,,,1,,,\n", period="2021H1")
    assert "不是导入时指定的 2021H1" in info.value.problems[0].reason


def test_dhis2_errors(plan, tmp_path):
    doc = {"dataSet": "dongcheng-2021", "dataValues": [
        {"dataElement": "gdp", "period": "2021S1", "orgUnit": "110101", "value": "1499.7"},
        {"dataElement": "gdp", "period": "2021S3", "orgUnit": "110101", "value": "1"},
        {"dataElement": "gdp", "period": "2021Q1", "orgUnit": "110101", "categoryOptionCombo": "XX", "value": "1"},
        {"dataElement": "revenue", "period": "2021S1", "orgUnit": "110101", "value": "abc"},
        {"dataElement": "gdp", "period": "2021S1", "orgUnit": "110101", "value": "1500"},
        {"period": "2021S1", "orgUnit": "110101", "value": "1"},
    ]}
    before = db_state()
    with pytest.raises(ImportRefused) as info:
        _import_text(tmp_path, "v.json", json.dumps(doc, ensure_ascii=False))
    got = {p.cell: p.reason for p in info.value.problems}
    assert "2021S3" in got["dataValues[1].period"]
    assert "未知的 categoryOptionCombo 'XX'" in got["dataValues[2].categoryOptionCombo"]
    assert got["dataValues[3].value"] == "'abc' 不是数字"
    assert "与 dataValues[0] 重复" in got["dataValues[4]"]
    assert got["dataValues[5]"] == "缺少 dataElement"
    assert db_state() == before


def test_dhis2_without_dataset_needs_plan(plan, tmp_path):
    doc = {"dataValues": [{"dataElement": "gdp", "period": "2021S1", "orgUnit": "110101", "value": 1499.7}]}
    with pytest.raises(ImportRefused) as info:
        _import_text(tmp_path, "v.json", json.dumps(doc))
    assert "--plan" in info.value.problems[0].reason
    assert _import_text(tmp_path, "v.json", json.dumps(doc), plan="dongcheng-2021").created == 1


def test_invalid_json(plan, tmp_path):
    with pytest.raises(ImportRefused) as info:
        _import_text(tmp_path, "v.json", '{"dataValues": [')
    assert "不是有效的 JSON" in info.value.problems[0].reason


@pytest.mark.parametrize("text", ["=1+1", "+86 10", "-部分完成", "@SUM(A1)", "＝全角", "普通文字", "'引号开头", ""])
def test_neutralise_then_restore_is_identity(text):
    from planwatch.io.safe import neutralise, restore

    safe = neutralise(text)
    assert not (isinstance(safe, str) and safe[:1] in ("=", "+", "-", "@", "＝"))
    assert restore(safe) == text
