"""record_values / record_task_progresses: the single write path's rules, applied to many figures at once.

Each comparison runs the same input through record_value (one call per figure) and through the
bulk action from the same starting state (the first run is rolled back), and compares the rows
and audit entries they leave; refusals must carry the single path's exception type and message.
"""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction

from planwatch.data import actions
from planwatch.data.actions import (Actor, InvalidTransition, PeriodLocked, StaleVersion, lock_period,
                                    record_task_progress, record_task_progresses, record_value, record_values)
from planwatch.data.models import AuditEntry, DataValue, Period, Status, TaskProgress
from tests.governance.world import make_world


@pytest.fixture
def world(db):
    return make_world()


def as_(world, name):
    return Actor.of(world.users[name])


class _Undo(Exception):
    pass


def _cell_of_row(row) -> tuple:
    if isinstance(row, TaskProgress):
        return ("task", row.task.code, row.period.code)
    return ("value", row.indicator.code, row.org_unit.code, row.period.code)


_ROW_FIELDS = ["value", "yoy_pct", "progress_pct", "decimals", "quantity_done", "percent", "narrative", "note",
               "source", "status", "document_id", "fact_id", "version", "created_by_id", "updated_by_id"]


def state() -> dict:
    """Rows by cell and audit entries in order, without ids and clock times (which differ between runs)."""
    rows, cells = {}, {}
    for model in (DataValue, TaskProgress):
        for row in model.objects.all():
            key = _cell_of_row(row)
            rows[key] = {f: getattr(row, f) for f in _ROW_FIELDS if hasattr(row, f)}
            cells[(model._meta.label_lower, str(row.pk))] = key
    trail = [(e.action, e.model, cells.get((e.model, e.object_id), e.object_id), e.object_repr, e.old, e.new,
              e.reason, e.actor, e.user_id) for e in AuditEntry.objects.order_by("id")]
    return {"rows": rows, "audit": trail}


def run_and_undo(fn) -> dict:
    """The state after fn, then roll fn back so the other path starts from the same place."""
    try:
        with transaction.atomic():
            fn()
            after = state()
            raise _Undo
    except _Undo:
        pass
    return after


def single_values(items, **kw):
    for item in items:
        item = dict(item)
        record_value(item.pop("indicator"), item.pop("org_unit"), item.pop("period"), **item, **kw)


def single_tasks(items, **kw):
    for item in items:
        item = dict(item)
        record_task_progress(item.pop("task"), item.pop("period"), **item, **kw)


def test_bulk_and_single_path_leave_identical_rows_and_audit(world):
    finance = as_(world, "finance")
    planner = as_(world, "planner")
    # existing figures (by another user): one that will change, one that will be sent again unchanged
    record_value(world.revenue, world.district, "2021H1", value=50.0, yoy_pct=3.0, actor=planner)
    record_value(world.revenue, world.street1, "2021H1", value=7.5, decimals=1, actor=planner)
    record_task_progress(world.task_finance, "2021H1", quantity_done=3.0, percent=30.0, actor=planner)
    items = [
        {"indicator": world.revenue, "org_unit": world.district, "period": "2021H1", "value": 52.5, "yoy_pct": 3.0},
        {"indicator": world.revenue, "org_unit": world.street1, "period": "2021H1", "value": 7.5, "decimals": 1},
        {"indicator": world.revenue, "org_unit": world.street2, "period": "2021H1", "value": 4.25, "note": "含一次性收入"},
        {"indicator": world.revenue, "org_unit": world.district, "period": "2021Q3", "progress_pct": 71.0},
    ]
    tasks = [
        {"task": world.task_finance, "period": "2021H1", "quantity_done": 5.0, "percent": 50.0, "narrative": "过半"},
        {"task": world.task_finance, "period": "2021Q3", "quantity_done": 8.0},
    ]
    kw = {"actor": finance, "reason": "导入《测试.xlsx》"}
    single = run_and_undo(lambda: (single_values(items, **kw), single_tasks(tasks, **kw)))
    before = state()
    rows = record_values(items, **kw)
    record_task_progresses(tasks, **kw)
    bulk = state()
    assert bulk == single
    # and the comparison is not vacuous: created, updated and unchanged all happened
    actions_done = [a[0] for a in bulk["audit"][len(before["audit"]):]]
    assert actions_done == ["value.update", "value.create", "value.create", "progress.update", "progress.create"]
    assert [r.version for r in rows] == [2, 1, 1, 1]
    assert rows[1].pk == DataValue.objects.get(org_unit=world.street1).pk


