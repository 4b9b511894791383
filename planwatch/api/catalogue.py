"""Read-only endpoints for what a plan declares: plans, org units, indicators, targets, tasks."""

from typing import Optional

from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router
from ninja.pagination import paginate

from planwatch.accounts import permissions as perms
from planwatch.api.lookups import MAX_ID, plan_for
from planwatch.api.pagination import Pages
from planwatch.api.schemas import Code, IndicatorOut, OrgUnitOut, PlanIndicatorOut, PlanOut, TargetOut, TaskOut
from planwatch.plans.models import Indicator, OrgUnit, Plan, PlanIndicator, Target, Task

router = Router(tags=["计划与指标 plans"])


@router.get("/plans", response=list[PlanOut])
@paginate(Pages)
def list_plans(request, year: Optional[int] = Query(None, ge=1900, le=2200)):
    """Plans the caller may see, newest first."""
    qs = perms.visible_plans(request.auth, Plan.objects.select_related("org_unit"))
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "code")


@router.get("/plans/{plan}", response=PlanOut)
def get_plan(request, plan: Code):
    """One plan, by id or code."""
    return plan_for(request.auth, plan)


@router.get("/plans/{plan}/indicators", response=list[PlanIndicatorOut])
def plan_indicators(request, plan: Code):
    """The indicators of a plan in report order, with area, headline flag, rule and departments."""
    p = plan_for(request.auth, plan)
    return (PlanIndicator.objects.filter(plan=p).select_related("indicator", "area")
            .prefetch_related("departments").order_by("order"))


@router.get("/org-units", response=list[OrgUnitOut])
@paginate(Pages)
def list_org_units(request, parent: Optional[Code] = None, level: Optional[Code] = None):
    """Administrative units; ``parent=110101`` lists a district's 街道."""
    qs = OrgUnit.objects.select_related("parent")
    if parent:
        qs = qs.filter(parent__code=parent)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("code")


@router.get("/org-units/{code}", response=OrgUnitOut)
def get_org_unit(request, code: Code):
    return get_object_or_404(OrgUnit.objects.select_related("parent"), code=code)


@router.get("/indicators", response=list[IndicatorOut])
@paginate(Pages)
def list_indicators(request, plan: Optional[Code] = None):
    """The indicator catalogue, or the indicators one plan uses."""
    qs = Indicator.objects.all()
    if plan:
        qs = qs.filter(plan_uses__plan=plan_for(request.auth, plan))
    return qs.order_by("code")


@router.get("/indicators/{code}", response=IndicatorOut)
def get_indicator(request, code: Code):
    return get_object_or_404(Indicator, code=code)


@router.get("/targets", response=list[TargetOut])
@paginate(Pages)
def list_targets(request, plan: Optional[Code] = None, indicator: Optional[Code] = None,
                 org_unit: Optional[Code] = None):
    """Annual targets (value and/or growth) per plan, indicator and org unit."""
    qs = Target.objects.select_related("plan", "indicator", "org_unit").filter(
        plan__in=perms.visible_plans(request.auth))
    if plan:
        qs = qs.filter(plan=plan_for(request.auth, plan))
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if org_unit:
        qs = qs.filter(org_unit__code=org_unit)
    return qs.order_by("plan__code", "indicator__code", "org_unit__code")


def _tasks(user):
    return perms.visible_tasks(user, Task.objects.select_related("plan", "area", "org_unit")
                               .prefetch_related("departments"))


@router.get("/tasks", response=list[TaskOut])
@paginate(Pages)
def list_tasks(request, plan: Optional[Code] = None, area: Optional[Code] = None,
               department: Optional[Code] = None):
    """Key tasks with quantity and deadline; filter by plan, area code or department code."""
    qs = _tasks(request.auth)
    if plan:
        qs = qs.filter(plan=plan_for(request.auth, plan))
    if area:
        qs = qs.filter(area__code=area)
    if department:
        qs = qs.filter(departments__code=department)
    return qs.order_by("plan__code", "order", "code")


@router.get("/tasks/{task_id}", response=TaskOut)
def get_task(request, task_id: int = Path(..., ge=1, le=MAX_ID)):
    return get_object_or_404(_tasks(request.auth), pk=task_id)
