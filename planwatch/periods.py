"""Reporting periods: a year plus a month, quarter, half or the whole year.

Planning offices name periods the way statistics bureaus do: ``2021`` (the year),
``2021H1`` (上半年), ``2021Q3`` (前三季度 / 三季度), ``2021-06`` (6月 or 1-6月).
Values in a plan year are year-to-date, so a period is identified by the month it ends in;
this module is pure so the assessment engine and the plan loader can share it.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

KINDS = ("year", "half", "quarter", "month")

_PATTERNS = [
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})[Hh]([12])$"), "half"),
    (re.compile(r"^(\d{4})[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
]

_MONTHS_PER = {"year": 12, "half": 6, "quarter": 3, "month": 1}

_ZH_NAMES = {
    "year": "{y}年",
    "half": {1: "{y}年上半年", 2: "{y}年下半年"},
    "quarter": "{y}年第{n}季度",
    "month": "{y}年{n}月",
}


class PeriodError(ValueError):
    """A period code that does not name a period."""


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period of a calendar year.

    ``number`` is the half (1-2), quarter (1-4) or month (1-12); it is 1 for a year.
    """

    year: int
    kind: str
    number: int = 1

    def __post_init__(self):
        if self.kind not in KINDS:
            raise PeriodError(f"unknown period kind {self.kind!r}")
        limit = 12 // _MONTHS_PER[self.kind]
        if not 1 <= self.number <= limit:
            raise PeriodError(f"{self.kind} number must be 1..{limit}, not {self.number}")
        if not 1900 <= self.year <= 2200:
            raise PeriodError(f"year {self.year} is out of range")

    @classmethod
    def parse(cls, code: str | int) -> "Period":
        text = str(code).strip()
        for pattern, kind in _PATTERNS:
            m = pattern.match(text)
            if m:
                year = int(m.group(1))
                number = int(m.group(2)) if kind != "year" else 1
                return cls(year, kind, number)
        raise PeriodError(
            f"{text!r} is not a period: write 2021, 2021H1, 2021Q3 or 2021-06"
        )

    @property
    def code(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "half":
            return f"{self.year}H{self.number}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.code

    @property
    def first_month(self) -> int:
        return (self.number - 1) * _MONTHS_PER[self.kind] + 1

    @property
    def last_month(self) -> int:
        """The month the period ends in (the cut-off of year-to-date figures)."""
        return self.number * _MONTHS_PER[self.kind]

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        m = self.last_month
        return date(self.year, m, calendar.monthrange(self.year, m)[1])

    @property
    def zh_name(self) -> str:
        fmt = _ZH_NAMES[self.kind]
        if isinstance(fmt, dict):
            fmt = fmt[self.number]
        return fmt.format(y=self.year, n=self.number)

    @property
    def ytd_label(self) -> str:
        """How a report names the year-to-date span ending with this period: 上半年, 1-9月."""
        m = self.last_month
        if m == 6:
            return "上半年"
        if m == 12:
            return "全年"
        return f"1-{m}月"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
