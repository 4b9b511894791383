"""Finding the records a request names, and refusing those the caller may not see.

A plan is named by its id or its code (``/plans/dongcheng-2021``), an org unit or indicator by
its code; a record the caller may not see answers 404 like one that does not exist, so ids
cannot be probed.
"""

from django.http import Http404
from ninja.errors import HttpError

from planwatch.accounts import permissions as perms
from planwatch.data.models import Period
from planwatch.periods import Period as PeriodValue
from planwatch.plans.models import Indicator, OrgUnit, Plan

MAX_ID = 2**53


def plan_for(user, ref: str) -> Plan:
    qs = perms.visible_plans(user, Plan.objects.select_related("org_unit"))
    ref = str(ref).strip()
    plan = None
    if ref.isdigit() and int(ref) < MAX_ID:
        plan = qs.filter(pk=int(ref)).first()
    if plan is None and "\x00" not in ref:
        plan = qs.filter(code=ref).first()
    if plan is None:
        raise Http404(f"没有计划 {ref!r}(或无权查看)")
    return plan


def period_code(code: str) -> str:
    """The canonical code of a period a request names (422 if it cannot be read); stores nothing,
    so a read path never creates a Period row."""
    try:
        return PeriodValue.parse(code).code
    except (ValueError, TypeError) as exc:
        raise HttpError(422, f"报告期 {code!r} 无法识别:{exc}") from None


def period_for(code: str) -> Period:
    """The stored period a write names, created on first use (read paths use ``period_code``)."""
    return Period.get(period_code(code))


def org_unit_for(code: str) -> OrgUnit:
    unit = OrgUnit.objects.select_related("parent").filter(code=code).first() if "\x00" not in code else None
    if unit is None:
        raise Http404(f"没有行政单位 {code!r}")
    return unit


def indicator_for(code: str) -> Indicator:
    ind = Indicator.objects.filter(code=code).first() if "\x00" not in code else None
    if ind is None:
        raise Http404(f"没有指标 {code!r}")
    return ind


def plans_of_value(indicator, org_unit):
    """The plans under which a figure of this indicator for this unit is reported."""
    return Plan.objects.filter(plan_indicators__indicator=indicator,
                               org_unit_id__in=perms.unit_and_above(org_unit)).distinct()


def may_edit_value(user, indicator, org_unit) -> bool:
    return any(perms.can_edit_value(user, indicator, org_unit, plan) for plan in plans_of_value(indicator, org_unit))
