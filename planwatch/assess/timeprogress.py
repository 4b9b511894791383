"""Time progress: how much of the plan year (or of a task's own timeline) has passed by a period.

"时间过半、任务过半" compares two percentages. The second one, time progress, is what this module
computes. Year-to-date figures cut off at the end of the period's last month, so 2021H1 is 50%,
2021Q3 75% and 2021-10 83.3% of the year when counted in months (the way statistics bureaus
count), or 181/365 = 49.6% for 2021H1 when counted in calendar days.

A task with its own deadline (11月底前) runs on its own clock: the time from the start of the plan
year to the end of the period, divided by the time from the start of the plan year to the
deadline, capped at 100. Counted in months, a deadline on the last day of a month is that whole
month; a deadline mid-month is the fraction of that month (15 June = 5.5 months). A deadline on
31 December gives exactly the plain plan-year figure, so one formula serves both.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from planwatch.periods import Period

BASES = ("month", "day")


def _months_from_year_start(year: int, day: date) -> float:
    """Months elapsed from 1 January of ``year`` to the end of ``day`` (31 Jan → 1.0)."""
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return (day.year - year) * 12 + (day.month - 1) + day.day / days_in_month


def _days_from_year_start(year: int, day: date) -> int:
    """Days from 1 January of ``year`` up to and including ``day``."""
    return (day - date(year, 1, 1)).days + 1


@dataclass(frozen=True)
class TimeProgress:
    """Time progress of one period for a plan year, on a month or a calendar-day basis."""

    period: Period
    plan_year: int
    basis: str = "month"
    deadline: date | None = None

    def __post_init__(self):
        if self.basis not in BASES:
            raise ValueError(f"time progress basis must be 'month' or 'day', not {self.basis!r}")

    @property
    def timeline_end(self) -> date:
        """The day the work is due: the task's deadline, or 31 December of the plan year."""
        return self.deadline or date(self.plan_year, 12, 31)

    @property
    def elapsed(self) -> float:
        if self.basis == "day":
            return float(_days_from_year_start(self.plan_year, self.period.end))
        return float(_months_from_year_start(self.plan_year, self.period.end))

    @property
    def span(self) -> float:
        if self.basis == "day":
            return float(_days_from_year_start(self.plan_year, self.timeline_end))
        return float(_months_from_year_start(self.plan_year, self.timeline_end))

    @property
    def pct(self) -> float:
        """Percent of the timeline elapsed at the period's end, between 0 and 100."""
        span = self.span
        if span <= 0:  # a deadline before the plan year began: the time is fully up
            return 100.0
        pct = self.elapsed / span * 100.0
        return min(100.0, max(0.0, pct))


def time_progress_pct(period: Period | str, plan_year: int | None = None, basis: str = "month",
                      deadline: date | None = None) -> float:
    """Shortcut: ``time_progress_pct('2021Q3')`` → 75.0."""
    p = period if isinstance(period, Period) else Period.parse(period)
    return TimeProgress(p, plan_year or p.year, basis, deadline).pct
