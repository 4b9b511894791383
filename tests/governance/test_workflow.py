"""Draft → submitted → approved or returned; locked periods; permission checks inside the actions."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from planwatch.data import actions
from planwatch.data.actions import (Actor, InvalidTransition, PeriodLocked, StaleVersion, approve, lock_period,
                                    record_task_progress, record_value, reopen_period, return_to_reporter, submit)
from planwatch.data.models import AuditEntry, DataValue, Status, TaskProgress


def as_(world, name):
    return Actor.of(world.users[name])


def test_value_goes_draft_submitted_approved(world):
    v = record_value(world.revenue, world.district, "2021H1", value=50.0, actor=as_(world, "finance"))
    assert v.status == Status.DRAFT and v.created_by == world.users["finance"]
    v = submit(v, actor=as_(world, "finance"), expected_version=v.version)
    assert v.status == Status.SUBMITTED and v.submitted_by == world.users["finance"]
    v = approve(v, actor=as_(world, "planner"), expected_version=v.version)
    assert v.status == Status.APPROVED and v.reviewed_by == world.users["planner"] and v.version == 3
    steps = list(AuditEntry.objects.for_object(v).order_by("id").values_list("action", "old__status", "new__status"))
    assert steps == [("value.create", None, "draft"), ("value.submitted", "draft", "submitted"),
                     ("value.approved", "submitted", "approved")]


def test_returned_value_carries_the_comment_and_can_be_resubmitted(world):
    v = record_value(world.revenue, world.district, "2021H1", value=50.0, actor=as_(world, "finance"))
    v = submit(v, actor=as_(world, "finance"))
    with pytest.raises(ValueError):
        return_to_reporter(v, actor=as_(world, "planner"), comment="  ")
    v = return_to_reporter(v, actor=as_(world, "planner"), comment="口径与上年不一致,请核实")
    assert v.status == Status.RETURNED and v.review_comment == "口径与上年不一致,请核实"
    assert AuditEntry.objects.get(action="value.returned").reason == "口径与上年不一致,请核实"
    v = record_value(world.revenue, world.district, "2021H1", value=51.0, actor=as_(world, "finance"),
                     expected_version=v.version, reason="按意见更正")
    v = submit(v, actor=as_(world, "finance"))
    assert v.status == Status.SUBMITTED and v.review_comment == ""


def test_reporters_cannot_approve_and_cannot_edit_after_submitting(world):
    v = record_value(world.revenue, world.district, "2021H1", value=50.0, actor=as_(world, "finance"))
    v = submit(v, actor=as_(world, "finance"))
    with pytest.raises(PermissionDenied):
        approve(v, actor=as_(world, "finance"))
    with pytest.raises(InvalidTransition):
        record_value(world.revenue, world.district, "2021H1", value=99.0, actor=as_(world, "finance"))
    with pytest.raises(PermissionDenied):  # a reporter cannot self-approve through record_value either
        record_value(world.revenue, world.street1, "2021H1", value=1.0, status=Status.APPROVED,
                     actor=as_(world, "street1"))
    assert DataValue.objects.get().value == 50.0


def test_wrong_step_is_refused(world):
    v = record_value(world.revenue, world.district, "2021H1", value=50.0)
    with pytest.raises(InvalidTransition):
        approve(v, actor=as_(world, "planner"))


def test_department_reporter_is_refused_another_departments_value(world):
    with pytest.raises(PermissionDenied):
        record_value(world.housing_area, world.district, "2021H1", value=3.0, actor=as_(world, "finance"))
    with pytest.raises(PermissionDenied):
        record_value(world.revenue, world.street2, "2021H1", value=3.0, actor=as_(world, "street1"))
    with pytest.raises(PermissionDenied):
        record_value(world.revenue, world.district, "2021H1", value=3.0, actor=as_(world, "viewer"))
    assert not DataValue.objects.exists() and not AuditEntry.objects.exists()


def test_stale_workflow_step_is_refused(world):
    v = record_value(world.revenue, world.district, "2021H1", value=50.0)
    submit(v, actor=as_(world, "finance"), expected_version=1)
    with pytest.raises(StaleVersion) as info:
        approve(v, actor=as_(world, "planner"), expected_version=1)
    assert info.value.current.version == 2
    assert DataValue.objects.get().status == Status.SUBMITTED


def test_locked_period_refuses_every_write_until_reopened(world):
    v = record_value(world.revenue, world.district, "2021H1", value=50.0, status=Status.SUBMITTED)
    p = record_task_progress(world.task_finance, "2021H1", percent=40.0)
    with pytest.raises(PermissionDenied):
        lock_period(world.plan, "2021H1", actor=as_(world, "finance"))
    lock_period(world.plan, "2021H1", actor=as_(world, "planner"), reason="上半年数据已发布")
    assert actions.is_locked(world.plan, "2021H1")
    with pytest.raises(PeriodLocked):
        record_value(world.revenue, world.district, "2021H1", value=60.0)
    with pytest.raises(PeriodLocked):  # a 街道 value under the district plan is sealed too
        record_value(world.revenue, world.street1, "2021H1", value=1.0)
    with pytest.raises(PeriodLocked):
        record_task_progress(world.task_finance, "2021H1", percent=50.0)
    with pytest.raises(PeriodLocked):
        approve(v, actor=as_(world, "planner"))
    with pytest.raises(PeriodLocked):
        actions.delete_record(p, reason="误填")
    # other periods and other plans stay open
    record_value(world.revenue, world.district, "2021Q3", value=70.0)
    record_value(world.revenue, world.other_district, "2021H1", value=5.0)
    assert DataValue.objects.get(pk=v.pk).value == 50.0 and TaskProgress.objects.get().percent == 40.0

    with pytest.raises(ValueError):
        reopen_period(world.plan, "2021H1", actor=as_(world, "planner"), reason="")
    reopen_period(world.plan, "2021H1", actor=as_(world, "planner"), reason="统计局修订一季度数据")
    record_value(world.revenue, world.district, "2021H1", value=60.0, status=Status.SUBMITTED)
    trail = list(AuditEntry.objects.filter(model="data.periodlock").order_by("id").values_list("action", "reason"))
    assert trail == [("period.lock", "上半年数据已发布"), ("period.reopen", "统计局修订一季度数据")]


def test_reopening_an_open_period_is_an_error(world):
    with pytest.raises(InvalidTransition):
        reopen_period(world.plan, "2021H1", reason="没有锁定")


def test_delete_keeps_the_last_state_in_the_trail(world):
    v = record_value(world.revenue, world.district, "2021H1", value=50.0)
    actions.delete_record(v, actor=Actor(name="cli:ops"), reason="重复录入")
    assert not DataValue.objects.exists()
    entry = AuditEntry.objects.get(action="value.delete")
    assert entry.old["value"] == 50.0 and entry.new is None and entry.reason == "重复录入"


def test_targets_are_versioned_audited_and_planner_only(world):
    t = actions.set_target(world.plan, world.revenue, world.district, value=100.0, actor=as_(world, "planner"))
    with pytest.raises(PermissionDenied):
        actions.set_target(world.plan, world.revenue, world.district, value=1.0, actor=as_(world, "finance"))
    t = actions.set_target(world.plan, world.revenue, world.district, value=110.0, expected_version=1,
                           actor=as_(world, "planner"), reason="年中调整")
    assert t.version == 2
    with pytest.raises(StaleVersion):
        actions.set_target(world.plan, world.revenue, world.district, value=120.0, expected_version=1)
    t.refresh_from_db()
    assert t.value == 110.0
    entry = AuditEntry.objects.get(action="target.update")
    assert (entry.old["value"], entry.new["value"]) == (100.0, 110.0)
    lock_period(world.plan, "2021")
    with pytest.raises(PeriodLocked):
        actions.set_target(world.plan, world.revenue, world.district, value=130.0)
    reopen_period(world.plan, "2021", reason="调整目标")
    actions.delete_target(t, reason="指标取消")
    assert AuditEntry.objects.filter(action="target.delete", old__value=110.0).exists()


def test_audit_trail_refuses_bulk_rewrites(world):
    record_value(world.revenue, world.district, "2021H1", value=50.0)
    with pytest.raises(RuntimeError):
        AuditEntry.objects.all().update(reason="改写")
    with pytest.raises(RuntimeError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1
