"""The periods a page offers: every reporting period of the plan year that the plan uses, those
with figures marked, and reading a period without storing one.

A plan reports by half year and for the whole year; it reports by quarter or month too when it
has figures, progress or a reporting deadline for such a period.  Pages list all periods of
those kinds in the plan year, so a planner can open (and enter figures for) a period nobody has
reported yet, and can see at a glance which periods have data.  Reading a page never creates a
``Period`` row: that happens only when something is written for the period.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from planwatch.accounts import permissions as perms
from planwatch.data import actions
from planwatch.data.models import NOT_CURRENT, DataValue, Period, ReportingDeadline, TaskProgress
from planwatch.periods import Period as PeriodValue

KIND_ORDER = {"month": 0, "quarter": 1, "half": 2, "year": 3}
ALWAYS = ("half", "year")
COUNT = {"month": 12, "quarter": 4, "half": 2, "year": 1}


@dataclass(frozen=True)
class PeriodChoice:
    code: str
    name: str
    has_data: bool

    @property
    def label(self) -> str:
        return _("%(code)s · 有数据") % {"code": self.code} if self.has_data else self.code


def periods_with_data(plan) -> dict[str, Period]:
    """Codes of the plan-year periods holding a current figure of one of the plan's indicators
    (at the plan's unit or below) or progress of one of its tasks.

    One statement asking, per stored period of the year, whether such a row exists: each test
    stops at the first row found through the period index, so it stays cheap on the national
    dataset (6.7M values; ~5 ms there), where a DISTINCT over the values took 20 s."""
    values = DataValue.objects.filter(period=OuterRef("pk"), indicator__plan_uses__plan=plan).exclude(status__in=NOT_CURRENT)
    if plan.org_unit.parent_id is not None:
        # another plan may share the indicators (the catalogue is common): keep to this plan's units.
        # A plan of the top unit has every unit below it, and listing them (3,000 counties) costs more.
        values = values.filter(org_unit_id__in=perms.unit_and_below(plan.org_unit_id))
    progress = TaskProgress.objects.filter(period=OuterRef("pk"), task__plan=plan).exclude(status__in=NOT_CURRENT)
    year = Period.objects.filter(year=plan.year)
    # two statements: OR-ing the two tests lets PostgreSQL turn them into a scan of all values
    return {p.code: p for p in [*year.filter(Exists(values)), *year.filter(Exists(progress))]}


def default_period(plan) -> str:
    """The latest period with data (the half year before a quarter or month ending with it),
    else the first half of the plan year."""
    latest = sorted(periods_with_data(plan).values(), key=lambda p: (-p.end.toordinal(), p.kind))
    return latest[0].code if latest else f"{plan.year}H1"


def reporting_periods(plan, current: str | None = None) -> list[PeriodChoice]:
    """The plan year's reporting periods, in calendar order (a month before the quarter, half and
    year it closes); ``current`` is listed too when it is not one of them."""
    with_data = periods_with_data(plan)
    stored_kinds = {p.kind for p in with_data.values()}
    stored_kinds |= set(ReportingDeadline.objects.filter(plan=plan, period__year=plan.year)
                        .values_list("period__kind", flat=True))
    kinds = set(ALWAYS) | stored_kinds
    values = [PeriodValue(plan.year, kind, n) for kind in kinds for n in range(1, COUNT[kind] + 1)]
    codes = {v.code for v in values}
    if current and current not in codes:
        try:
            values.append(PeriodValue.parse(current))
        except ValueError:
            pass
    values.sort(key=lambda v: (v.end, KIND_ORDER[v.kind]))
    return [PeriodChoice(v.code, v.zh_name, v.code in with_data) for v in values]


def stored_period(code: str) -> Period | None:
    """The stored period of a code, or None: never creates one (for pages that only read)."""
    return Period.objects.filter(code=code).first()


def is_locked(plan, code: str) -> bool:
    """Whether the plan's period is locked, without storing a period nobody has written to."""
    stored = stored_period(code)
    return stored is not None and actions.is_locked(plan, stored)
