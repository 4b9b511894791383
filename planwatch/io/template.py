"""Collection templates: the workbook a department or 街道 fills in Excel and sends back.

Offices report in Excel, so planwatch meets them there: one sheet lists exactly the indicators
and tasks the recipient is responsible for, with the unit, last period's figure and the target
beside each input cell; labels are locked, inputs carry Excel data validation, and a hidden
sheet records plan, period, recipient and template version so that the filled workbook maps
back to the same items on import (see ``planwatch.io.workbook``).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation

from planwatch.data.models import NOT_CURRENT, DataValue, TaskProgress
from planwatch.io import layout
from planwatch.io.catalog import PlanCatalog
from planwatch.io.codes import format_number, previous
from planwatch.io.recipients import Item, Recipient, items_for
from planwatch.io.safe import neutralise
from planwatch.periods import Period

LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
UNLOCKED = Protection(locked=False)


def build_template(catalog: PlanCatalog, period: Period, recipient: Recipient) -> Workbook:
    items = items_for(catalog, recipient)
    wb = Workbook()
    guide = wb.active
    guide.title = layout.GUIDE_SHEET
    _write_guide(guide, catalog, period, recipient, len(items))
    data = wb.create_sheet(layout.DATA_SHEET)
    _write_data(data, catalog, period, recipient, items)
    meta = wb.create_sheet(layout.META_SHEET)
    _write_meta(meta, catalog, period, recipient, items)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    wb.active = 1
    return wb


def write_template(catalog: PlanCatalog, period: Period, recipient: Recipient, path: str | Path) -> int:
    """Write the workbook to path; returns the number of items in it."""
    wb = build_template(catalog, period, recipient)
    wb.save(path)
    return wb[layout.DATA_SHEET].max_row - layout.HEADER_ROW


def _write_guide(ws, catalog, period, recipient, n_items):
    plan = catalog.plan
    lines = [
        ("填报说明", True),
        (f"计划:{plan.name}({plan.code})", False),
        (f"报告期:{period.zh_name}({period.code},{period.ytd_label}累计数)", False),
        (f"{recipient.label}", False),
        (f"填报项目:{n_items} 项,见工作表“{layout.DATA_SHEET}”", False),
        ("", False),
        ("一、只填白色单元格(本期数值、同比增长、完成进度、说明);灰色单元格为说明,已锁定。", False),
        ("二、数值按“计量单位”一栏填写;可以带千分位逗号(1,234.5)、全角数字,也可以带单位,"
         "单位须与计量单位相符(如计量单位为亿元时可填“1200万元”,系统自动换算为0.12亿元)。", False),
        ("三、同比增长、完成进度填百分数:55.5 或 55.5% 均可。", False),
        ("四、没有数据的项目请留空,不要填0、“—”或“无”。", False),
        ("五、任务行:“本期数值”填累计完成数量,“完成进度”填完成比例(%),“说明”填进展情况。", False),
        ("六、请勿增删或移动行、修改工作表名称、合并单元格,也不要填写公式或日期;否则导入时会被拒绝。", False),
        ("七、导入时整表校验:任何一处有误,系统会逐一列出工作表、单元格和原因,且不写入任何数据。", False),
        ("", False),
        (f"模板版本:{layout.TEMPLATE_VERSION}    生成时间:{datetime.now():%Y-%m-%d %H:%M}", False),
    ]
    for i, (text, bold) in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=text)
        cell.font = Font(bold=bold, size=14 if bold else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 110
    ws.protection.sheet = True


def _target_label(catalog, item: Item) -> str:
    if item.kind == "task":
        task = item.task
        parts = [task.goal_label] if task.target_quantity is not None else []
        if task.deadline_text:
            parts.append(task.deadline_text)
        return ",".join(parts)
    target = catalog.targets.get((item.indicator.pk, item.org_unit.pk))
    if target is None:
        return ""
    parts = []
    if target.value is not None:
        parts.append(format_number(target.value))
    if target.growth_pct is not None:
        parts.append(f"增长{format_number(target.growth_pct)}%")
    return ",".join(parts)


def _previous_values(catalog, period: Period, items: list[Item]) -> dict[tuple, float | None]:
    prev = previous(period).code
    found: dict[tuple, float | None] = {}
    values = (DataValue.objects.filter(period__code=prev, indicator__code__in=list(catalog.indicators))
              .exclude(status__in=NOT_CURRENT).values_list("indicator__code", "org_unit__code", "value"))
    for ind, unit, value in values:
        found[("value", ind, unit)] = value
    progress = (TaskProgress.objects.filter(period__code=prev, task__plan=catalog.plan)
                .exclude(status__in=NOT_CURRENT).values_list("task__code", "task__org_unit__code", "quantity_done"))
    for code, unit, done in progress:
        found[("task", code, unit)] = done
    return found


def _write_data(ws, catalog, period: Period, recipient: Recipient, items: list[Item]):
    ws.cell(row=1, column=1, value=neutralise(f"{catalog.plan.name} · {period.zh_name} · {recipient.label}")).font = Font(bold=True, size=13)
    ws.cell(row=2, column=1, value="白色单元格填写,灰色单元格为说明(已锁定)。填写要求见“填报说明”。")
    prev_label = f"上期({previous(period).zh_name})"
    for letter, header, width in layout.COLUMNS:
        cell = ws[f"{letter}{layout.HEADER_ROW}"]
        cell.value = prev_label if letter == "G" else header
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{layout.FIRST_ROW}"
    previous_values = _previous_values(catalog, period, items)
    validations: dict[tuple, DataValidation] = {}
    cells_of: dict[int, tuple[DataValidation, list[str]]] = {}

    def validate(cell_ref: str, field, *, prompt: str):
        kind = "decimal"
        key = (kind, field.minimum, field.maximum, prompt)
        dv = validations.get(key)
        if dv is None:
            if field.minimum is not None and field.maximum is not None:
                dv = DataValidation(type=kind, operator="between", formula1=format_number(field.minimum),
                                    formula2=format_number(field.maximum))
                rule = f"{field.minimum:g} 到 {field.maximum:g} 之间的数"
            elif field.minimum is not None:
                dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=format_number(field.minimum))
                rule = f"不小于 {field.minimum:g} 的数"
            else:
                dv = DataValidation(type=kind, operator="between", formula1="-1E+15", formula2="1E+15")
                rule = "数值"
            dv.allow_blank = True
            dv.errorStyle = "warning"
            dv.error = f"请填写{rule}({prompt})。不报请留空。"
            dv.errorTitle = "数值有误"
            dv.prompt = prompt
            dv.promptTitle = "填写要求"
            dv.showErrorMessage = True
            dv.showInputMessage = True
            validations[key] = dv
            ws.add_data_validation(dv)
            cells_of[id(dv)] = (dv, [])
        cells_of[id(dv)][1].append(cell_ref)

    note_dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(layout.MAX_NOTE), allow_blank=True)
    note_dv.error = f"说明不超过{layout.MAX_NOTE}字"
    note_dv.showErrorMessage = True
    ws.add_data_validation(note_dv)
    note_rows: list[int] = []

    for n, item in enumerate(items, start=1):
        r = layout.FIRST_ROW + n - 1
        if item.kind == "value":
            ind = item.indicator
            name, unit, code = ind.name, ind.unit, ind.code
            fields = layout.value_fields(ind)
        else:
            task = item.task
            name, unit, code = task.title, task.unit, f"task:{task.code}"
            fields = layout.task_fields(task)
        prev = previous_values.get((item.kind, item.code, item.org_unit.code))
        labels = [n, "指标" if item.kind == "value" else "任务", code, name, item.org_unit.name, unit or "",
                  prev, _target_label(catalog, item)]
        for col, value in enumerate(labels, start=1):
            cell = ws.cell(row=r, column=col, value=neutralise(value) if isinstance(value, str) else value)
            cell.fill = LOCKED_FILL
        for letter in layout.INPUT_COLS:
            cell = ws[f"{letter}{r}"]
            if letter == layout.NOTE_COL:
                cell.protection = UNLOCKED
                cell.fill = INPUT_FILL
                note_rows.append(r)
            elif letter in fields:
                cell.protection = UNLOCKED
                cell.fill = INPUT_FILL
                field = fields[letter]
                prompt = "百分数,如 55.5 或 55.5%" if field.percent else (f"单位:{field.unit}" if field.unit else "无单位的数")
                validate(cell.coordinate, field, prompt=prompt)
            else:
                cell.fill = LOCKED_FILL
    # One range per run of consecutive rows: adding 50,000 cells one by one is quadratic in openpyxl.
    for dv, refs in cells_of.values():
        dv.sqref = MultiCellRange(_runs(refs))
    if note_rows:
        note_dv.sqref = MultiCellRange(_runs([f"{layout.NOTE_COL}{r}" for r in note_rows]))
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _runs(refs: list[str]) -> str:
    """'I4 I5 I6 I9' -> 'I4:I6 I9' (cells of one column, in row order)."""
    by_col: dict[str, list[int]] = {}
    for ref in refs:
        col = ref.rstrip("0123456789")
        by_col.setdefault(col, []).append(int(ref[len(col):]))
    parts = []
    for col, rows in by_col.items():
        rows.sort()
        start = prev = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            parts.append(f"{col}{start}" if start == prev else f"{col}{start}:{col}{prev}")
            if r is not None:
                start = prev = r
    return " ".join(parts)


def _write_meta(ws, catalog, period: Period, recipient: Recipient, items: list[Item]):
    values = {
        "format": layout.TEMPLATE_FORMAT,
        "version": layout.TEMPLATE_VERSION,
        "plan": catalog.plan.code,
        "period": period.code,
        "recipient_kind": recipient.kind,
        "recipient": recipient.code,
        "data_sheet": layout.DATA_SHEET,
        "first_row": layout.FIRST_ROW,
        "rows": len(items),
    }
    for i, key in enumerate(layout.META_KEYS, start=1):
        ws.cell(row=i, column=1, value=key)
        ws.cell(row=i, column=2, value=str(values[key]))
    ws.cell(row=layout.META_TABLE_ROW - 1, column=1, value="row")
    ws.cell(row=layout.META_TABLE_ROW - 1, column=2, value="kind")
    ws.cell(row=layout.META_TABLE_ROW - 1, column=3, value="code")
    ws.cell(row=layout.META_TABLE_ROW - 1, column=4, value="org_unit")
    for n, item in enumerate(items):
        r = layout.META_TABLE_ROW + n
        ws.cell(row=r, column=1, value=layout.FIRST_ROW + n)
        ws.cell(row=r, column=2, value=item.kind)
        ws.cell(row=r, column=3, value=item.code)
        ws.cell(row=r, column=4, value=item.org_unit.code)
