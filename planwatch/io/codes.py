"""How planwatch's identifiers are spelled in the formats other systems read.

A DHIS2 instance or a statistics office's SDMX tooling has its own period notation, so periods
are translated both ways here and nowhere else.  Data elements are indicator codes; key tasks,
which live in the same files, are ``task:<code>`` so that the two can never collide.
"""
from __future__ import annotations

import re

from planwatch.periods import Period, PeriodError

TASK_PREFIX = "task:"

# DHIS2 category option combos that carry the side figures of a value (the plain value has none).
DHIS2_YOY = "YOY_PCT"
DHIS2_PROGRESS = "PROGRESS_PCT"
DHIS2_TASK_PERCENT = "PERCENT"

_DHIS2_PATTERNS = [
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})S([12])$"), "half"),
    (re.compile(r"^(\d{4})Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"), "month"),
]


def task_element(task_code: str) -> str:
    return TASK_PREFIX + task_code


def split_element(element: str) -> tuple[str, str]:
    """'gdp' -> ('value', 'gdp'); 'task:back-alleys' -> ('task', 'back-alleys')."""
    if element.startswith(TASK_PREFIX):
        return "task", element[len(TASK_PREFIX):]
    return "value", element


def to_dhis2(period: Period) -> str:
    """2021 / 2021S1 / 2021Q3 / 202106, as DHIS2 names yearly, six-monthly, quarterly, monthly periods."""
    if period.kind == "year":
        return f"{period.year}"
    if period.kind == "half":
        return f"{period.year}S{period.number}"
    if period.kind == "quarter":
        return f"{period.year}Q{period.number}"
    return f"{period.year}{period.number:02d}"


def from_dhis2(text: str) -> Period:
    text = str(text).strip()
    for pattern, kind in _DHIS2_PATTERNS:
        m = pattern.match(text)
        if m:
            return Period(int(m.group(1)), kind, int(m.group(2)) if kind != "year" else 1)
    raise PeriodError(f"'{text}' 不是可识别的DHIS2报告期(应如 2021、2021S1、2021Q3、202106)")


def to_sdmx(period: Period) -> str:
    """SDMX reporting periods: 2021, 2021-S1, 2021-Q3, 2021-06."""
    if period.kind == "year":
        return f"{period.year}"
    if period.kind == "half":
        return f"{period.year}-S{period.number}"
    if period.kind == "quarter":
        return f"{period.year}-Q{period.number}"
    return f"{period.year}-{period.number:02d}"


def previous(period: Period) -> Period:
    """The period of the same kind just before (2021H1 -> 2020H2), for '上期' columns."""
    per_year = {"year": 1, "half": 2, "quarter": 4, "month": 12}[period.kind]
    if period.number > 1:
        return Period(period.year, period.kind, period.number - 1)
    return Period(period.year - 1, period.kind, per_year)


def format_number(value: float | None) -> str:
    """The shortest text that reads back as exactly the same float ('' for none)."""
    if value is None:
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))
