"""Reading one number the way an office types it, or saying in Chinese why it is not one.

Departments fill workbooks by hand: they write ``1,234.5``, ``１２３４．５`` (full-width, from a
Chinese input method), ``105.7亿元`` (a unit out of habit), ``1200万元`` where the sheet asks for
亿元, ``55.5%`` in a percent column, or leave the cell empty because there is nothing to report.
All of that is accepted here, in one pure function, so the workbook, CSV and DHIS2 importers and
the web upload read numbers identically.  What cannot be read with certainty is refused with a
reason that names what was typed: a comma in the wrong place (``12,3亿``), a date, a formula, a
unit that does not measure the same thing as the indicator.

Percent columns: a *text* ``55.5%`` means 55.5.  A *number* is taken as percentage points
(``55.5``), except when its cell is formatted as a percentage in Excel: typing ``55.5%`` into
Excel stores 0.555 with a ``0.0%`` format, so such a number is multiplied by 100.  A bare 0.555
in an ordinary cell stays 0.555 (a growth of 0.555% is a real figure; guessing would corrupt it).
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from planwatch import units

# Beyond this the figure is a typo, not a statistic (and floats stop being exact for integers).
LARGEST = 1e15

_NUMBER = re.compile(r"^([+-]?)(\d[\d,]*(?:\.\d+)?|\.\d+)(.*)$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_MINUS_SIGNS = str.maketrans({"−": "-", "–": "-", "—": "-", "﹣": "-"})
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u3000]+")
_MAGNITUDE_ONLY = {prefix for prefix, _ in units.MAGNITUDES}


class CellError(ValueError):
    """A cell that cannot be read as the number it should hold; the message is for the person who typed it."""


@dataclass(frozen=True)
class Field:
    """What a column expects: the unit of its numbers, whether it is a percent, its allowed range."""

    unit: str = ""
    percent: bool = False
    minimum: float | None = None
    maximum: float | None = None


def shown(raw) -> str:
    """The cell as the person sees it, for error messages."""
    text = str(raw)
    return text if len(text) <= 40 else text[:37] + "..."


@lru_cache(maxsize=256)
def is_percent_format(number_format: str | None) -> bool:
    return bool(number_format) and "%" in number_format.replace('"%"', "").replace("\\%", "")


def parse_number(raw, field: Field = Field(), *, number_format: str | None = None) -> float | None:
    """The number a cell holds in the field's unit, None for a blank cell; CellError otherwise."""
    value = _read(raw, field, number_format)
    if value is None:
        return None
    if not math.isfinite(value) or abs(value) > LARGEST:
        raise CellError(f"'{shown(raw)}' 超出合理范围")
    if field.minimum is not None and value < field.minimum:
        raise CellError(f"'{shown(raw)}' 小于允许的最小值 {field.minimum:g}{_unit_suffix(field)}")
    if field.maximum is not None and value > field.maximum:
        raise CellError(f"'{shown(raw)}' 大于允许的最大值 {field.maximum:g}{_unit_suffix(field)}")
    return value


def _unit_suffix(field: Field) -> str:
    return "%" if field.percent else units.normalize(field.unit)


def _read(raw, field: Field, number_format: str | None) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise CellError(f"'{raw}' 是逻辑值,不是数字")
    if isinstance(raw, (datetime, date, time, timedelta)):
        raise CellError(f"'{shown(raw)}' 是日期或时间,不是数字(请把单元格格式改为数值后重填)")
    if isinstance(raw, (int, float)):
        value = float(raw)
        if _is_percent_field(field) and is_percent_format(number_format):
            value = round(value * 100, 10)
        return value
    if not isinstance(raw, str):
        raise CellError(f"'{shown(raw)}' 不是数字")
    return _read_text(raw, field)


@lru_cache(maxsize=1024)
def _is_percent_field(field: Field) -> bool:
    """A percent column, or a column whose unit is % (asked per cell, answered per field)."""
    return field.percent or units.normalize(field.unit) == "%"


def _read_text(raw: str, field: Field) -> float | None:
    text = unicodedata.normalize("NFKC", raw).translate(_MINUS_SIGNS)
    text = _SPACES.sub("", text)
    if text == "":
        return None
    if text.startswith("="):
        raise CellError(f"'{shown(raw)}' 是公式,请直接填写数值")
    m = _NUMBER.match(text)
    if not m:
        raise CellError(f"'{shown(raw)}' 不是数字")
    sign, digits, rest = m.groups()
    if "," in digits:
        if not _GROUPED.match(digits):
            raise CellError(f"'{shown(raw)}' 不是数字(千分位逗号位置不对)")
        digits = digits.replace(",", "")
    if rest.startswith(",") or rest.startswith("."):
        raise CellError(f"'{shown(raw)}' 不是数字")
    value = float(sign + digits)
    if rest == "":
        return value
    return _apply_unit(value, rest, raw, field)


def _apply_unit(value: float, written: str, raw: str, field: Field) -> float:
    """Fold a unit typed after the number into the field's unit, or refuse it."""
    written = units.normalize(written)
    expected = units.normalize(field.unit)
    if field.percent:
        if written == "%":
            return value
        raise CellError(f"'{shown(raw)}':此栏填百分数,不能带单位'{written}'")
    if written == expected:
        return value
    if not expected:
        raise CellError(f"'{shown(raw)}':此项没有计量单位,请只填数字")
    if written in _MAGNITUDE_ONLY:
        # '12亿' in a 亿元 column: the magnitude alone, the measure understood.
        written = written + units.split_magnitude(expected)[1]
    if written == expected:
        return value
    try:
        converted = units.convert(value, written, expected)
    except ValueError:
        raise CellError(f"'{shown(raw)}':单位'{written}'与指标单位'{expected}'不符") from None
    return float(f"{converted:.12g}")
