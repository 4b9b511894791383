"""Imports and ingestion write everything or nothing: a failure half way leaves no trace.

The failure is injected into the write path itself (the Nth call of record_value raises; for
imports, which write through the bulk record_values, the failure comes right after it has
inserted every row and audit entry), so these tests fail if any path commits before the end.
"""
from __future__ import annotations

import csv
import io

import pytest

from planwatch.data import actions
from planwatch.data.models import AuditEntry, DataValue, Document, Fact, TaskProgress


class Boom(RuntimeError):
    pass


def fail_on_call(n, real):
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise Boom(f"injected failure on call {n}")
        return real(*args, **kwargs)

    wrapper.calls = calls
    return wrapper


@pytest.fixture
def demo_plan(db):
    from planwatch.plans import demo
    from planwatch.plans.planfile import load_plan_file

    return load_plan_file(demo.plan_file()).plan


def snapshot_counts():
    return {m.__name__: m.objects.count() for m in (DataValue, TaskProgress, Document, Fact, AuditEntry)}


def test_ingestion_with_a_failure_half_way_writes_nothing(demo_plan, monkeypatch):
    from planwatch.plans import demo

    before = snapshot_counts()
    wrapper = fail_on_call(5, actions.record_value)
    monkeypatch.setattr(actions, "record_value", wrapper)
    with pytest.raises(Boom):
        demo.load_demo_values()
    assert wrapper.calls["n"] == 5  # four values were written inside the transaction before the failure
    assert snapshot_counts() == before
    monkeypatch.undo()
    assert demo.load_demo_values() > 5  # the same load succeeds once nothing fails


def test_import_with_a_failure_half_way_writes_nothing(demo_plan, monkeypatch):
    from planwatch.io import apply
    from planwatch.io.importer import import_workbook
    from planwatch.plans.models import OrgUnit, PlanIndicator

    district = demo_plan.org_unit
    streets = list(OrgUnit.objects.filter(parent=district).order_by("code")[:8])
    indicator = PlanIndicator.objects.filter(plan=demo_plan).select_related("indicator").first().indicator
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["plan", "period", "data_element", "org_unit", "value"])
    for i, street in enumerate(streets):
        writer.writerow([demo_plan.code, "2021H1", indicator.code, street.code, 10 + i])
    data = buf.getvalue().encode("utf-8")
    before = snapshot_counts()
    real, written = apply.record_values, {}

    def write_then_fail(items, **kwargs):
        rows = real(items, **kwargs)
        written.update(snapshot_counts())
        raise Boom(f"injected failure after writing {len(rows)} values")

    monkeypatch.setattr(apply, "record_values", write_then_fail)
    with pytest.raises(Exception) as info:
        import_workbook(io.BytesIO(data), name="values.csv")
    assert "injected failure" in str(info.value) or isinstance(info.value, Boom), info.value
    # every value and its audit entry were in the database inside the transaction before the failure
    assert written["DataValue"] == before["DataValue"] + len(streets)
    assert written["AuditEntry"] == before["AuditEntry"] + len(streets)
    assert snapshot_counts() == before
    monkeypatch.undo()
    report = import_workbook(io.BytesIO(data), name="values.csv")
    assert report.created == len(streets)
    assert DataValue.objects.filter(indicator=indicator, org_unit__in=streets).count() == len(streets)
