"""A plan's item frame kept on disk as a columnar file, so that assessing a whole country reads
one file instead of millions of database rows.

Reading 6.8M national values out of the database costs 4–6 s of CPU before the engine starts
(half of it the driver, half building the frame), against a goal of 2 s for the whole
assessment. The values of a plan change in bursts (a collection round, an import) and are then
read many times (assessments, dashboards, reports), so the frame that ``load.load_items``
builds is written once to Parquet under ``PLANWATCH_HOME/cache/<database>/`` with the data
stamp taken just before the read (``planwatch.data.version``). A later load whose stamp is
still current reads the file (under a second). After a change, the rows it touched are re-read
(the org units × periods of the changed figures, the plan's tasks) and the file rewritten, which
costs seconds less than reading the nation again; a change that cannot be told row by row (a
target, a period, a plan reloaded, a restore) makes the load read the database whole. Nothing is ever served from a stale file.

The file holds every period of the plan year and the tasks; a load asks for a subset and gets
it filtered. A period that the file does not have (created since) goes to the database, which
also gives the same errors as ``load_items`` for periods that do not exist.
"""
from __future__ import annotations

import json
import os
import re
import uuid
import warnings
from pathlib import Path

import polars as pl
from django.db import connection

from planwatch.assess import load
from planwatch.assess.batch import ITEM_SCHEMA, period_runs
from planwatch.data import version
from planwatch.periods import Period

FORMAT = 2  # bump when the frame's columns change, so older files are not read


def usable() -> bool:
    """Whether a file may stand for the database: not inside a transaction (a file written there
    could hold rows that are later rolled back, and a second connection would not see the
    transaction's own rows) and not an in-memory database."""
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    return not connection.in_atomic_block and not in_memory


def _paths(plan_code: str) -> tuple[Path, str]:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", plan_code)[:80]
    return version.cache_dir() / "items", safe


def _read(plan_code: str) -> tuple[dict, Path] | None:
    folder, name = _paths(plan_code)
    try:
        meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("format") != FORMAT or meta.get("plan") != plan_code:
        return None
    data = folder / meta.get("file", "")
    return (meta, data) if data.is_file() else None


def _write(plan_code: str, stamp: version.Stamp, periods: list[str], frame: pl.DataFrame) -> pl.DataFrame:
    """Write the frame, then point the plan's index at it: a reader sees the old file or the new
    one, never half of either. Files the index no longer names are removed. A cache that cannot
    be written (a read-only or full disk) is left as it was: the assessment goes on without it."""
    # each period's rows together: the engine then assesses a few periods at a time (less memory)
    if period_runs(frame) is None:
        frame = frame.sort(pl.col("period").to_physical(), maintain_order=True)
    folder, name = _paths(plan_code)
    data_name = f"{name}@{uuid.uuid4().hex[:12]}.parquet"  # '@' is not in a name: plan a's files are not a-b's
    tmp = folder / f".{data_name}.tmp"
    tmp_meta = folder / f".{name}.json.{uuid.uuid4().hex[:8]}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(tmp, compression="lz4", statistics=False)
        os.replace(tmp, folder / data_name)
        meta = {"format": FORMAT, "plan": plan_code, "file": data_name, "stamp": stamp.as_json(),
                "periods": periods, "rows": frame.height}
        tmp_meta.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp_meta, folder / f"{name}.json")
    except OSError as exc:
        for leftover in (tmp, tmp_meta):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass
        warnings.warn(f"planwatch: the assessment cache {folder} could not be written ({exc}); "
                      "assessments read the database", RuntimeWarning, stacklevel=3)
        return frame
    for old in folder.glob(f"{name}@*.parquet"):
        if old.name != data_name:
            old.unlink(missing_ok=True)
    return frame


def _subset(frame: pl.DataFrame, periods: list[str] | None, tasks: bool) -> pl.DataFrame:
    keep = pl.lit(True)
    if periods is not None:
        keep = keep & pl.col("period").is_in(periods)
    if not tasks:
        keep = keep & (pl.col("item_type") == "indicator")
    return frame if periods is None and tasks else frame.filter(keep)


def _frame(data: Path) -> pl.DataFrame | None:
    try:
        frame = pl.read_parquet(data)
    except (OSError, pl.exceptions.PolarsError):
        return None  # damaged, or replaced under us by a newer file: read the database instead
    return frame if frame.schema == pl.Schema(ITEM_SCHEMA) else None