def test_submitted_and_approved_status_as_the_single_path(world):
    items = [{"indicator": world.revenue, "org_unit": u, "period": "2021H1", "value": float(i)}
             for i, u in enumerate([world.district, world.street1, world.street2])]
    kw = {"actor": as_(world, "planner"), "status": Status.APPROVED, "reason": "核定"}
    single = run_and_undo(lambda: single_values(items, **kw))
    record_values(items, **kw)
    assert state() == single
    assert set(DataValue.objects.values_list("status", flat=True)) == {Status.APPROVED}


def refusal_of(fn):
    with pytest.raises(Exception) as info:
        with transaction.atomic():
            fn()
    return info.value


def assert_same_refusal(world, items, index, **kw):
    """The bulk refusal names the item, and is the single path's refusal of that item; nothing is written."""
    before = state()
    bulk = refusal_of(lambda: record_values(items, **kw))
    assert state() == before
    assert bulk.item_index == index
    item = dict(items[index])
    single = refusal_of(lambda: record_value(item.pop("indicator"), item.pop("org_unit"), item.pop("period"),
                                             **item, **kw))
    assert type(bulk) is type(single)
    assert str(bulk) == str(single)
    return bulk


def test_locked_period_is_refused_at_the_item(world):
    lock_period(world.plan, "2021H1", reason="已发布")
    items = [
        {"indicator": world.revenue, "org_unit": world.other_district, "period": "2021H1", "value": 1.0},  # other plan
        {"indicator": world.revenue, "org_unit": world.district, "period": "2021Q3", "value": 1.0},  # other period
        {"indicator": world.revenue, "org_unit": world.street2, "period": "2021H1", "value": 1.0},  # locked (街道 of the plan)
    ]
    exc = assert_same_refusal(world, items, 2)
    assert isinstance(exc, PeriodLocked)
    record_values(items[:2])  # the same items outside the lock go in


def test_permission_refused_as_the_single_path(world):
    ok = {"indicator": world.revenue, "org_unit": world.district, "period": "2021H1", "value": 1.0}
    other_dept = {"indicator": world.housing_area, "org_unit": world.district, "period": "2021H1", "value": 2.0}
    exc = assert_same_refusal(world, [ok, other_dept], 1, actor=as_(world, "finance"))
    assert isinstance(exc, PermissionDenied)
    own_street = {"indicator": world.revenue, "org_unit": world.street1, "period": "2021H1", "value": 1.0}
    other_street = {"indicator": world.revenue, "org_unit": world.street2, "period": "2021H1", "value": 1.0}
    assert_same_refusal(world, [own_street, other_street], 1, actor=as_(world, "street1"))
    assert_same_refusal(world, [ok], 0, actor=as_(world, "viewer"))
    # a reporter may write but not approve
    exc = assert_same_refusal(world, [ok], 0, actor=as_(world, "finance"), status=Status.APPROVED)
    assert "无权审核" in str(exc)


def test_task_permission_refused_as_the_single_path(world):
    items = [{"task": world.task_finance, "period": "2021H1", "quantity_done": 1.0},
             {"task": world.task_street1, "period": "2021H1", "quantity_done": 1.0}]
    finance = as_(world, "finance")
    with pytest.raises(PermissionDenied) as bulk:
        record_task_progresses(items, actor=finance)
    with pytest.raises(PermissionDenied) as single:
        record_task_progress(world.task_street1, "2021H1", quantity_done=1.0, actor=finance)
    assert bulk.value.item_index == 1 and str(bulk.value) == str(single.value)
    assert not TaskProgress.objects.exists()


def test_stale_version_and_missing_row_refused(world):
    v = record_value(world.revenue, world.district, "2021H1", value=50.0)
    record_value(world.revenue, world.district, "2021H1", value=51.0, expected_version=v.version)
    fresh = {"indicator": world.revenue, "org_unit": world.street1, "period": "2021H1", "value": 1.0}
    stale = {"indicator": world.revenue, "org_unit": world.district, "period": "2021H1", "value": 60.0,
             "expected_version": 1}
    exc = assert_same_refusal(world, [fresh, stale], 1)
    assert isinstance(exc, StaleVersion) and exc.current.value == 51.0
    missing = dict(fresh, expected_version=3)
    exc = assert_same_refusal(world, [missing], 0)
    assert isinstance(exc, DataValue.DoesNotExist)
    current = dict(stale, expected_version=2)
    (row,) = record_values([current])
    assert (row.value, row.version) == (60.0, 3)


