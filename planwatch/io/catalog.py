"""One plan's codes, loaded once: what an importer resolves against and an exporter walks.

Importing 50,000 values must not ask the database 50,000 times what ``gdp`` is, so the plan's
indicators, tasks, org units and department responsibilities are read up front into plain dicts.
"""
from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from planwatch.plans.models import Department, Indicator, OrgUnit, Plan, PlanIndicator, Target, Task


class PlanCatalog:
    def __init__(self, plan: Plan):
        self.plan = plan

    @classmethod
    def of(cls, code: str) -> "PlanCatalog | None":
        plan = Plan.objects.select_related("org_unit").filter(code=code).first()
        return cls(plan) if plan else None

    @cached_property
    def uses(self) -> list[PlanIndicator]:
        return list(PlanIndicator.objects.filter(plan=self.plan).select_related("indicator").order_by("order", "pk"))

    @cached_property
    def indicators(self) -> dict[str, Indicator]:
        return {use.indicator.code: use.indicator for use in self.uses}

    @cached_property
    def tasks(self) -> dict[str, Task]:
        return {t.code: t for t in Task.objects.filter(plan=self.plan).select_related("org_unit").order_by("order", "code")}

    @cached_property
    def departments_of_indicator(self) -> dict[int, set[int]]:
        """indicator id -> ids of the departments responsible for it in this plan."""
        result: dict[int, set[int]] = defaultdict(set)
        through = PlanIndicator.departments.through.objects.filter(planindicator__plan=self.plan)
        for ind_id, dept_id in through.values_list("planindicator__indicator_id", "department_id"):
            result[ind_id].add(dept_id)
        return result

    @cached_property
    def departments_of_task(self) -> dict[int, set[int]]:
        result: dict[int, set[int]] = defaultdict(set)
        through = Task.departments.through.objects.filter(task__plan=self.plan)
        for task_id, dept_id in through.values_list("task_id", "department_id"):
            result[task_id].add(dept_id)
        return result

    @cached_property
    def org_units(self) -> dict[str, OrgUnit]:
        """The plan's unit and every unit below it, by code."""
        units = {u.pk: u for u in OrgUnit.objects.all()}
        children: dict[int | None, list[OrgUnit]] = defaultdict(list)
        for u in units.values():
            children[u.parent_id].append(u)
        found, frontier = {}, [self.plan.org_unit]
        while frontier:
            unit = frontier.pop()
            if unit.code in found:
                continue
            found[unit.code] = units.get(unit.pk, unit)
            frontier.extend(children.get(unit.pk, []))
        return dict(sorted(found.items()))

    def below(self, unit: OrgUnit) -> set[int]:
        """Ids of a unit and of the units under it (within the whole tree)."""
        children: dict[int | None, list[int]] = self._children
        ids, frontier = set(), [unit.pk]
        while frontier:
            pk = frontier.pop()
            if pk in ids:
                continue
            ids.add(pk)
            frontier.extend(children.get(pk, []))
        return ids

    @cached_property
    def _children(self) -> dict[int | None, list[int]]:
        result: dict[int | None, list[int]] = defaultdict(list)
        for pk, parent in OrgUnit.objects.values_list("pk", "parent_id"):
            result[parent].append(pk)
        return result

    @cached_property
    def targets(self) -> dict[tuple[int, int], Target]:
        return {(t.indicator_id, t.org_unit_id): t for t in Target.objects.filter(plan=self.plan)}

    def department(self, code: str) -> Department | None:
        return Department.objects.filter(code=code).first()
