"""Who a template is for, and which items that recipient reports.

A collection template goes to one responsible department (the indicators and tasks the plan
assigns to it), to one org unit such as a 街道 (its own figures and tasks), or to the planning
office itself (the whole plan).  The same rule decides, on import, whether a row in the workbook
is one the recipient may report: a department cannot slip another department's figure in by
editing the hidden sheet.
"""
from __future__ import annotations

from dataclasses import dataclass

from planwatch.io.catalog import PlanCatalog
from planwatch.plans.models import Department, Indicator, OrgUnit, Task

DEPARTMENT, ORG_UNIT, PLAN = "department", "org_unit", "plan"


@dataclass(frozen=True)
class Recipient:
    kind: str
    code: str
    name: str
    pk: int | None = None

    @property
    def label(self) -> str:
        return {DEPARTMENT: "责任部门", ORG_UNIT: "填报单位", PLAN: "计划编制部门"}[self.kind] + f":{self.name}"


@dataclass(frozen=True)
class Item:
    """One row of a template: an indicator for an org unit, or a key task."""

    kind: str  # "value" | "task"
    code: str
    org_unit: OrgUnit
    indicator: Indicator | None = None
    task: Task | None = None


def resolve(catalog: PlanCatalog, kind: str, code: str) -> Recipient:
    """The recipient named by kind and code; LookupError with a Chinese message when unknown."""
    if kind == DEPARTMENT:
        dept = Department.objects.filter(code=code).first()
        if dept is None:
            raise LookupError(f"责任部门'{code}'不存在")
        return Recipient(DEPARTMENT, dept.code, dept.name, dept.pk)
    if kind == ORG_UNIT:
        unit = catalog.org_units.get(code)
        if unit is None:
            raise LookupError(f"单位'{code}'不存在或不属于计划 {catalog.plan.code} 的范围")
        return Recipient(ORG_UNIT, unit.code, unit.name, unit.pk)
    if kind == PLAN:
        if code != catalog.plan.code:
            raise LookupError(f"整表模板的填报对象应为计划 {catalog.plan.code},实为'{code}'")
        return Recipient(PLAN, catalog.plan.code, catalog.plan.org_unit.name, None)
    raise LookupError(f"未知的填报对象类型'{kind}'")


def may_report_value(catalog: PlanCatalog, recipient: Recipient, indicator: Indicator, org_unit: OrgUnit) -> bool:
    if org_unit.code not in catalog.org_units or indicator.code not in catalog.indicators:
        return False
    if recipient.kind == DEPARTMENT:
        return recipient.pk in catalog.departments_of_indicator.get(indicator.pk, set())
    if recipient.kind == ORG_UNIT:
        return org_unit.pk in _below(catalog, recipient)
    return True


def may_report_task(catalog: PlanCatalog, recipient: Recipient, task: Task) -> bool:
    if task.code not in catalog.tasks:
        return False
    if recipient.kind == DEPARTMENT:
        return recipient.pk in catalog.departments_of_task.get(task.pk, set())
    if recipient.kind == ORG_UNIT:
        return task.org_unit_id in _below(catalog, recipient)
    return True


def _below(catalog: PlanCatalog, recipient: Recipient) -> set[int]:
    cache = catalog.__dict__.setdefault("_below_cache", {})
    if recipient.pk not in cache:
        cache[recipient.pk] = catalog.below(OrgUnit(pk=recipient.pk))
    return cache[recipient.pk]


def items_for(catalog: PlanCatalog, recipient: Recipient) -> list[Item]:
    """The rows of the recipient's template, in plan order: indicators first, then key tasks."""
    plan_unit = catalog.plan.org_unit
    by_pk = {u.pk: u for u in catalog.org_units.values()}
    target_units: dict[int, list[OrgUnit]] = {}
    for (ind_id, unit_id) in sorted(catalog.targets, key=lambda k: (k[0], by_pk[k[1]].code if k[1] in by_pk else "")):
        if unit_id in by_pk and unit_id != plan_unit.pk:
            target_units.setdefault(ind_id, []).append(by_pk[unit_id])
    items: list[Item] = []
    for use in catalog.uses:
        ind = use.indicator
        if recipient.kind == ORG_UNIT:
            units = [by_pk[recipient.pk]]
        else:
            units = [plan_unit] + target_units.get(ind.pk, [])
        for unit in units:
            if may_report_value(catalog, recipient, ind, unit):
                items.append(Item("value", ind.code, unit, indicator=ind))
    for task in catalog.tasks.values():
        if may_report_task(catalog, recipient, task):
            items.append(Item("task", task.code, task.org_unit, task=task))
    return items
