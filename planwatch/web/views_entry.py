"""The data-entry page with its workflow: reporters see and hand in their own items, planners
approve or return them and lock or reopen the period.

Saving a row is ``planwatch.web.entry``'s versioned save; this module adds what governance needs
around it: rows the user may not see are left out (and posting to one is refused, not ignored),
and each row carries the workflow step that applies to it.  Every step goes through
``planwatch.data.actions`` with the version the page was read at, so a step taken on a figure
someone has since changed is refused and the newer figure is shown instead.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from planwatch.accounts import permissions as perms
from planwatch.data import actions
from planwatch.data.models import Period, Status
from planwatch.web import entry as base
from planwatch.web import period_choices, views_scope
from planwatch.web.context import period_of, plan_or_404
from planwatch.web.names import name_of
from planwatch.web.views import own_unit_of

OPS = {"submit", "approve", "return"}


def _rows(user, plan, period, org_unit):
    """All value rows (for the permission check on a post) and the task rows the user may see."""
    values = base._value_rows(user, plan, period, org_unit)
    shown = views_scope.visible_indicator_codes(user, plan, org_unit, period)
    for row in values:
        row["visible"] = row["ind"].code in shown
    return values, base._task_rows(user, plan, period, org_unit)


def _mark_steps(user, plan, rows):
    """Which workflow buttons each row offers."""
    approver = perms.can_approve(user, plan)
    for row in rows:
        status = row["current"].status if row["current"] else None
        row["can_submit"] = row["editable"] and status in (Status.DRAFT, Status.RETURNED)
        row["can_draft"] = row["editable"] and status in base.DRAFTABLE
        row["can_approve"] = approver and status == Status.SUBMITTED
        row["can_return"] = approver and status in (Status.SUBMITTED, Status.APPROVED)


def _page(request, plan, period, org_unit, values, tasks):
    shown = [r for r in values if r["visible"]]
    _mark_steps(request.user, plan, shown + tasks)
    context = base._context(request, plan, period, org_unit, values=shown, tasks=tasks,
                            locked=period_choices.is_locked(plan, period), can_lock=perms.can_lock(request.user, plan),
                            periods=period_choices.reporting_periods(plan, period))
    return render(request, "web/entry.html", context)


@login_required
def entry(request, plan_code):
    plan = plan_or_404(request.user, plan_code)
    period = period_of(request, plan)
    org_unit = own_unit_of(request, plan)
    values, tasks = _rows(request.user, plan, period, org_unit)
    if request.method != "POST":
        return _page(request, plan, period, org_unit, values, tasks)
    kind = request.POST.get("kind")
    rows = values if kind == "value" else tasks if kind == "task" else []
    key = request.POST.get("row", "")
    row = next((r for r in rows if r["form"].prefix == key), None)
    if row is None:
        raise Http404(_("没有这一行"))
    op = request.POST.get("op", "")
    if op in OPS:
        if not row.get("visible", True):
            perms.require(False, _("无权查看这一项"))
        done = _step(request, plan, row, op)
        if done:
            return redirect(f"{request.path}?period={period}&org={org_unit.code}")
        return _page(request, plan, period, org_unit, values, tasks)
    if not row["editable"]:
        perms.require(False, _("无权填报这一项"))
    status = Status.DRAFT if request.POST.get("save") == "draft" else Status.SUBMITTED
    saved = base._save_row(request, kind, row, plan, period, org_unit, status=status)
    if saved and not request.htmx:
        return redirect(f"{request.path}?period={period}&org={org_unit.code}")
    if request.htmx:
        # the row, and its workflow buttons swapped out of band: they must carry the new version
        _mark_steps(request.user, plan, [row])
        context = base._context(request, plan, period, org_unit, row=row, saved=saved, kind=kind, oob=True)
        template = "web/_entry_value_row.html" if kind == "value" else "web/_entry_task_row.html"
        return HttpResponse(render_to_string(template, context, request)
                            + render_to_string("web/_entry_workflow.html", context, request))
    return _page(request, plan, period, org_unit, values, tasks)


def _step(request, plan, row, op) -> bool:
    """Submit, approve or return one record; on a refusal the row carries the message."""
    record = row["current"]
    if record is None:
        row["step_error"] = _("这一项还没有填报,无法报送或审核")
        return False
    if op == "submit":
        perms.require(row["editable"], _("无权报送这一项"))
    else:
        perms.require(perms.can_approve(request.user, plan), _("无权审核这一项"))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        row["step_error"] = _("缺少版本号,请刷新页面后再试")
        return False
    actor = actions.Actor.of(request.user)
    comment = request.POST.get("comment", "").strip()
    try:
        if op == "submit":
            done = actions.submit(record, actor=actor, expected_version=version)
        elif op == "approve":
            done = actions.approve(record, actor=actor, expected_version=version, reason=comment)
        else:
            done = actions.return_to_reporter(record, actor=actor, comment=comment, expected_version=version)
    except actions.StaleVersion as exc:
        fresh = exc.current
        row["current"] = fresh
        row["step_error"] = _("操作未执行:这一项已被他人修改为第%(v)s版(%(now)s),请核对后再操作") % {
            "v": fresh.version, "now": _describe(fresh)}
        return False
    except (ValidationError, ValueError) as exc:  # locked period, wrong status, missing comment
        row["step_error"] = "; ".join(getattr(exc, "messages", None) or [str(exc)])
        return False
    verb = {"submit": _("已报送"), "approve": _("已审核通过"), "return": _("已退回")}[op]
    messages.success(request, _("%(verb)s:%(name)s(第%(v)s版)") % {"verb": verb, "name": _label(row), "v": done.version})
    return True


def _label(row) -> str:
    return name_of(row["ind"]) if "ind" in row else row["task"].title


def _describe(record) -> str:
    """The newer record in a few words: its figure (or progress) and its status."""
    if hasattr(record, "indicator_id"):
        parts = [f"{_('数值')} {record.value}" if record.value is not None else "",
                 f"{_('同比')} {record.yoy_pct}%" if record.yoy_pct is not None else "",
                 f"{_('完成进度')} {record.progress_pct}%" if record.progress_pct is not None else ""]
    else:
        parts = [f"{_('完成数量')} {record.quantity_done}" if record.quantity_done is not None else "",
                 f"{_('完成比例')} {record.percent}%" if record.percent is not None else ""]
    return ",".join(p for p in parts if p) + f",{record.get_status_display()}"


@login_required
@require_POST
def period_lock(request, plan_code):
    """Lock the period of a plan, or reopen it with a reason (planning office)."""
    plan = plan_or_404(request.user, plan_code)
    perms.require(perms.can_lock(request.user, plan), _("无权锁定或重新开放报告期"))
    period = period_of(request, plan)
    org_unit = own_unit_of(request, plan)
    op = request.POST.get("op")
    reason = request.POST.get("reason", "").strip()
    actor = actions.Actor.of(request.user)
    try:
        if op == "lock":
            actions.lock_period(plan, Period.get(period), actor=actor, reason=reason)
            messages.success(request, _("%(period)s 已锁定") % {"period": period})
        elif op == "reopen":
            actions.reopen_period(plan, Period.get(period), actor=actor, reason=reason)
            messages.success(request, _("%(period)s 已重新开放") % {"period": period})
        else:
            raise Http404(_("没有这个操作"))
    except (ValidationError, ValueError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", None) or [str(exc)]))
    return redirect(f"{reverse('web:entry', args=[plan.code])}?period={period}&org={org_unit.code}")
