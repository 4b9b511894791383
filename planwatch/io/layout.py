"""The shape of a collection template, shared by the writer and the reader so they cannot drift.

The visible sheet has a few title rows, a header row and one row per item; the hidden sheet
names plan, period, recipient and template version and lists, for each data row, which item it
is.  Any change to this layout must raise ``TEMPLATE_VERSION``: a workbook of another version is
refused instead of being read with the wrong columns.
"""
from __future__ import annotations

from planwatch import units
from planwatch.io.cells import Field

TEMPLATE_FORMAT = "planwatch-template"
TEMPLATE_VERSION = "1"

DATA_SHEET = "填报表"
GUIDE_SHEET = "填报说明"
META_SHEET = "_planwatch"

HEADER_ROW = 3
FIRST_ROW = 4

# column letter, header, width
COLUMNS = [
    ("A", "序号", 6),
    ("B", "类型", 6),
    ("C", "代码", 22),
    ("D", "名称", 36),
    ("E", "填报单位", 14),
    ("F", "计量单位", 12),
    ("G", "上期数值", 14),
    ("H", "目标", 16),
    ("I", "本期数值", 14),
    ("J", "同比增长(%)", 12),
    ("K", "完成进度(%)", 12),
    ("L", "说明/进展情况", 40),
]
CODE_COL = "C"
VALUE_COL, YOY_COL, PROGRESS_COL, NOTE_COL = "I", "J", "K", "L"
INPUT_COLS = (VALUE_COL, YOY_COL, PROGRESS_COL, NOTE_COL)

# meta sheet: key/value pairs from row 1, the row table from META_TABLE_ROW
META_KEYS = ["format", "version", "plan", "period", "recipient_kind", "recipient", "data_sheet", "first_row", "rows"]
META_TABLE_ROW = 20
MAX_NOTE = 500


def value_fields(indicator) -> dict[str, Field]:
    """The input columns of an indicator row and what each accepts."""
    unit = indicator.unit or ""
    return {
        VALUE_COL: Field(unit=unit, minimum=None if units.can_be_negative(unit) else 0.0),
        YOY_COL: Field(percent=True, minimum=-100.0),
        PROGRESS_COL: Field(percent=True, minimum=0.0, maximum=1000.0),
    }


def task_fields(task) -> dict[str, Field]:
    """A task row: quantity done in the task's unit, and percent complete (同比 does not apply)."""
    return {
        VALUE_COL: Field(unit=task.unit or "", minimum=0.0),
        PROGRESS_COL: Field(percent=True, minimum=0.0, maximum=100.0),
    }
