"""Reading the plan, period and org unit a page is about from its URL and query string."""
from __future__ import annotations

from datetime import date

from django.http import Http404

from planwatch.accounts import permissions as perms
from planwatch.periods import Period as PeriodValue
from planwatch.plans.models import OrgUnit, Plan
from planwatch.web.period_choices import default_period


def plan_or_404(user, code: str) -> Plan:
    plan = perms.visible_plans(user, Plan.objects.select_related("org_unit")).filter(code=code).first()
    if plan is None:
        raise Http404("没有这个计划,或无权查看")
    return plan


def period_of(request, plan: Plan) -> str:
    raw = (request.GET.get("period") or request.POST.get("period") or "").strip()
    if raw:
        try:
            return PeriodValue.parse(raw).code
        except ValueError:
            pass
    return default_period(plan)


def org_unit_of(request, plan: Plan) -> OrgUnit:
    """The org unit asked for, if it is the plan's unit or below it; else the plan's unit."""
    code = (request.GET.get("org") or request.POST.get("org") or "").strip()
    if code and "\x00" not in code:
        unit = OrgUnit.objects.select_related("parent").filter(code=code).first()
        if unit is not None and plan.org_unit_id in perms.unit_and_above(unit):
            return unit
    return plan.org_unit


def date_of(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
