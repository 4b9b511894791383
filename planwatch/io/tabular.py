"""Reading the exchange formats back: tidy CSV and DHIS2 dataValueSets JSON.

Both name their figures by codes (indicator code or ``task:<code>``, org unit code, period), so
with the plan file loaded first a database can be rebuilt from an export.  Numbers go through
the same ``planwatch.io.cells`` reader as workbook cells; every problem names its line and
column (CSV) or entry (JSON).
"""
from __future__ import annotations

import csv
import io
import json

from planwatch.io.apply import Entry
from planwatch.io.catalog import PlanCatalog
from planwatch.io.cells import CellError, Field, parse_number, shown
from planwatch.io.codes import (DHIS2_PROGRESS, DHIS2_TASK_PERCENT, DHIS2_YOY, from_dhis2, split_element)
from planwatch.io.layout import MAX_NOTE, PROGRESS_COL, VALUE_COL, YOY_COL, task_fields, value_fields
from planwatch.io.problems import Collector
from planwatch.io.safe import restore
from planwatch.periods import Period, PeriodError

REQUIRED_CSV = ["period", "data_element", "org_unit", "value"]


def _plan(code: str | None, expect: str | None, collector: Collector, sheet: str, cell: str) -> PlanCatalog | None:
    code = (code or "").strip() or (expect or "")
    if not code:
        collector.add(sheet, cell, "文件没有写明计划:请加 plan 列(CSV)/dataSet(JSON),或导入时指定 --plan")
        return None
    if expect and code != expect:
        collector.add(sheet, cell, f"文件属于计划 {code},不是计划 {expect}")
        return None
    catalog = PlanCatalog.of(code)
    if catalog is None:
        collector.add(sheet, cell, f"计划'{code}'不存在:请先载入计划文件")
    return catalog


class _Resolver:
    """Turns (element, org unit, period) codes into plan objects, with Chinese errors."""

    def __init__(self, catalog: PlanCatalog, collector: Collector, sheet: str, expect_period: str | None):
        self.catalog, self.collector, self.sheet = catalog, collector, sheet
        self.expect = Period.parse(expect_period) if expect_period else None

    def period(self, period: Period | None, text, cell: str) -> str | None:
        if period is None:
            try:
                period = Period.parse(str(text or "").strip())
            except PeriodError:
                self.collector.add(self.sheet, cell, f"报告期'{shown(text)}'无法识别(应如 2021、2021H1、2021Q3、2021-06)")
                return None
        if self.expect and period != self.expect:
            self.collector.add(self.sheet, cell, f"报告期 {period.code} 不是导入时指定的 {self.expect.code}")
            return None
        return period.code

    def item(self, element: str, unit_code: str, cell: str):
        """-> (kind, indicator, task, org_unit, fields) or None."""
        kind, code = split_element(element.strip())
        unit = self.catalog.org_units.get(unit_code.strip())
        if kind == "value":
            ind = self.catalog.indicators.get(code)
            if ind is None:
                self.collector.add(self.sheet, cell, f"指标'{shown(code)}'不在计划 {self.catalog.plan.code} 中")
                return None
            if unit is None:
                self.collector.add(self.sheet, cell, f"单位'{shown(unit_code)}'不存在或不在计划 {self.catalog.plan.code} 的范围内")
                return None
            return "value", ind, None, unit, value_fields(ind)
        task = self.catalog.tasks.get(code)
        if task is None:
            self.collector.add(self.sheet, cell, f"任务'{shown(code)}'不在计划 {self.catalog.plan.code} 中")
            return None
        if unit_code.strip() and unit_code.strip() != task.org_unit.code:
            self.collector.add(self.sheet, cell, f"任务“{task.title}”属于单位 {task.org_unit.code},不是 {shown(unit_code)}")
            return None
        return "task", None, task, task.org_unit, task_fields(task)

    def number(self, raw, field: Field | None, cell: str, what: str):
        """(ok, value)."""
        if field is None:
            if raw not in (None, ""):
                self.collector.add(self.sheet, cell, f"任务不填{what}")
                return False, None
            return True, None
        try:
            return True, parse_number(raw, field)
        except CellError as exc:
            self.collector.add(self.sheet, cell, str(exc))
            return False, None


