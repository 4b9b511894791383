"""Reading a filled collection template back: every cell checked before anything is written.

The hidden sheet says which plan, period, recipient and template version the workbook belongs
to and which item each row is; the visible sheet must still have that shape (same sheet name,
same header, the item codes in the rows the template put them, no merged cells) or the
workbook is refused, because a deleted or moved row would otherwise put a figure on the wrong
indicator.  Input cells are read with ``planwatch.io.cells``; each problem names sheet, cell
and reason.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass

from xml.etree.ElementTree import ParseError

from lxml import etree
from openpyxl import load_workbook

from planwatch.io import layout
from planwatch.io.apply import Entry
from planwatch.io.catalog import PlanCatalog
from planwatch.io.cells import CellError, parse_number, shown
from planwatch.io.fastsheet import SheetStream
from planwatch.io.problems import Collector
from planwatch.io.recipients import Recipient, resolve
from planwatch.io.safe import restore
from planwatch.io.sources import Source
from planwatch.periods import Period, PeriodError



# what reading a sheet's XML raises when the part is corrupt (lxml, openpyxl's parser, the zip's CRC
# check, a damaged deflate stream)
_BROKEN_XML: tuple = (etree.XMLSyntaxError, ParseError, zipfile.BadZipFile, zlib.error)
try:  # openpyxl parses through defusedxml when it is installed; its refusals (a DTD, entities) too
    from defusedxml import DefusedXmlException

    _BROKEN_XML += (DefusedXmlException,)
except ImportError:  # pragma: no cover
    pass


@dataclass
class TemplateContent:
    catalog: PlanCatalog
    period: Period
    recipient: Recipient
    entries: list[Entry]
    blank: int


def read_template(source: Source, collector: Collector, *, expect_plan: str | None = None,
                  expect_period: str | None = None) -> TemplateContent | None:
    """The entries of a filled template; None (with problems collected) when it cannot be used."""
    try:
        wb = load_workbook(source.stream(), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, zlib.error, ParseError) as exc:
        collector.add("", "", f"无法打开工作簿:文件已损坏或不是 Excel 工作簿({type(exc).__name__})")
        return None
    try:
        return _read(wb, collector, expect_plan, expect_period)
    finally:
        wb.close()


def _read(wb, collector: Collector, expect_plan, expect_period) -> TemplateContent | None:
    if layout.META_SHEET not in wb.sheetnames:
        collector.add("", "", f"缺少模板标识(隐藏工作表 {layout.META_SHEET}):这不是 planwatch 生成的填报模板,"
                              "请用 planwatch template 下载模板后填写")
        return None
    meta_cells = _sheet_rows(wb, layout.META_SHEET, collector, {"A", "B", "C", "D"})
    if meta_cells is None:
        return None
    meta_cells = meta_cells[0]
    meta_rows = {r: tuple(cells[c].value if c in cells else None for c in "ABCD") for r, cells in meta_cells.items()}
    meta = {str(v[0]).strip(): ("" if v[1] is None else str(v[1]).strip())
            for r, v in meta_rows.items() if r <= layout.META_TABLE_ROW - 2 and v[0] is not None}
    where = layout.META_SHEET
    if meta.get("format") != layout.TEMPLATE_FORMAT:
        collector.add(where, "B1", f"模板标识有误('{meta.get('format', '')}'),不是 planwatch 填报模板")
        return None
    if meta.get("version") != layout.TEMPLATE_VERSION:
        collector.add(where, "B2", f"模板版本为'{meta.get('version', '')}',本系统只接受版本 {layout.TEMPLATE_VERSION}:"
                                   "请重新下载模板后填写")
        return None
    catalog = PlanCatalog.of(meta.get("plan", ""))
    if catalog is None:
        collector.add(where, "B3", f"模板所属计划'{meta.get('plan', '')}'不存在")
        return None
    if expect_plan and expect_plan != catalog.plan.code:
        collector.add(where, "B3", f"这是计划 {catalog.plan.code} 的模板,不是计划 {expect_plan} 的")
        return None
    try:
        period = Period.parse(meta.get("period", ""))
    except PeriodError:
        collector.add(where, "B4", f"模板报告期'{meta.get('period', '')}'无法识别")
        return None
    if expect_period and Period.parse(expect_period) != period:
        collector.add(where, "B4", f"这是 {period.zh_name} 的模板,不是 {Period.parse(expect_period).zh_name} 的")
        return None
    try:
        recipient = resolve(catalog, meta.get("recipient_kind", ""), meta.get("recipient", ""))
    except LookupError as exc:
        collector.add(where, "B6", f"模板的填报对象无效:{exc}")
        return None
    sheet = meta.get("data_sheet", layout.DATA_SHEET)
    if sheet not in wb.sheetnames:
        others = "、".join(n for n in wb.sheetnames if n not in (layout.META_SHEET, layout.GUIDE_SHEET))
        collector.add(sheet, "", f"找不到工作表“{sheet}”(工作表被改名或删除?现有:{others or '无'}):请勿修改工作表名称")
        return None
    table = _meta_table(meta_rows, meta, collector)
    if table is None:
        return None
    found = _sheet_rows(wb, sheet, collector, set(layout.INPUT_COLS) | {layout.CODE_COL}, min_row=layout.HEADER_ROW,
                        every_column_until=layout.HEADER_ROW)
    if found is None:
        return None
    rows, merged = found
    _check_merged(merged, sheet, collector)
    entries, blank = _read_rows(rows, sheet, table, catalog, period, collector)
    return TemplateContent(catalog, period, recipient, entries, blank)


def _sheet_rows(wb, name: str, collector: Collector, columns: set[str], **options):
    """(rows, merged ranges) of a sheet, or None with a problem when its XML cannot be read at all."""
    try:
        stream = SheetStream(wb, wb[name])
        return stream.rows(columns, **options), stream.merged
    except _BROKEN_XML as exc:
        collector.add(name, "", f"工作表“{name}”已损坏,无法读取({type(exc).__name__}):"
                                "请在 Excel 中打开后另存为 .xlsx 再导入,或重新下载模板填写")
        return None


def _meta_table(meta_rows, meta, collector) -> list[tuple[int, str, str, str]] | None:
    table = []
    for row_number in sorted(meta_rows):
        r = meta_rows[row_number]
        if row_number < layout.META_TABLE_ROW or r[0] is None:
            continue
        try:
            table.append((int(r[0]), str(r[1]), str(r[2]), str(r[3])))
        except (TypeError, ValueError, IndexError):
            collector.add(layout.META_SHEET, "", "模板标识表已损坏:请重新下载模板")
            return None
    if str(len(table)) != meta.get("rows"):
        collector.add(layout.META_SHEET, "B9", "模板标识表已损坏(行数不符):请重新下载模板")
        return None
    return table


def _check_merged(merged: list[str], sheet: str, collector: Collector) -> None:
    """Merged cells hide which cell a figure belongs to."""
    for ref in merged:
        first_row = int(re.search(r"\d+", ref).group())
        if first_row >= layout.HEADER_ROW:
            collector.add(sheet, ref, f"合并了单元格 {ref}:请取消合并,每个单元格只填一个数")


def _read_rows(rows: dict[int, dict], sheet, table, catalog: PlanCatalog, period: Period, collector: Collector):
    entries: list[Entry] = []
    blank = 0
    by_row = {row: (kind, code, unit) for row, kind, code, unit in table}
    last_listed = max(by_row, default=layout.FIRST_ROW - 1)
    misaligned = False
    last_present = max(rows, default=0)
    if layout.HEADER_ROW in rows:
        header = rows[layout.HEADER_ROW]
        _check_header([header.get(letter) for letter, _, _ in layout.COLUMNS], sheet, collector)
    else:
        collector.add(sheet, f"A{layout.HEADER_ROW}", "表头行缺失:请使用原模板")
    read = _ItemReader(sheet, catalog, period, collector)
    empty: dict = {}
    for r in range(layout.FIRST_ROW, max(last_listed, last_present) + 1):
        row = rows.get(r, empty)
        listed = by_row.pop(r, None)
        if listed is None:
            if r > last_listed and any(_value(row.get(c)) not in (None, "") for c in layout.INPUT_COLS):
                collector.add(sheet, f"{layout.VALUE_COL}{r}", f"第{r}行不是模板中的项目:请勿在表中增加行")
            continue
        if misaligned:
            continue
        if r > last_present:
            collector.add(sheet, f"{layout.CODE_COL}{r}",
                          f"自第{r}行起缺少 {len(by_row) + 1} 个项目:行被删除,请在原模板中重新填写")
            break
        kind, code, unit_code = listed
        found = _value(row.get(layout.CODE_COL))
        expected = code if kind == "value" else f"task:{code}"
        if found != expected:
            collector.add(sheet, f"{layout.CODE_COL}{r}",
                          f"第{r}行应为“{expected}”,实为“{'' if found is None else shown(found)}”:"
                          "行被删除、插入、移动或代码被改动,请在原模板中重新填写")
            misaligned = True
            continue
        entry, was_blank = read(row, r, kind, code, unit_code)
        blank += was_blank
        if entry is not None:
            entries.append(entry)
    return entries, blank


def _check_header(cells, sheet, collector):
    for (letter, header, _), cell in zip(layout.COLUMNS, cells):
        found = _value(cell)
        if letter == "G":
            ok = isinstance(found, str) and found.startswith("上期")
        else:
            ok = found == header
        if not ok:
            collector.add(sheet, f"{letter}{layout.HEADER_ROW}",
                          f"表头应为“{header if letter != 'G' else '上期…'}”,实为“{'' if found is None else shown(found)}”:"
                          "请勿插入、删除或移动列")
            return


def _value(cell):
    return None if cell is None else getattr(cell, "value", None)


def _is_formula(cell) -> bool:
    return getattr(cell, "data_type", None) == "f" or (isinstance(_value(cell), str) and _value(cell).startswith("="))


_NUMBER_LETTERS = (layout.VALUE_COL, layout.YOY_COL, layout.PROGRESS_COL)
_VALUE_NAMES = {layout.VALUE_COL: "value", layout.YOY_COL: "yoy_pct", layout.PROGRESS_COL: "progress_pct"}
_TASK_NAMES = {layout.VALUE_COL: "quantity_done", layout.PROGRESS_COL: "percent"}


class _ItemReader:
    """One data row -> (Entry or None, 1 if the row was left blank); what a row accepts is worked
    out once per indicator or task, not once per row."""

    def __init__(self, sheet, catalog: PlanCatalog, period: Period, collector: Collector):
        self.sheet, self.catalog, self.collector = sheet, catalog, collector
        self.period_code = period.code
        self.fields: dict[tuple, dict] = {}

    def __call__(self, cells, r, kind, code, unit_code):
        sheet, catalog, collector = self.sheet, self.catalog, self.collector
        unit = catalog.org_units.get(unit_code)
        if kind == "value":
            indicator = catalog.indicators.get(code)
            if indicator is None or unit is None:
                collector.add(sheet, f"{layout.CODE_COL}{r}", f"指标“{code}”或单位“{unit_code}”已不在计划 {catalog.plan.code} 中:请重新下载模板")
                return None, 0
            fields = self.fields.get(("value", indicator.pk))
            if fields is None:
                fields = self.fields[("value", indicator.pk)] = layout.value_fields(indicator)
            names = _VALUE_NAMES
        else:
            task = catalog.tasks.get(code)
            if task is None:
                collector.add(sheet, f"{layout.CODE_COL}{r}", f"任务“{code}”已不在计划 {catalog.plan.code} 中:请重新下载模板")
                return None, 0
            unit = task.org_unit
            fields = self.fields.get(("task", task.pk))
            if fields is None:
                fields = self.fields[("task", task.pk)] = layout.task_fields(task)
            names = _TASK_NAMES
        numbers: dict = {}
        ok = True
        for letter in _NUMBER_LETTERS:
            cell = cells.get(letter)
            raw = None if cell is None else cell.value
            if raw is None:  # an absent or empty cell: no formula, nothing to parse
                if letter in fields:
                    numbers[names[letter]] = None
                continue
            if _is_formula(cell):
                collector.add(sheet, f"{letter}{r}", f"'{shown(raw)}' 是公式,请直接填写数值")
                ok = False
                continue
            if letter not in fields:
                if raw != "" and not (isinstance(raw, str) and not raw.strip()):
                    collector.add(sheet, f"{letter}{r}", "任务行不填同比增长,请清空此格")
                    ok = False
                continue
            try:
                numbers[names[letter]] = parse_number(raw, fields[letter], number_format=cell.number_format)
            except CellError as exc:
                collector.add(sheet, f"{letter}{r}", str(exc))
                ok = False
        note_cell = cells.get(layout.NOTE_COL)
        note = _value(note_cell)
        if note is None:
            note = ""
        elif _is_formula(note_cell):
            collector.add(sheet, f"{layout.NOTE_COL}{r}", "说明栏不能填公式")
            ok = False
            note = ""
        elif isinstance(note, (int, float, str)):
            note = restore(str(note).strip())
        else:
            collector.add(sheet, f"{layout.NOTE_COL}{r}", f"说明栏应为文字,实为“{shown(note)}”")
            ok = False
            note = ""
        if len(note) > layout.MAX_NOTE:
            collector.add(sheet, f"{layout.NOTE_COL}{r}", f"说明超过 {layout.MAX_NOTE} 字")
            ok = False
        if not ok:
            return None, 0
        if all(v is None for v in numbers.values()):
            if not note:
                return None, 1
            if kind == "value":
                collector.add(sheet, f"{layout.NOTE_COL}{r}", "只有说明没有数值:请填写本期数值、同比或完成进度,或清空说明")
                return None, 0
        if kind == "value":
            numbers["note"] = note
            return Entry("value", unit, self.period_code, numbers, indicator=indicator, sheet=sheet,
                         cell=f"{layout.VALUE_COL}{r}"), 0
        numbers["narrative"] = note
        return Entry("task", unit, self.period_code, numbers, task=task, sheet=sheet, cell=f"{layout.VALUE_COL}{r}"), 0
