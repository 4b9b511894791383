"""Checking who may report what, then writing every read figure in one transaction.

The readers (workbook, CSV, DHIS2) turn a file into ``Entry`` objects and collect problems; this
module adds the permission problems and, only when nothing at all is wrong, writes through the
bulk action functions of ``planwatch.data.actions`` inside one ``transaction.atomic()``.  A failure
half way (a locked period, a constraint) rolls the whole file back and is reported like any
other problem, at the cell it came from.  Writing unchanged figures is a no-op in the actions,
so importing the same file twice changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

# record_value and record_task_progress stay importable here (the single-figure reference that
# the bulk actions follow; tests compare the two paths through this module).
from planwatch.data.actions import (Actor, record_task_progress, record_task_progresses,  # noqa: F401
                                    record_value, record_values)
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
    from planwatch.accounts.permissions import asked_once

    with asked_once():
        _check_permissions(entries, catalog, collector, recipient=recipient, user=user)


def _check_permissions(entries: list[Entry], catalog: PlanCatalog, collector: Collector, *,
                       recipient: Recipient | None, user=None) -> None:
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


def write(entries: list[Entry], report: ImportReport, *, actor: Actor, reason: str, plan=None) -> None:
    """Write all entries or none; counts go into the report.

    A figure equal to the current one is not sent to the actions at all: it changes nothing, and
    a reporter re-sending an already submitted file must not be told it may no longer edit it.
    The rest go to the bulk actions (record_values, record_task_progresses), which apply
    record_value's checks item by item but ask the database once per distinct question.
    """
    try:
        with transaction.atomic():
            periods = {code: Period.get(code) for code in sorted({e.period for e in entries})}
            if plan is not None:
                _refuse_locked_periods(plan, periods, entries, report)
            current = _current_rows(entries, periods)
            to_write: dict[str, list[Entry]] = {"value": [], "task": []}
            for e in entries:
                old = current.get(_key(e, periods[e.period]))
                if old is not None and _same(e, old):
                    report.unchanged += 1
                    continue
                to_write[e.kind].append(e)
            values = to_write["value"]
            _bulk(record_values, values, [
                {"indicator": e.indicator, "org_unit": e.org_unit, "period": periods[e.period],
                 "decimals": e.indicator.decimals, **e.numbers} for e in values], actor=actor, reason=reason)
            tasks = to_write["task"]
            _bulk(record_task_progresses, tasks, [
                {"task": e.task, "period": periods[e.period], **e.numbers} for e in tasks], actor=actor, reason=reason)
            for e in values + tasks:
                if (_key(e, periods[e.period])) in current:
                    report.updated += 1
                else:
                    report.created += 1
    except _WriteFailed as failed:
        e = failed.entry
        raise ImportRefused([Problem(e.sheet, e.cell, f"{e.label}:{failed.reason}")], report.filename) from None


def _bulk(action, entries: list[Entry], items: list[dict], *, actor: Actor, reason: str) -> None:
    if not items:
        return
    try:
        action(items, source=Source.IMPORTED, status=Status.SUBMITTED, actor=actor, reason=reason)
    except Exception as exc:  # a lock, a permission, a workflow rule: report it where it came from
        index = getattr(exc, "item_index", None)
        if index is None:
            raise
        raise _WriteFailed(entries[index], _reason_of(exc)) from exc


def _refuse_locked_periods(plan, periods: dict, entries: list[Entry], report: ImportReport) -> None:
    from planwatch.data import actions

    is_locked = getattr(actions, "is_locked", None)
    if is_locked is None:
        return
    problems = []
    for code, period in periods.items():
        if is_locked(plan, period):
            first = next(e for e in entries if e.period == code)
            problems.append(Problem(first.sheet, first.cell if len(periods) > 1 else "",
                                    f"{plan.name} {period.value.zh_name} 已锁定,不能导入;如需更正请由计划编制部门重新开放该报告期"))
    if problems:
        raise ImportRefused(problems, report.filename)


def _key(e: Entry, period: Period) -> tuple:
    if e.kind == "value":
        return ("value", e.indicator.pk, e.org_unit.pk, period.pk)
    return ("task", e.task.pk, period.pk)


def _same(e: Entry, row: dict) -> bool:
    """Would writing this entry leave the current row exactly as it is?"""
    wanted = dict(e.numbers, source=Source.IMPORTED, status=Status.SUBMITTED, document_id=None, fact_id=None)
    if e.kind == "value":
        wanted["decimals"] = e.indicator.decimals
    else:
        wanted.setdefault("note", "")
    return all(row.get(k) == v for k, v in wanted.items())


def _reason_of(exc: Exception) -> str:
    messages = getattr(exc, "messages", None)
    if messages:
        return ";".join(str(m) for m in messages)
    return str(exc) or type(exc).__name__


_VALUE_COLUMNS = ["indicator_id", "org_unit_id", "period_id", "value", "yoy_pct", "progress_pct", "decimals",
                  "note", "source", "status", "document_id", "fact_id"]
_TASK_COLUMNS = ["task_id", "period_id", "quantity_done", "percent", "narrative", "note", "source", "status",
                 "document_id", "fact_id"]


def _current_rows(entries: list[Entry], periods: dict[str, Period]) -> dict[tuple, dict]:
    """The current row of every cell the file touches, read in two queries."""
    found: dict[tuple, dict] = {}
    period_ids = [p.pk for p in periods.values()]
    ind_ids = {e.indicator.pk for e in entries if e.kind == "value"}
    if ind_ids:
        rows = (DataValue.objects.filter(period_id__in=period_ids, indicator_id__in=ind_ids)
                .exclude(status__in=NOT_CURRENT).values(*_VALUE_COLUMNS))
        for row in rows:
            found[("value", row["indicator_id"], row["org_unit_id"], row["period_id"])] = row
    task_ids = {e.task.pk for e in entries if e.kind == "task"}
    if task_ids:
        rows = (TaskProgress.objects.filter(period_id__in=period_ids, task_id__in=task_ids)
                .exclude(status__in=NOT_CURRENT).values(*_TASK_COLUMNS))
        for row in rows:
            found[("task", row["task_id"], row["period_id"])] = row
    return found
