"""Checking who may report what, then writing every read figure in one transaction.

The readers (workbook, CSV, DHIS2) turn a file into ``Entry`` objects and collect problems; this
module adds the permission problems and, only when nothing at all is wrong, writes through the
action functions of ``planwatch.data.actions`` inside one ``transaction.atomic()``.  A failure
half way (a locked period, a constraint) rolls the whole file back and is reported like any
other problem, at the cell it came from.  Writing unchanged figures is a no-op in the actions,
so importing the same file twice changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from planwatch.data.actions import Actor, record_task_progress, record_value
from planwatch.data.models import NOT_CURRENT, DataValue, Period, Source, Status, TaskProgress
from planwatch.io.catalog import PlanCatalog
from planwatch.io.problems import Collector, ImportReport, ImportRefused, Problem
from planwatch.io.recipients import Recipient, may_report_task, may_report_value
from planwatch.plans.models import Indicator, OrgUnit, Task


@dataclass
class Entry:
    """One figure read from a file, resolved to plan objects, with the place it was read from."""

    kind: str  # "value" | "task"
    org_unit: OrgUnit
    period: str
    numbers: dict = field(default_factory=dict)
    indicator: Indicator | None = None
    task: Task | None = None
    sheet: str = ""
    cell: str = ""

    @property
    def key(self) -> tuple:
        if self.kind == "value":
            return ("value", self.indicator.pk, self.org_unit.pk, self.period)
        return ("task", self.task.pk, self.period)

    @property
    def label(self) -> str:
        if self.kind == "value":
            return f"{self.indicator.name}({self.org_unit.name})"
        return f"任务“{self.task.title}”"


class _WriteFailed(Exception):
    def __init__(self, entry: Entry, reason: str):
        self.entry, self.reason = entry, reason


def check_permissions(entries: list[Entry], catalog: PlanCatalog, collector: Collector, *,
                      recipient: Recipient | None, user=None) -> None:
    """Refuse items the template's recipient, or the acting user, may not report."""
    user_check = _user_checker(catalog, user)
    seen: dict[tuple, Entry] = {}
    for e in entries:
        if e.key in seen:
            first = seen[e.key]
            collector.add(e.sheet, e.cell, f"{e.label} {e.period} 重复出现(另见 {first.cell})")
            continue
        seen[e.key] = e
        if recipient is not None:
            allowed = (may_report_value(catalog, recipient, e.indicator, e.org_unit) if e.kind == "value"
                       else may_report_task(catalog, recipient, e.task))
            if not allowed:
                collector.add(e.sheet, e.cell, f"{recipient.label} 无权填报 {e.label}")
                continue
        if user_check is not None and not user_check(e):
            collector.add(e.sheet, e.cell, f"用户 {user.get_username()} 无权填报 {e.label}")


def _user_checker(catalog: PlanCatalog, user):
    if user is None:
        return None  # a named process (the CLI's administrator) acts without a user account
    from planwatch.accounts import permissions

    plan = catalog.plan
    value_cache: dict[tuple[int, int], bool] = {}
    task_cache: dict[int, bool] = {}

    def check(e: Entry) -> bool:
        if e.kind == "value":
            k = (e.indicator.pk, e.org_unit.pk)
            if k not in value_cache:
                value_cache[k] = permissions.can_edit_value(user, e.indicator, e.org_unit, plan)
            return value_cache[k]
        if e.task.pk not in task_cache:
            task_cache[e.task.pk] = permissions.can_edit_task(user, e.task)
        return task_cache[e.task.pk]

    return check


def write(entries: list[Entry], report: ImportReport, *, actor: Actor, reason: str) -> None:
    """Write all entries or none; counts go into the report."""
    try:
        with transaction.atomic():
            periods = {code: Period.get(code) for code in sorted({e.period for e in entries})}
            before = _current_versions(entries, periods)
            for e in entries:
                period = periods[e.period]
                try:
                    if e.kind == "value":
                        row = record_value(e.indicator, e.org_unit, period, source=Source.IMPORTED,
                                           status=Status.SUBMITTED, actor=actor, reason=reason,
                                           decimals=e.indicator.decimals, **e.numbers)
                        old = before.get(("value", e.indicator.pk, e.org_unit.pk, period.pk))
                    else:
                        row = record_task_progress(e.task, period, source=Source.IMPORTED, status=Status.SUBMITTED,
                                                   actor=actor, reason=reason, **e.numbers)
                        old = before.get(("task", e.task.pk, period.pk))
                except Exception as exc:  # a lock, a constraint, a workflow rule: report it where it came from
                    raise _WriteFailed(e, _reason_of(exc)) from exc
                if old is None:
                    report.created += 1
                elif row.version != old:
                    report.updated += 1
                else:
                    report.unchanged += 1
    except _WriteFailed as failed:
        e = failed.entry
        raise ImportRefused([Problem(e.sheet, e.cell, f"{e.label}:{failed.reason}")], report.filename) from None


def _reason_of(exc: Exception) -> str:
    messages = getattr(exc, "messages", None)
    if messages:
        return ";".join(str(m) for m in messages)
    return str(exc) or type(exc).__name__


def _current_versions(entries: list[Entry], periods: dict[str, Period]) -> dict[tuple, int]:
    found: dict[tuple, int] = {}
    period_ids = [p.pk for p in periods.values()]
    ind_ids = {e.indicator.pk for e in entries if e.kind == "value"}
    if ind_ids:
        rows = (DataValue.objects.filter(period_id__in=period_ids, indicator_id__in=ind_ids)
                .exclude(status__in=NOT_CURRENT).values_list("indicator_id", "org_unit_id", "period_id", "version"))
        for ind, unit, period, version in rows:
            found[("value", ind, unit, period)] = version
    task_ids = {e.task.pk for e in entries if e.kind == "task"}
    if task_ids:
        rows = (TaskProgress.objects.filter(period_id__in=period_ids, task_id__in=task_ids)
                .exclude(status__in=NOT_CURRENT).values_list("task_id", "period_id", "version"))
        for task, period, version in rows:
            found[("task", task, period)] = version
    return found
