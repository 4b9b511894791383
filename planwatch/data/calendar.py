"""The reporting calendar: who owes which figures for a period, who has handed them in, who is late.

A ``ReportingDeadline`` names one reporter — a responsible department or a 街道 — and a due date.
What that reporter owes follows from the plan:

- a department owes the district figure of every plan indicator it is responsible for, and the
  progress of every key task it is responsible for;
- an org unit owes the figure of every indicator the plan sets it a target for, and the progress
  of every key task assigned to it.

An item counts as handed in once its current record is submitted or approved; a draft or a
returned record is still owed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from planwatch.data.models import DataValue, NOT_CURRENT, Period, ReportingDeadline, Status, TaskProgress
from planwatch.plans.models import PlanIndicator, Target, Task

HANDED_IN = {Status.SUBMITTED, Status.APPROVED}


@dataclass
class OwedItem:
    kind: str  # "value" | "progress"
    label: str
    status: str | None  # None: nothing entered yet
    record_id: int | None = None

    @property
    def status_label(self) -> str:
        return Status(self.status).label if self.status else "未填报"


@dataclass
class ReporterStatus:
    deadline: ReportingDeadline
    total: int
    owed: list[OwedItem] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def reporter(self) -> str:
        return str(self.deadline.reporter)

    @property
    def done(self) -> int:
        return self.total - len(self.owed)

    @property
    def state(self) -> str:
        """"submitted" when nothing is owed, "late" after the due date, else "open"."""
        if not self.owed:
            return "submitted"
        return "late" if self.today > self.deadline.due else "open"

    @property
    def state_label(self) -> str:
        return {"submitted": "已报齐", "late": "逾期", "open": "未到期"}[self.state]


def _items_for(deadline: ReportingDeadline) -> tuple[list[tuple], list[Task]]:
    """(indicator, org unit) cells and tasks one reporter owes under its deadline."""
    plan = deadline.plan
    if deadline.department_id:
        uses = PlanIndicator.objects.filter(plan=plan, departments=deadline.department_id).select_related("indicator")
        cells = [(u.indicator, plan.org_unit) for u in uses]
        tasks = list(Task.objects.filter(plan=plan, departments=deadline.department_id).distinct())
    else:
        targets = Target.objects.filter(plan=plan, org_unit=deadline.org_unit_id).select_related("indicator", "org_unit")
        cells = [(t.indicator, t.org_unit) for t in targets]
        tasks = list(Task.objects.filter(plan=plan, org_unit=deadline.org_unit_id))
    return cells, tasks


def reporter_status(deadline: ReportingDeadline, today: dt.date | None = None) -> ReporterStatus:
    today = today or dt.date.today()
    cells, tasks = _items_for(deadline)
    period = deadline.period
    values = {
        (v.indicator_id, v.org_unit_id): v
        for v in DataValue.objects.filter(period=period, indicator__in=[c[0] for c in cells],
                                          org_unit__in=[c[1] for c in cells]).exclude(status__in=NOT_CURRENT)
    }
    progress = {p.task_id: p for p in TaskProgress.objects.filter(period=period, task__in=tasks).exclude(status__in=NOT_CURRENT)}
    owed = []
    for indicator, unit in cells:
        row = values.get((indicator.pk, unit.pk))
        if row is None or row.status not in HANDED_IN:
            owed.append(OwedItem("value", f"{indicator.name}({unit.name})", row.status if row else None,
                                 row.pk if row else None))
    for task in tasks:
        row = progress.get(task.pk)
        if row is None or row.status not in HANDED_IN:
            owed.append(OwedItem("progress", task.title, row.status if row else None, row.pk if row else None))
    return ReporterStatus(deadline=deadline, total=len(cells) + len(tasks), owed=owed, today=today)


def calendar(*, plan=None, period: Period | str | None = None, deadlines=None,
             today: dt.date | None = None) -> list[ReporterStatus]:
    """The state of every reporter with a deadline (optionally one plan / one period)."""
    qs = ReportingDeadline.objects.select_related("plan", "plan__org_unit", "period", "department", "org_unit")
    if deadlines is not None:
        qs = deadlines
    if plan is not None:
        qs = qs.filter(plan=plan)
    if period is not None:
        qs = qs.filter(period=Period.get(period) if isinstance(period, str) else period)
    return [reporter_status(d, today) for d in qs.order_by("period__end", "due", "pk")]


def deadlines_for(user):
    """The deadlines a user follows: its own as a reporter, those of its plans as a planner."""
    from planwatch.accounts import permissions as perm

    qs = ReportingDeadline.objects.select_related("plan", "plan__org_unit", "period", "department", "org_unit")
    role = perm.role_of(user)
    if role is None:
        return qs.none()
    m = perm.membership_of(user)
    if role == perm.DEPARTMENT:
        return qs.filter(department=m.department_id)
    if role == perm.SUBDISTRICT:
        return qs.filter(org_unit_id__in=perm.unit_and_below(m.org_unit_id))
    return qs.filter(plan__in=perm.visible_plans(user))


def open_items_for(user, *, period=None, today: dt.date | None = None) -> list[ReporterStatus]:
    """What a user still has to hand in (reporter) or to chase (planner), reporters with nothing owed left out."""
    return [s for s in calendar(deadlines=deadlines_for(user), period=period, today=today) if s.owed]
