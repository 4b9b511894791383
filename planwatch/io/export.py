"""Exports for other systems: tidy CSV, an Excel pivot, SDMX-CSV and DHIS2 dataValueSets JSON.

Statistics move between systems in standard shapes, so a plan's current figures can leave
planwatch in the one each receiver reads: analysts want one observation per row (tidy CSV),
leaders a table of indicators × org units, statistics offices SDMX, health-style information
systems DHIS2.  Every export is deterministic (same data, same bytes), which is what makes
export → import → export round trips checkable.  Text that a spreadsheet could run as a formula
is neutralised (``planwatch.io.safe``).
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from planwatch.data.models import NOT_CURRENT, DataValue, TaskProgress
from planwatch.io.catalog import PlanCatalog
from planwatch.io.codes import (DHIS2_PROGRESS, DHIS2_TASK_PERCENT, DHIS2_YOY, format_number, task_element,
                                to_dhis2, to_sdmx)
from planwatch.io.safe import neutralise
from planwatch.periods import Period

FORMATS = ("csv", "xlsx", "sdmx-csv", "dhis2-json")
TIDY_COLUMNS = ["plan", "period", "data_element", "name", "org_unit", "org_unit_name", "unit",
                "value", "yoy_pct", "progress_pct", "note"]
SDMX_COLUMNS = ["DATAFLOW", "INDICATOR", "REF_AREA", "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE"]
EXTENSIONS = {"csv": ".csv", "xlsx": ".xlsx", "sdmx-csv": ".csv", "dhis2-json": ".json"}


@dataclass(frozen=True)
class Observation:
    """One current figure as every export sees it (a task's progress uses value/progress/note)."""

    period: Period
    kind: str
    element: str
    name: str
    org_unit: str
    org_unit_name: str
    unit: str
    value: float | None
    yoy_pct: float | None
    progress_pct: float | None
    note: str


def observations(catalog: PlanCatalog, periods: list[str] | None = None, user=None) -> list[Observation]:
    """The plan's current values and task progress, in a stable order (period, plan order, org unit)."""
    plan = catalog.plan
    area = {u.pk for u in catalog.org_units.values()}
    order = {ind.pk: i for i, ind in enumerate(catalog.indicators.values())}
    values = (DataValue.objects.filter(indicator_id__in=list(order), org_unit_id__in=area)
              .exclude(status__in=NOT_CURRENT))
    progress = TaskProgress.objects.filter(task__plan=plan).exclude(status__in=NOT_CURRENT)
    if periods:
        codes = [Period.parse(p).code for p in periods]
        values = values.filter(period__code__in=codes)
        progress = progress.filter(period__code__in=codes)
    if user is not None:
        from planwatch.accounts import permissions

        values = permissions.visible_values(user, values)
        progress = permissions.visible_progress(user, progress)
    out: list[tuple[tuple, Observation]] = []
    by_pk = {ind.pk: ind for ind in catalog.indicators.values()}
    units = {u.pk: u for u in catalog.org_units.values()}
    for ind_id, unit_id, pcode, value, yoy, prog, note in values.values_list(
            "indicator_id", "org_unit_id", "period__code", "value", "yoy_pct", "progress_pct", "note"):
        ind, unit, period = by_pk[ind_id], units[unit_id], Period.parse(pcode)
        obs = Observation(period, "value", ind.code, ind.name, unit.code, unit.name, ind.unit, value, yoy, prog, note)
        out.append(((period.end, period.kind, 0, order[ind_id], unit.code), obs))
    task_order = {t.pk: i for i, t in enumerate(catalog.tasks.values())}
    tasks = {t.pk: t for t in catalog.tasks.values()}
    for task_id, pcode, done, percent, narrative in progress.values_list(
            "task_id", "period__code", "quantity_done", "percent", "narrative"):
        task, period = tasks[task_id], Period.parse(pcode)
        obs = Observation(period, "task", task_element(task.code), task.title, task.org_unit.code, task.org_unit.name,
                          task.unit, done, None, percent, narrative)
        out.append(((period.end, period.kind, 1, task_order[task_id], task.org_unit.code), obs))
    out.sort(key=lambda pair: pair[0])
    return [obs for _, obs in out]


def export(catalog: PlanCatalog, fmt: str, periods: list[str] | None = None, user=None) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rows = observations(catalog, periods, user)
    return {"csv": tidy_csv, "xlsx": pivot_xlsx, "sdmx-csv": sdmx_csv, "dhis2-json": dhis2_json}[fmt](catalog, rows)


def tidy_csv(catalog: PlanCatalog, rows: list[Observation]) -> bytes:
    """One observation per row; UTF-8 with BOM so that Excel opens the Chinese text correctly."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(TIDY_COLUMNS)
    for o in rows:
        w.writerow([catalog.plan.code, o.period.code, o.element, neutralise(o.name), o.org_unit,
                    neutralise(o.org_unit_name), neutralise(o.unit), format_number(o.value), format_number(o.yoy_pct),
                    format_number(o.progress_pct), neutralise(o.note)])
    return buf.getvalue().encode("utf-8-sig")


def dataflow_id(catalog: PlanCatalog) -> str:
    return f"PLANWATCH:{catalog.plan.code.upper().replace('-', '_')}(1.0)"


def sdmx_csv(catalog: PlanCatalog, rows: list[Observation]) -> bytes:
    """SDMX-CSV (version 1 layout): indicator values only; tasks are not statistics."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SDMX_COLUMNS)
    flow = dataflow_id(catalog)
    for o in rows:
        if o.kind != "value" or o.value is None:
            continue
        w.writerow([flow, o.element, o.org_unit, to_sdmx(o.period), format_number(o.value), neutralise(o.unit)])
    return buf.getvalue().encode("utf-8")


def dhis2_json(catalog: PlanCatalog, rows: list[Observation]) -> bytes:
    """DHIS2 dataValueSets: codes as identifiers (import with idScheme=CODE); side figures as option combos."""
    values = []
    for o in rows:
        base = {"dataElement": o.element, "period": to_dhis2(o.period), "orgUnit": o.org_unit}
        side = [(DHIS2_YOY, o.yoy_pct), (DHIS2_PROGRESS, o.progress_pct)] if o.kind == "value" else \
               [(DHIS2_TASK_PERCENT, o.progress_pct)]
        if o.value is not None or o.note or all(v is None for _, v in side):
            main = dict(base, value=format_number(o.value))
            if o.note:
                main["comment"] = o.note
            values.append(main)
        for combo, v in side:
            if v is not None:
                values.append(dict(base, categoryOptionCombo=combo, value=format_number(v)))
    doc = {"dataSet": catalog.plan.code, "dataValues": values}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def pivot_xlsx(catalog: PlanCatalog, rows: list[Observation]) -> bytes:
    """Indicators (and tasks) down, org units across, one sheet per period."""
    wb = Workbook()
    wb.remove(wb.active)
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    by_period: dict[Period, list[Observation]] = {}
    for o in rows:
        by_period.setdefault(o.period, []).append(o)
    if not by_period:
        ws = wb.create_sheet("无数据")
        ws["A1"] = f"计划 {catalog.plan.code} 在所选报告期没有数据"
    for period, obs in by_period.items():
        ws = wb.create_sheet(period.code)
        units = sorted({(o.org_unit, o.org_unit_name) for o in obs})
        col_of = {code: 4 + i for i, (code, _) in enumerate(units)}
        ws.cell(row=1, column=1, value=neutralise(f"{catalog.plan.name} · {period.zh_name}")).font = Font(bold=True)
        for c, text in enumerate(["代码", "指标/任务", "计量单位"] + [name for _, name in units], start=1):
            cell = ws.cell(row=2, column=c, value=neutralise(text))
            cell.font = Font(bold=True)
            cell.fill = header_fill
        row_of: dict[str, int] = {}
        for o in obs:
            r = row_of.get(o.element)
            if r is None:
                r = row_of[o.element] = 3 + len(row_of)
                ws.cell(row=r, column=1, value=o.element)
                ws.cell(row=r, column=2, value=neutralise(o.name))
                ws.cell(row=r, column=3, value=neutralise(o.unit))
            ws.cell(row=r, column=col_of[o.org_unit], value=o.value)
        ws.column_dimensions["A"].width = 22
        ws.column_dimensions["B"].width = 36
        ws.freeze_panes = "D3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
