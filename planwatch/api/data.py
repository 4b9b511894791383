"""Figures and task progress: read them, enter them, correct them.

Every write goes through ``planwatch.data.actions`` (transaction + audit). Edits carry the
``version`` they were based on; when someone changed the record since, the answer is 409 with
the newer record, so a client can show both and let its user decide.
"""

from typing import Literal, Optional

from django.http import Http404
from ninja import Path, Router
from ninja import Status as Reply
from ninja.errors import HttpError
from ninja.pagination import paginate

from planwatch.accounts import permissions as perms
from planwatch.api.lookups import (MAX_ID, indicator_for, may_edit_value, org_unit_for, period_code, period_for, plan_for)
from planwatch.api.pagination import Pages
from planwatch.api.schemas import (Code, PeriodCode, ProgressEdit, ProgressIn, ProgressOut, Problem, StaleOut,
                                   ValueEdit, ValueIn, ValueOut)
from planwatch.data import actions
from planwatch.data.models import NOT_CURRENT, DataValue, Source, TaskProgress
from planwatch.plans.models import PlanIndicator, Task

router = Router(tags=["数据填报 values"])

WRITE_RESPONSES = {200: None, 403: Problem, 404: Problem, 409: StaleOut, 422: Problem}
EntryStatus = Literal["draft", "submitted"]


def _values(user):
    return perms.visible_values(user, DataValue.objects.select_related("indicator", "org_unit", "period"))


def _progress(user):
    return perms.visible_progress(user, TaskProgress.objects.select_related("task", "period"))


def _says_something(*numbers):
    if all(n is None for n in numbers):
        raise HttpError(422, "请至少填写一个数:数值、同比或完成进度")


@router.get("/values", response=list[ValueOut])
@paginate(Pages)
def list_values(request, plan: Optional[Code] = None, indicator: Optional[Code] = None,
                org_unit: Optional[Code] = None, period: Optional[PeriodCode] = None,
                include_proposals: bool = False):
    """Current figures (proposals read from documents only with ``include_proposals``)."""
    qs = _values(request.auth)
    if not include_proposals:
        qs = qs.exclude(status__in=NOT_CURRENT)
    if plan:
        qs = qs.filter(indicator__plan_uses__plan=plan_for(request.auth, plan))
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if org_unit:
        qs = qs.filter(org_unit__code=org_unit)
    if period:
        qs = qs.filter(period__code=period_code(period))
    return qs.order_by("period__end", "indicator__code", "org_unit__code", "id")


@router.get("/values/{value_id}", response=ValueOut)
def get_value(request, value_id: int = Path(..., ge=1, le=MAX_ID)):
    row = _values(request.auth).filter(pk=value_id).first()
    if row is None:
        raise Http404("没有这条数据(或无权查看)")
    return row


def _record_value(request, indicator, org_unit, period, numbers: dict, version: int, status: str):
    try:
        row = actions.record_value(indicator, org_unit, period, source=Source.ENTERED, status=status,
                                   actor=actions.Actor.of(request.auth), expected_version=version,
                                   reason="接口填报", **numbers)
    except actions.StaleVersion as exc:
        return Reply(409, {"detail": str(exc), "current": ValueOut.from_orm(exc.current).dict()})
    except DataValue.DoesNotExist:
        raise HttpError(409, "这个单元格还没有数据:新建时 version 填 0") from None
    return Reply(200, row)


@router.post("/values", response={200: ValueOut, 403: Problem, 404: Problem, 409: StaleOut, 422: Problem})
def enter_value(request, body: ValueIn, status: EntryStatus = "submitted"):
    """Enter the figure of an indicator for an org unit and period (``version`` 0 for a new one)."""
    plan = plan_for(request.auth, body.plan)
    indicator = indicator_for(body.indicator)
    org_unit = org_unit_for(body.org_unit)
    if not PlanIndicator.objects.filter(plan=plan, indicator=indicator).exists():
        raise HttpError(422, f"计划 {plan.code} 不含指标 {indicator.code}")
    if org_unit.pk not in perms.unit_and_below(plan.org_unit_id):
        raise HttpError(422, f"{org_unit.name} 不在计划 {plan.code} 的范围内")
    perms.require(perms.can_edit_value(request.auth, indicator, org_unit, plan), "无权填报这个指标")
    _says_something(body.value, body.yoy_pct, body.progress_pct)
    numbers = {k: getattr(body, k) for k in ("value", "yoy_pct", "progress_pct", "decimals", "note")}
    if numbers["decimals"] is None:
        numbers["decimals"] = indicator.decimals
    return _record_value(request, indicator, org_unit, period_for(body.period), numbers, body.version, status)


