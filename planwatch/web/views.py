"""Pages planners open: the plan list, the dashboard of a plan, and the page of one indicator."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from planwatch.accounts import permissions as perms
from planwatch.data.models import NOT_CURRENT, AuditEntry, DataValue
from planwatch.plans.models import Department, OrgUnit, Plan, PlanIndicator, Target
from planwatch.web import names, overview, period_choices, ranking_view, views_scope
from planwatch.web.context import date_of, org_unit_of, period_of, plan_or_404

LEVEL_CHOICES = [("red", "红"), ("yellow", "黄"), ("green", "绿"), ("missing", "缺数")]


@login_required
def home(request):
    plans = perms.visible_plans(request.user, Plan.objects.select_related("org_unit")).annotate(
        n_indicators=Count("plan_indicators", distinct=True), n_tasks=Count("tasks", distinct=True)
    )
    return render(request, "web/home.html", {"plans": plans})


@login_required
def dashboard(request, plan_code):
    plan = plan_or_404(request.user, plan_code)
    period = period_of(request, plan)
    org_unit = own_unit_of(request, plan)
    level = request.GET.get("level", "")
    level = level if level in dict(LEVEL_CHOICES) else ""
    department = request.GET.get("department", "")
    due_by = date_of(request.GET.get("due"))
    if views_scope.sees_whole_plan(request.user):
        ov = overview.build(plan, period, org_unit, level=level, department=department, due_by=due_by)
    else:  # reporters: hidden items go before the filters, so counts and cards leak nothing
        ov = views_scope.restrict(
            overview.build(plan, period, org_unit),
            views_scope.visible_indicator_codes(request.user, plan, org_unit, period),
            views_scope.visible_task_ids(request.user, plan, org_unit),
            level=level, department=department, due_by=due_by)
    names.localize_overview(ov)
    context = {
        "plan": plan, "ov": ov, "period": period, "org_unit": org_unit,
        "periods": period_choices.reporting_periods(plan, period),
        "units": [plan.org_unit, *OrgUnit.objects.filter(parent=plan.org_unit).order_by("code")],
        "departments": Department.objects.filter(plan_indicators__plan=plan).distinct().order_by("code")
        | Department.objects.filter(tasks__plan=plan).distinct().order_by("code"),
        "levels": LEVEL_CHOICES, "level": level, "department": department, "due": request.GET.get("due", ""),
        "can_edit": perms.role_of(request.user) not in (None, perms.VIEWER),
    }
    context["departments"] = sorted(set(context["departments"]), key=lambda d: d.code)
    template = "web/_board.html" if request.htmx and request.htmx.target == "board" else "web/dashboard.html"
    return render(request, template, context)


def own_unit_of(request, plan):
    """The org unit a page is about; a 街道 reporter who names none starts at its own 街道."""
    if not (request.GET.get("org") or request.POST.get("org")) and perms.role_of(request.user) == perms.SUBDISTRICT:
        unit = perms.membership_of(request.user).org_unit
        if unit is not None and plan.org_unit_id in perms.unit_and_above(unit):
            return unit
    return org_unit_of(request, plan)


def provenance(value: DataValue) -> dict:
    """Where a figure came from: a span of a document, or a submission by a person."""
    if value.fact_id and value.document_id:
        return {"kind": "document", "document": value.document, "fact": value.fact,
                "quote": value.fact.quote}
    who = value.updated_by or value.created_by
    return {"kind": "entry", "who": who.get_username() if who else "", "source": value.get_source_display(),
            "status": value.get_status_display(), "at": value.updated_at, "version": value.version}


@login_required
def indicator(request, plan_code, indicator_code):
    plan = plan_or_404(request.user, plan_code)
    use = PlanIndicator.objects.select_related("indicator", "area").filter(plan=plan, indicator__code=indicator_code).first()
    if use is None:
        raise Http404("计划中没有这个指标")
    ind = use.indicator
    period = period_of(request, plan)
    org_unit = own_unit_of(request, plan)
    values = perms.visible_values(request.user, DataValue.objects.filter(indicator=ind)).exclude(status__in=NOT_CURRENT)
    series = list(values.filter(org_unit=org_unit, period__year=plan.year)
                  .select_related("period", "document", "fact", "created_by", "updated_by").order_by("period__end", "period__kind"))
    show_history = can_see_history(request.user)
    rows = [{"value": v, "provenance": provenance(v), "history": history_of(v) if show_history else None}
            for v in series]
    chart = {"periods": [v.period.code for v in series], "values": [v.value for v in series],
             "yoy": [v.yoy_pct for v in series], "unit": ind.unit, "name": names.name_of(ind),
             "yoy_label": f"{_('同比')} %"}
    target = Target.objects.filter(plan=plan, indicator=ind, org_unit=org_unit).first()
    child_values = {v.org_unit.code: v for v in values.filter(period__code=period, org_unit__parent=org_unit)
                    .select_related("org_unit", "document", "fact", "created_by", "updated_by")}
    result = overview.own_result(plan, period, org_unit, ind.code)
    if not views_scope.sees_whole_plan(request.user):
        # reporters: no verdict on a figure they may not see, no rank of a 街道 whose figure is hidden
        if ind.code not in views_scope.visible_indicator_codes(request.user, plan, org_unit, period):
            result = None
    measure = ranking_view.measure_of(request)
    breakdown = ranking_view.breakdown(request.user, plan, period, org_unit, ind, child_values, measure, provenance)
    return render(request, "web/indicator.html", {
        "plan": plan, "use": use, "ind": ind, "period": period, "org_unit": org_unit, "rows": rows,
        "chart": chart, "target": target,
        "result": result, "breakdown": breakdown, "show_history": show_history,
        "breakdown_chart": breakdown.chart, "measure": measure,
        "periods": period_choices.reporting_periods(plan, period),
        "units": [plan.org_unit, *OrgUnit.objects.filter(parent=plan.org_unit).order_by("code")],
    })


def can_see_history(user) -> bool:
    """Planners and administrators read the whole trail; reporters the history of the records they
    may see (the page only lists those); viewers read figures, not who changed them."""
    return perms.can_view_audit(user) or perms.role_of(user) in perms.REPORTERS


def history_of(record, limit: int = 50) -> list[dict]:
    """The audit entries of one record, newest first, as plain rows (the template escapes them)."""
    out = []
    for e in AuditEntry.objects.for_object(record).order_by("-at", "-pk")[:limit]:
        out.append({"at": e.at, "actor": e.actor, "action": e.action, "reason": e.reason,
                    "old": _changes(e.old), "new": _changes(e.new)})
    return out


def _changes(data) -> str:
    if not data:
        return ""
    return ", ".join(f"{k}={v}" for k, v in data.items() if v not in (None, ""))