def test_reporter_cannot_change_a_submitted_figure(world):
    finance = as_(world, "finance")
    record_value(world.revenue, world.district, "2021H1", value=50.0, status=Status.SUBMITTED, actor=finance)
    new = {"indicator": world.revenue, "org_unit": world.street1, "period": "2021H1", "value": 1.0}
    change = {"indicator": world.revenue, "org_unit": world.district, "period": "2021H1", "value": 55.0}
    exc = assert_same_refusal(world, [new, change], 1, actor=finance)
    assert isinstance(exc, InvalidTransition) and "须经退回后才能修改" in str(exc)
    # the planning office may still correct it
    record_values([change], actor=as_(world, "planner"))
    assert DataValue.objects.get(org_unit=world.district).value == 55.0


def test_a_refusal_on_the_fifth_item_writes_nothing(world):
    streets = [world.district, world.street1, world.street2, world.other_district]
    items = [{"indicator": world.revenue, "org_unit": u, "period": "2021H1", "value": 1.0 + i}
             for i, u in enumerate(streets)]
    items.append({"indicator": world.revenue, "org_unit": world.district, "period": "2021Q3"})  # says nothing
    before = state()
    with pytest.raises(ValidationError) as info:
        record_values(items)
    assert info.value.item_index == 4 and "value_says_something" in str(info.value)
    assert state() == before
    # the single path refuses the same figure (in the database)
    with pytest.raises(IntegrityError), transaction.atomic():
        record_value(world.revenue, world.district, "2021Q3")
    assert len(record_values(items[:4])) == 4


def test_a_failure_after_the_rows_are_inserted_writes_nothing(world, monkeypatch):
    """The audit insert comes after the row inserts: failing there must take the rows back too."""
    items = [{"indicator": world.revenue, "org_unit": u, "period": "2021H1", "value": 1.0}
             for u in (world.district, world.street1, world.street2)]
    seen, real_insert = {}, actions._insert

    def boom(model, fields, rows, **kwargs):
        if model is AuditEntry:
            seen["rows"] = DataValue.objects.count()
            raise RuntimeError("injected failure in the audit insert")
        return real_insert(model, fields, rows, **kwargs)

    monkeypatch.setattr(actions, "_insert", boom)
    before = state()
    with pytest.raises(RuntimeError, match="injected"):
        record_values(items)
    assert seen["rows"] == 3  # the rows were in the database inside the transaction
    assert state() == before


def test_field_validation_as_full_clean(world):
    too_long = {"indicator": world.revenue, "org_unit": world.district, "period": "2021H1", "value": 1.0,
                "note": "说" * 501}
    exc = assert_same_refusal(world, [too_long], 0)
    assert "note" in exc.message_dict
    bad_number = dict(too_long, note="", value="一百")
    exc = assert_same_refusal(world, [bad_number], 0)
    assert "value" in exc.message_dict
    negative_decimals = dict(too_long, note="", decimals=-1)
    assert_same_refusal(world, [negative_decimals], 0)
    # a number given as text is cleaned to a float, as full_clean does
    (row,) = record_values([dict(too_long, note="", value="12.5")])
    assert row.value == 12.5 and DataValue.objects.get().value == 12.5


def test_negative_task_quantity_refused(world):
    items = [{"task": world.task_finance, "period": "2021H1", "quantity_done": -1.0}]
    with pytest.raises(ValidationError) as info:
        record_task_progresses(items)
    assert "progress_quantity_not_negative" in str(info.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        record_task_progress(world.task_finance, "2021H1", quantity_done=-1.0)
    assert not TaskProgress.objects.exists() and not AuditEntry.objects.filter(model="data.taskprogress").exists()


def test_every_check_constraint_is_checked_in_python():
    for model in (DataValue, TaskProgress):
        for c in model._meta.constraints:
            if isinstance(c, models.CheckConstraint):
                assert c.name in actions._ROW_CHECKS, f"{model.__name__}.{c.name} has no bulk check"


def test_a_cell_twice_is_refused(world):
    item = {"indicator": world.revenue, "org_unit": world.district, "period": "2021H1", "value": 1.0}
    with pytest.raises(ValueError, match="同一单元格") as info:
        record_values([item, dict(item, period=Period.get("2021H1"), value=2.0)])
    assert info.value.item_index == 1
    assert not DataValue.objects.exists()


def test_unknown_item_field_is_refused(world):
    with pytest.raises(TypeError, match="yoy"):
        record_values([{"indicator": world.revenue, "org_unit": world.district, "period": "2021H1", "yoy": 1.0}])