@router.put("/values/{value_id}", response={200: ValueOut, 403: Problem, 404: Problem, 409: StaleOut, 422: Problem})
def edit_value(request, body: ValueEdit, value_id: int = Path(..., ge=1, le=MAX_ID), status: EntryStatus = "submitted"):
    """Correct a current figure; ``version`` is the version you read."""
    row = _values(request.auth).filter(pk=value_id).first()
    if row is None:
        raise Http404("没有这条数据(或无权查看)")
    if row.status in NOT_CURRENT:
        raise HttpError(422, "这是文档抽取的待审核值或已处理的值:请在文档审核中采纳或驳回")
    perms.require(may_edit_value(request.auth, row.indicator, row.org_unit), "无权修改这个指标")
    _says_something(body.value, body.yoy_pct, body.progress_pct)
    numbers = {k: getattr(body, k) for k in ("value", "yoy_pct", "progress_pct", "decimals", "note")}
    if numbers["decimals"] is None:
        numbers["decimals"] = row.decimals
    return _record_value(request, row.indicator, row.org_unit, row.period, numbers, body.version, status)


@router.get("/task-progress", response=list[ProgressOut])
@paginate(Pages)
def list_progress(request, plan: Optional[Code] = None, period: Optional[PeriodCode] = None,
                  task_id: Optional[int] = None, include_proposals: bool = False):
    """How far key tasks have come, per period."""
    qs = _progress(request.auth)
    if not include_proposals:
        qs = qs.exclude(status__in=NOT_CURRENT)
    if plan:
        qs = qs.filter(task__plan=plan_for(request.auth, plan))
    if period:
        qs = qs.filter(period__code=period_code(period))
    if task_id is not None:
        qs = qs.filter(task_id=task_id if 0 < task_id < MAX_ID else 0)
    return qs.order_by("period__end", "task__order", "id")


@router.get("/task-progress/{progress_id}", response=ProgressOut)
def get_progress(request, progress_id: int = Path(..., ge=1, le=MAX_ID)):
    row = _progress(request.auth).filter(pk=progress_id).first()
    if row is None:
        raise Http404("没有这条进展(或无权查看)")
    return row


def _record_progress(request, task, period, numbers: dict, version: int, status: str):
    try:
        row = actions.record_task_progress(task, period, source=Source.ENTERED, status=status,
                                           actor=actions.Actor.of(request.auth), expected_version=version,
                                           reason="接口填报", **numbers)
    except actions.StaleVersion as exc:
        return Reply(409, {"detail": str(exc), "current": ProgressOut.from_orm(exc.current).dict()})
    except TaskProgress.DoesNotExist:
        raise HttpError(409, "这项任务在该期还没有进展:新建时 version 填 0") from None
    return Reply(200, row)


@router.post("/task-progress", response={200: ProgressOut, 403: Problem, 404: Problem, 409: StaleOut, 422: Problem})
def enter_progress(request, body: ProgressIn, status: EntryStatus = "submitted"):
    """Report progress of a key task for a period (``version`` 0 for a new one)."""
    task = perms.visible_tasks(request.auth, Task.objects.select_related("plan")).filter(pk=body.task_id).first()
    if task is None:
        raise Http404("没有这项任务(或无权查看)")
    perms.require(perms.can_edit_task(request.auth, task), "无权填报这项任务")
    if body.quantity_done is None and body.percent is None and not body.narrative.strip():
        raise HttpError(422, "请填写完成数量、完成比例或进展情况")
    numbers = {k: getattr(body, k) for k in ("quantity_done", "percent", "narrative", "note")}
    return _record_progress(request, task, period_for(body.period), numbers, body.version, status)


@router.put("/task-progress/{progress_id}", response={200: ProgressOut, 403: Problem, 404: Problem, 409: StaleOut, 422: Problem})
def edit_progress(request, body: ProgressEdit, progress_id: int = Path(..., ge=1, le=MAX_ID),
                  status: EntryStatus = "submitted"):
    row = _progress(request.auth).filter(pk=progress_id).first()
    if row is None:
        raise Http404("没有这条进展(或无权查看)")
    if row.status in NOT_CURRENT:
        raise HttpError(422, "这是文档抽取的待审核值或已处理的值:请在文档审核中采纳或驳回")
    perms.require(perms.can_edit_task(request.auth, row.task), "无权修改这项任务")
    if body.quantity_done is None and body.percent is None and not body.narrative.strip():
        raise HttpError(422, "请填写完成数量、完成比例或进展情况")
    numbers = {k: getattr(body, k) for k in ("quantity_done", "percent", "narrative", "note")}
    return _record_progress(request, row.task, row.period, numbers, body.version, status)