def read_tidy_csv(text: str, collector: Collector, *, name: str, expect_plan=None, expect_period=None):
    """-> (catalog, entries, blank) or None."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        collector.add(name, "第1行", "文件是空的")
        return None
    missing = [c for c in REQUIRED_CSV if c not in header]
    if missing:
        collector.add(name, "第1行", f"缺少列:{', '.join(missing)}(整洁CSV 需要 {', '.join(REQUIRED_CSV)})")
        return None
    col = {h: i for i, h in enumerate(header)}
    rows = list(reader)
    plans = {r[col["plan"]].strip() for r in rows if "plan" in col and len(r) > col["plan"]} - {""}
    if len(plans) > 1:
        collector.add(name, "plan 列", f"一个文件只能属于一个计划,实有:{'、'.join(sorted(plans))}")
        return None
    catalog = _plan(next(iter(plans), None), expect_plan, collector, name, "plan 列")
    if catalog is None:
        return None
    resolve = _Resolver(catalog, collector, name, expect_period)
    entries, blank = [], 0

    def get(row, key):
        i = col.get(key)
        return row[i] if i is not None and i < len(row) else ""

    for line, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            collector.add(name, f"第{line}行", f"有 {len(row)} 列,表头有 {len(header)} 列")
            continue
        period = resolve.period(None, get(row, "period"), f"第{line}行 period")
        item = resolve.item(get(row, "data_element"), get(row, "org_unit"), f"第{line}行 data_element")
        if period is None or item is None:
            continue
        kind, ind, task, unit, fields = item
        raw_value = get(row, "value")
        csv_unit = get(row, "unit").strip()
        unit_of_item = (ind.unit if ind else task.unit) or ""
        if raw_value.strip() and csv_unit and csv_unit != unit_of_item and not raw_value.strip()[-1:].isalpha():
            raw_value = raw_value.strip() + csv_unit  # the file says which unit it counts in
        numbers, ok = {}, True
        columns = [("value", "value" if kind == "value" else "quantity_done", fields.get(VALUE_COL), "数值"),
                   ("yoy_pct", "yoy_pct", fields.get(YOY_COL), "同比"),
                   ("progress_pct", "progress_pct" if kind == "value" else "percent", fields.get(PROGRESS_COL), "完成进度")]
        for src, dst, field, what in columns:
            good, v = resolve.number(raw_value if src == "value" else get(row, src), field, f"第{line}行 {src}", what)
            ok &= good
            if field is not None:
                numbers[dst] = v
        note = restore(get(row, "note"))
        if len(note) > MAX_NOTE:
            collector.add(name, f"第{line}行 note", f"说明超过 {MAX_NOTE} 字")
            ok = False
        if not ok:
            continue
        entry = _entry(kind, ind, task, unit, period, numbers, note, name, f"第{line}行", collector)
        if entry is None:
            blank += 1
        else:
            entries.append(entry)
    return catalog, entries, blank


def _entry(kind, ind, task, unit, period, numbers, note, sheet, cell, collector: Collector):
    if all(v is None for v in numbers.values()) and not note:
        return None
    if kind == "value":
        if all(v is None for v in numbers.values()):
            collector.add(sheet, cell, "只有说明没有数值")
            return None
        return Entry("value", unit, period, dict(numbers, note=note), indicator=ind, sheet=sheet, cell=cell)
    return Entry("task", unit, period, dict(numbers, narrative=note), task=task, sheet=sheet, cell=cell)


def read_dhis2_json(text: str, collector: Collector, *, name: str, expect_plan=None, expect_period=None):
    """-> (catalog, entries, blank) or None.  Entries of one element × org unit × period are merged."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        collector.add(name, f"第{exc.lineno}行", f"不是有效的 JSON:{exc.msg}")
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("dataValues"), list):
        collector.add(name, "", "不是 DHIS2 dataValueSets 文件:缺少 dataValues 列表")
        return None
    catalog = _plan(doc.get("dataSet") if isinstance(doc.get("dataSet"), str) else None, expect_plan, collector,
                    name, "dataSet")
    if catalog is None:
        return None
    resolve = _Resolver(catalog, collector, name, expect_period)
    groups: dict[tuple, dict] = {}
    order: list[tuple] = []
    for i, dv in enumerate(doc["dataValues"]):
        cell = f"dataValues[{i}]"
        if not isinstance(dv, dict):
            collector.add(name, cell, "应为对象")
            continue
        missing = [k for k in ("dataElement", "period", "orgUnit") if not isinstance(dv.get(k), str) or not dv.get(k)]
        if missing:
            collector.add(name, cell, f"缺少 {', '.join(missing)}")
            continue
        try:
            period = from_dhis2(dv["period"])
        except PeriodError as exc:
            collector.add(name, f"{cell}.period", str(exc))
            continue
        period_code = resolve.period(period, dv["period"], f"{cell}.period")
        item = resolve.item(dv["dataElement"], dv["orgUnit"], f"{cell}.dataElement")
        if period_code is None or item is None:
            continue
        kind, ind, task, unit, fields = item
        combo = dv.get("categoryOptionCombo") or dv.get("categoryOptionComboCode") or ""
        targets = {"": ("value" if kind == "value" else "quantity_done", fields.get(VALUE_COL))}
        if kind == "value":
            targets.update({DHIS2_YOY: ("yoy_pct", fields.get(YOY_COL)), DHIS2_PROGRESS: ("progress_pct", fields.get(PROGRESS_COL))})
        else:
            targets[DHIS2_TASK_PERCENT] = ("percent", fields.get(PROGRESS_COL))
        if combo not in targets:
            collector.add(name, f"{cell}.categoryOptionCombo",
                          f"未知的 categoryOptionCombo '{shown(combo)}'(可用:{'、'.join(k for k in targets if k) or '无'})")
            continue
        dst, field = targets[combo]
        raw = dv.get("value")
        if raw is not None and not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
            collector.add(name, f"{cell}.value", f"'{shown(raw)}' 不是数字")
            continue
        good, v = resolve.number(raw, field, f"{cell}.value", "")
        if not good:
            continue
        key = (kind, (ind or task).pk, unit.pk, period_code)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"item": item, "period": period_code, "cell": cell, "numbers": {}, "note": "",
                                   "seen": set()}
            for d, _ in targets.values():
                group["numbers"][d] = None
            order.append(key)
        if combo in group["seen"]:
            collector.add(name, cell, f"与 {group['cell']} 重复(同一数据元素、单位、报告期、组合)")
            continue
        group["seen"].add(combo)
        group["numbers"][dst] = v
        comment = dv.get("comment")
        if isinstance(comment, str) and comment:
            if len(comment) > MAX_NOTE:
                collector.add(name, f"{cell}.comment", f"说明超过 {MAX_NOTE} 字")
                continue
            group["note"] = restore(comment)
    entries, blank = [], 0
    for key in order:
        g = groups[key]
        kind, ind, task, unit, _ = g["item"]
        entry = _entry(kind, ind, task, unit, g["period"], g["numbers"], g["note"], name, g["cell"], collector)
        if entry is None:
            blank += 1
        else:
            entries.append(entry)
    return catalog, entries, blank
