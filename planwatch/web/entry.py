"""Data entry rows and saving them (the view itself is planwatch.web.views_entry): the figures of a plan's indicators and the progress of its key tasks for one period.

Each row is its own form carrying the version it was read at, so two people editing the same
figure do not overwrite each other silently: the second one sees the newer figure and a message.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from planwatch.accounts import permissions as perms
from planwatch.data import actions
from planwatch.data.models import NOT_CURRENT, DataValue, Period, Source, Status, TaskProgress
from planwatch.plans.models import OrgUnit, PlanIndicator, Task
from planwatch.web.forms import ProgressForm, ValueForm
from planwatch.web.names import name_of

# audit reasons stay Chinese whatever the UI language (the trail is read as one record)
REASONS = {Status.SUBMITTED: "网页填报", Status.DRAFT: "网页填报(草稿)"}
# a row may be kept as a draft while it is new, a draft, or returned for correction; a figure
# handed in or approved is not quietly taken back into draft
DRAFTABLE = {None, Status.DRAFT, Status.RETURNED}


def _value_rows(user, plan, period, org_unit):
    current = {v.indicator_id: v for v in DataValue.objects.filter(period__code=period, org_unit=org_unit)
               .exclude(status__in=NOT_CURRENT)}
    rows = []
    for use in PlanIndicator.objects.filter(plan=plan).select_related("indicator").order_by("order"):
        v = current.get(use.indicator_id)
        initial = {"version": v.version if v else 0}
        if v:
            initial.update(value=v.value, yoy_pct=v.yoy_pct, progress_pct=v.progress_pct, note=v.note)
        rows.append({"use": use, "ind": use.indicator, "current": v,
                     "editable": perms.can_edit_value(user, use.indicator, org_unit, plan),
                     "form": ValueForm(initial=initial, prefix=f"v{use.indicator.pk}")})
    return rows


def _task_rows(user, plan, period, org_unit):
    tasks = perms.visible_tasks(user, Task.objects.filter(plan=plan, org_unit=org_unit)).order_by("order", "code")
    current = {p.task_id: p for p in TaskProgress.objects.filter(period__code=period, task__plan=plan)
               .exclude(status__in=NOT_CURRENT)}
    rows = []
    for t in tasks:
        p = current.get(t.pk)
        initial = {"version": p.version if p else 0}
        if p:
            initial.update(quantity_done=p.quantity_done, percent=p.percent, narrative=p.narrative, note=p.note)
        rows.append({"task": t, "current": p, "editable": perms.can_edit_task(user, t),
                     "form": ProgressForm(initial=initial, prefix=f"t{t.pk}")})
    return rows


def _context(request, plan, period, org_unit, **extra):
    return {"plan": plan, "period": period, "org_unit": org_unit,
            "units": [plan.org_unit, *OrgUnit.objects.filter(parent=plan.org_unit).order_by("code")],
            **extra}


def _save_row(request, kind, row, plan, period, org_unit, status=Status.SUBMITTED) -> bool:
    """Save one row through the actions: handed in (``submitted``) or kept as the reporter's
    ``draft``, which only the reporter's own 报送 step hands in later."""
    form_class = ValueForm if kind == "value" else ProgressForm
    form = form_class(request.POST, prefix=row["form"].prefix)
    row["form"] = form
    if not form.is_valid():
        return False
    if status == Status.DRAFT and row["current"] is not None and row["current"].status not in DRAFTABLE:
        form.add_error(None, _("这一项已%(status)s,不能改存为草稿") % {"status": _(row["current"].get_status_display())})
        return False
    data = form.cleaned_data
    actor = actions.Actor.of(request.user)
    try:
        if kind == "value":
            ind = row["ind"]
            current = actions.record_value(
                ind, org_unit, Period.get(period), value=data["value"], yoy_pct=data["yoy_pct"],
                progress_pct=data["progress_pct"], note=data["note"], source=Source.ENTERED,
                status=status, decimals=ind.decimals, actor=actor, reason=REASONS[status],
                expected_version=data["version"])
            label = name_of(ind)
        else:
            current = actions.record_task_progress(
                row["task"], Period.get(period), quantity_done=data["quantity_done"], percent=data["percent"],
                narrative=data["narrative"], note=data["note"], source=Source.ENTERED, status=status,
                actor=actor, reason=REASONS[status], expected_version=data["version"])
            label = row["task"].title
    except actions.StaleVersion as exc:
        form.add_error(None, _("保存失败:%(msg)s。最新数据已显示在本行,请核对后再保存。") % {"msg": exc})
        _refresh(row, kind, exc.current)
        return False
    except (DataValue.DoesNotExist, TaskProgress.DoesNotExist):
        form.add_error(None, _("保存失败:这一项已被他人删除或改为待审核,请刷新页面"))
        return False
    except ValidationError as exc:
        for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
            form.add_error(field if field in form.fields else None, errors)
        return False
    row["current"] = current
    _refresh(row, kind, current, keep_form=False)
    if status == Status.DRAFT:
        messages.success(request, _("已存为草稿:%(name)s(第%(v)s版),报送后计划编制部门才能审核") % {
            "name": label, "v": current.version})
    else:
        messages.success(request, _("已保存:%(name)s(第%(v)s版)") % {"name": label, "v": current.version})
    return True


def _refresh(row, kind, current, keep_form=True):
    """Show the newer record: its version goes into the form so the next save is based on it."""
    row["current"] = current
    form = row["form"]
    if kind == "value":
        initial = {"value": current.value, "yoy_pct": current.yoy_pct, "progress_pct": current.progress_pct,
                   "note": current.note, "version": current.version}
        fresh = ValueForm(initial=initial, prefix=form.prefix)
    else:
        initial = {"quantity_done": current.quantity_done, "percent": current.percent,
                   "narrative": current.narrative, "note": current.note, "version": current.version}
        fresh = ProgressForm(initial=initial, prefix=form.prefix)
    if keep_form:
        # keep what the user typed, but base the next save on the newer version
        data = form.data.copy()
        data[f"{form.prefix}-version"] = str(current.version)
        form.data = data
        row["newer"] = current
    else:
        row["form"] = fresh