def _patched(info: load.PlanInfo, meta: dict, data: Path, old: version.Stamp) -> pl.DataFrame | None:
    """The file brought up to date with the rows changed since its stamp, and written again; None
    when the changes cannot be told row by row (``version.changes_since``) and the database must
    be read whole.

    Changed figures are re-read for the org units × periods they belong to (``load_unit_items``:
    the same rows a whole load gives for them); changed task progress re-reads the plan's tasks.
    """
    new = version.stamp()  # before reading the changes, like any read the file vouches for
    changes = version.changes_since(old, new)
    if changes is None:
        return None
    frame = _frame(data)
    if frame is None:
        return None
    if changes.value_ids:
        cells = _cells(sorted(changes.value_ids))
        if cells is None or not set(cells["period"]) <= set(meta["periods"]):
            return None
        _, fresh = load.load_unit_items(info.code, sorted(set(cells["period"])), set(cells["org_unit_id"]),
                                        tasks=False)
        c = pl.col
        stale = (c("item_type") == "indicator") & c("org_unit").is_in(sorted(set(cells["org_unit"])))
        frame = _replace(frame, sorted(set(cells["period"])), stale, fresh)
    if changes.tasks:
        periods = load._periods(None, info.year)
        tasks = load.task_items(info, periods, load._org_tree(info.org_unit_id))
        frame = _replace(frame, meta["periods"], pl.col("item_type") == "task", tasks)
    return _write(info.code, new, meta["periods"], frame)


def _replace(frame: pl.DataFrame, periods: list[str], stale: pl.Expr, fresh: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its ``stale`` rows of ``periods`` replaced by ``fresh``, period by period, so
    that each period's rows stay together and untouched periods are not copied."""
    runs = period_runs(frame)
    if runs is None:  # not grouped by period: replace in one go
        keep = frame.filter(~(stale & pl.col("period").is_in(periods)))
        return pl.concat([keep, fresh], how="vertical", rechunk=False)
    parts, start, seen = [], 0, []
    for length in runs:
        part = frame.slice(start, length)
        start += length
        code = part["period"][0]
        seen.append(code)
        if code in periods:
            part = pl.concat([part.filter(~stale), fresh.filter(pl.col("period") == code)], how="vertical")
        parts.append(part)
    parts.append(fresh.filter(~pl.col("period").is_in(seen)))  # periods the file had no rows of
    return pl.concat(parts, how="vertical", rechunk=False)


def _cells(value_ids: list[int]) -> dict | None:
    """Org unit id and code and period code of each changed figure; None if one is gone (deleted:
    its cell cannot be told, so the caller reads everything)."""
    found = []
    with connection.cursor() as cur:
        for i in range(0, len(value_ids), 5000):
            part = value_ids[i:i + 5000]
            cur.execute("SELECT v.id, v.org_unit_id, o.code, p.code FROM data_datavalue v "
                        "JOIN plans_orgunit o ON o.id = v.org_unit_id JOIN data_period p ON p.id = v.period_id "
                        f"WHERE v.id IN ({','.join(['%s'] * len(part))})", part)
            found.extend(cur.fetchall())
    if len(found) != len(value_ids):
        return None
    return {"org_unit_id": [r[1] for r in found], "org_unit": [r[2] for r in found], "period": [r[3] for r in found]}


def load_items(plan_code: str, periods: list[str] | None = None, tasks: bool = True
               ) -> tuple[load.PlanInfo, pl.DataFrame, str]:
    """``load.load_items`` through the snapshot. The third value says where the frame came from:
    "snapshot" (the file was current), "patched" (the rows changed since were re-read and the file
    rewritten), "database" (read whole, the file rewritten) or "direct" (no file may be used here:
    inside a transaction, an in-memory database)."""
    if not usable():
        info, frame = load.load_items(plan_code, periods, tasks)
        return info, frame, "direct"
    info = load.plan_info(plan_code)
    wanted = None if periods is None else [Period.parse(p).code for p in periods]
    held = _read(plan_code)
    if held is not None:
        meta, data = held
        old = version.Stamp.from_json(meta["stamp"])
        if wanted is None or set(wanted) <= set(meta["periods"]):
            if version.is_current(old):
                frame = _frame(data)
                if frame is not None:
                    return info, _subset(frame, wanted, tasks), "snapshot"
            else:
                frame = _patched(info, meta, data, old)
                if frame is not None:
                    return info, _subset(frame, wanted, tasks), "patched"
    stamp = version.stamp()  # before the read: a change committed during it makes the file stale
    info, frame = load.load_items(plan_code, None, tasks=True)
    stored = sorted(set(frame["period"].cast(pl.String).unique().to_list()))
    # periods without a single item are not in the frame; a request for one goes to the database
    _write(plan_code, stamp, stored, frame)
    if wanted is not None and not set(wanted) <= set(stored):
        info, sub = load.load_items(plan_code, periods, tasks)
        return info, sub, "database"
    return info, _subset(frame, wanted, tasks), "database"
