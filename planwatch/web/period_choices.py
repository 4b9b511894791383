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


def periods_with_data(plan) -> set[str]:
    """Codes of the plan-year periods with a current figure of the plan or progress of its tasks."""
    units = perms.unit_and_below(plan.org_unit_id)
    values = (DataValue.objects.filter(period__year=plan.year, indicator__plan_uses__plan=plan, org_unit_id__in=units)
              .exclude(status__in=NOT_CURRENT).values_list("period__code", flat=True).distinct())
    progress = (TaskProgress.objects.filter(period__year=plan.year, task__plan=plan).exclude(status__in=NOT_CURRENT)
                .values_list("period__code", flat=True).distinct())
    return set(values) | set(progress)


def reporting_periods(plan, current: str | None = None) -> list[PeriodChoice]:
    """The plan year's reporting periods, in calendar order (a month before the quarter, half and
    year it closes); ``current`` is listed too when it is not one of them."""
    with_data = periods_with_data(plan)
    stored_kinds = set(Period.objects.filter(code__in=with_data).values_list("kind", flat=True))
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
