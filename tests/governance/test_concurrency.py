"""No lost updates: two clients editing one value at the same time on PostgreSQL.

Both clients read version 1 and send an edit based on it.  The write path locks the row
(SELECT ... FOR UPDATE) before comparing versions, so the second writer waits for the first to
commit, then sees version 2 and is refused with StaleVersion (HTTP 409 in the API) instead of
silently overwriting.  SQLite serialises writers on the whole database, so this test only means
something on PostgreSQL; CI runs the suite there too.
"""
from __future__ import annotations

import os
import threading
import time

import pytest
from django.db import connection, transaction

from planwatch.data.actions import StaleVersion, record_value
from planwatch.data.models import AuditEntry, DataValue, Period
from planwatch.plans.models import Indicator, OrgUnit

pytestmark = [
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                       reason="DATABASE_URL is not PostgreSQL: row locks and concurrent writers need a server database"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def cell():
    ind = Indicator.objects.create(code="revenue", name="一般公共预算收入", unit="亿元")
    org = OrgUnit.objects.create(code="T1", name="测试区", level="district")
    period = Period.get("2021H1")
    record_value(ind, org, period, value=100.0)
    return ind, org, period


def _client(results, name, cell, value, *, before=None, hold: float = 0.0, after_lock=None):
    ind, org, period = cell
    try:
        if before:
            before.wait()
        with transaction.atomic():
            row = record_value(ind, org, period, value=value, expected_version=1, reason=name)
            if after_lock:
                after_lock.set()
            time.sleep(hold)  # keep the row locked while the other client tries
        results[name] = ("ok", row.version)
    except StaleVersion as exc:
        results[name] = ("conflict", exc.current.version, exc.current.value)
    except Exception as exc:  # pragma: no cover - reported by the assertion below
        results[name] = ("error", repr(exc))
    finally:
        connection.close()


def test_second_writer_waits_then_gets_a_conflict(cell):
    results = {}
    a_has_lock = threading.Event()
    a = threading.Thread(target=_client, args=(results, "a", cell, 111.0), kwargs={"hold": 0.5, "after_lock": a_has_lock})
    a.start()
    assert a_has_lock.wait(30)
    b = threading.Thread(target=_client, args=(results, "b", cell, 222.0))
    b.start()
    a.join(60)
    b.join(60)
    assert results["a"] == ("ok", 2)
    assert results["b"] == ("conflict", 2, 111.0)  # the conflict shows the newer value
    row = DataValue.objects.get()
    assert (row.value, row.version) == (111.0, 2)
    assert AuditEntry.objects.filter(action="value.update").count() == 1


def test_simultaneous_writers_exactly_one_wins(cell):
    for round_ in range(3):
        DataValue.objects.all().delete()
        record_value(*cell, value=100.0)
        results = {}
        start = threading.Barrier(2)
        threads = [threading.Thread(target=_client, args=(results, name, cell, value), kwargs={"before": start})
                   for name, value in (("a", 1.0 + round_), ("b", 2.0 + round_))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        outcomes = sorted(r[0] for r in results.values())
        assert outcomes == ["conflict", "ok"], results
        winner = next(n for n, r in results.items() if r[0] == "ok")
        row = DataValue.objects.get()
        assert row.version == 2 and row.value == {"a": 1.0 + round_, "b": 2.0 + round_}[winner]
