"""The plan's item frame on disk: read when current, never when anything has changed since."""
from __future__ import annotations

import os

import polars as pl
import pytest
from django.db import connection, transaction

from planwatch.assess import load, snapshot
from planwatch.assess.load import LoadError
from planwatch.data import version
from planwatch.data.actions import record_value
from planwatch.data.models import Period
from planwatch.plans.models import Indicator, OrgUnit

pytestmark = pytest.mark.django_db(transaction=True)
PLAN = "dongcheng-2021"
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.fixture
def plan(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANWATCH_HOME", str(tmp_path))
    if connection.vendor == "sqlite":
        # pytest's SQLite database lives in memory, where no second connection could read; the
        # snapshot's own logic is the same for a file, so let it run (PostgreSQL needs no help)
        monkeypatch.setattr(snapshot, "usable", lambda: not connection.in_atomic_block)
    from planwatch.plans import demo
    from planwatch.plans.planfile import load_plan_file

    load_plan_file(demo.plan_file())
    demo.load_demo_values()
    return PLAN


def ordered(frame: pl.DataFrame) -> pl.DataFrame:
    keys = ["item_type", "code", "org_unit", "period"]
    return frame.with_columns(pl.col(keys).cast(pl.String)).sort(keys)


def test_second_load_reads_the_file_and_it_equals_the_database(plan):
    _, first, how = snapshot.load_items(plan)
    assert how == "database"
    _, second, how = snapshot.load_items(plan)
    assert how == "snapshot"
    _, direct = load.load_items(plan)
    assert second.schema == direct.schema
    assert ordered(second).equals(ordered(direct)) and ordered(first).equals(ordered(direct))


def test_a_recorded_value_is_patched_into_the_file(plan):
    snapshot.load_items(plan)
    assert snapshot.load_items(plan)[2] == "snapshot"
    record_value(Indicator.objects.get(code="revenue"), OrgUnit.objects.get(code="110101"), Period.get("2021H1"),
                 value=123.4, reason="test")
    _, frame, how = snapshot.load_items(plan, ["2021H1"])
    assert how == "patched"
    row = frame.filter((pl.col("code") == "revenue") & (pl.col("org_unit") == "110101"))
    assert row["value"].to_list() == [123.4]
    _, whole, how = snapshot.load_items(plan)
    assert how == "snapshot"
    assert ordered(whole).equals(ordered(load.load_items(plan)[1]))


def test_a_figure_of_a_new_cell_and_task_progress_are_patched_in(plan):
    from planwatch.data.actions import record_task_progress
    from planwatch.plans.models import Task

    snapshot.load_items(plan)
    street = OrgUnit.objects.filter(level="subdistrict").order_by("code").last()
    record_value(Indicator.objects.get(code="retail"), street, Period.get("2021H1"), value=7.5, reason="test")
    task = Task.objects.filter(plan__code=plan).order_by("code").first()
    record_task_progress(task, Period.get("2021H1"), quantity_done=1.0, reason="test")
    _, frame, how = snapshot.load_items(plan)
    assert how == "patched"
    assert ordered(frame).equals(ordered(load.load_items(plan)[1]))


def test_a_changed_target_makes_the_whole_plan_be_read_again(plan):
    from planwatch.data.actions import set_target
    from planwatch.plans.models import Target

    snapshot.load_items(plan)
    target = Target.objects.filter(plan__code=plan, value__isnull=False).order_by("id").first()
    set_target(target.plan, target.indicator, target.org_unit, value=target.value + 1, reason="test")
    _, frame, how = snapshot.load_items(plan)
    assert how == "database"
    assert ordered(frame).equals(ordered(load.load_items(plan)[1]))


def test_subsets_equal_loads_of_the_subset(plan):
    snapshot.load_items(plan)
    _, part, how = snapshot.load_items(plan, ["2021H1"], tasks=False)
    assert how == "snapshot"
    _, direct = load.load_items(plan, ["2021H1"], tasks=False)
    assert part.height == direct.height > 0 and ordered(part).equals(ordered(direct))


def test_a_period_the_file_lacks_gives_the_database_error(plan):
    snapshot.load_items(plan)
    with pytest.raises(LoadError, match="2021-11"):
        snapshot.load_items(plan, ["2021-11"])
    with pytest.raises(LoadError, match="nope"):
        snapshot.load_items("nope")


def test_a_damaged_file_is_read_again_from_the_database(plan):
    snapshot.load_items(plan)
    meta, data = snapshot._read(plan)
    data.write_bytes(b"not parquet at all")
    _, frame, how = snapshot.load_items(plan)
    assert how == "database" and frame.height > 0
    assert snapshot.load_items(plan)[2] == "snapshot"
    assert len(list(data.parent.glob("*.parquet"))) == 1  # the damaged file was replaced, not kept


def test_inside_a_transaction_the_database_is_read_directly(plan):
    with transaction.atomic():
        assert snapshot.load_items(plan)[2] == "direct"


def test_the_stamp_moves_with_every_committed_change(plan):
    before = version.stamp()
    assert version.is_current(before)
    record_value(Indicator.objects.get(code="revenue"), OrgUnit.objects.get(code="110101"), Period.get("2021Q3"),
                 value=150.0, reason="test")
    assert not version.is_current(before)


@pytest.mark.skipif(not ON_POSTGRES, reason="only PostgreSQL hands out ids before commit to concurrent writers")
def test_a_transaction_open_at_the_stamp_that_commits_later_makes_it_stale(plan):
    import psycopg

    db = connection.settings_dict
    other = psycopg.connect(host=db["HOST"] or "localhost", port=db["PORT"] or 5432, user=db["USER"],
                            dbname=db["NAME"], password=db.get("PASSWORD") or None)
    try:
        cur = other.cursor()
        cur.execute("SELECT pg_current_xact_id()")  # a writer that has begun and not committed
        stamp = version.stamp()
        assert version.is_current(stamp)  # nothing of it is visible yet
        other.commit()
        assert not version.is_current(stamp)
    finally:
        other.close()


def test_plans_whose_codes_share_a_prefix_keep_their_own_files(plan):
    snapshot._write("a", version.stamp(), [], load.load_items(plan)[1])
    snapshot._write("a-b", version.stamp(), [], load.load_items(plan)[1])
    snapshot._write("a", version.stamp(), [], load.load_items(plan)[1])
    assert snapshot._read("a") is not None and snapshot._read("a-b") is not None


def test_a_cache_that_cannot_be_written_leaves_the_assessment_working(plan, tmp_path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setattr(version, "cache_dir", lambda: blocked)
    with pytest.warns(RuntimeWarning, match="could not be written"):
        _, frame, how = snapshot.load_items(plan)
    assert how == "database" and frame.height > 0
