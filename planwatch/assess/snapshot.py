"""A plan's item frame kept on disk as a columnar file, so that assessing a whole country reads
one file instead of millions of database rows.

Reading 6.8M national values out of the database costs 4–6 s of CPU before the engine starts
(half of it the driver, half building the frame), against a goal of 2 s for the whole
assessment. The values of a plan change in bursts (a collection round, an import) and are then
read many times (assessments, dashboards, reports), so the frame that ``load.load_items``
builds is written once to Parquet under ``PLANWATCH_HOME/cache/<database>/`` with the data
stamp taken just before the read (``planwatch.data.version``). A later load whose stamp is
still current reads the file (under a second); any committed change since makes the next load
read the database again and replace the file. Nothing is ever served from a stale file.

The file holds every period of the plan year and the tasks; a load asks for a subset and gets
it filtered. A period that the file does not have (created since) goes to the database, which
also gives the same errors as ``load_items`` for periods that do not exist.
"""
from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import polars as pl
from django.db import connection

from planwatch.assess import load
from planwatch.assess.batch import ITEM_SCHEMA
from planwatch.data import version
from planwatch.periods import Period

FORMAT = 1  # bump when the frame's columns change, so older files are not read


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


def _write(plan_code: str, stamp: version.Stamp, periods: list[str], frame: pl.DataFrame) -> None:
    """Write the frame, then point the plan's index at it: a reader sees the old file or the new
    one, never half of either. Files the index no longer names are removed."""
    folder, name = _paths(plan_code)
    folder.mkdir(parents=True, exist_ok=True)
    data_name = f"{name}-{uuid.uuid4().hex[:12]}.parquet"
    tmp = folder / f".{data_name}.tmp"
    # each period's rows together: the engine then assesses a few periods at a time (less memory)
    frame.sort(pl.col("period").to_physical(), maintain_order=True).write_parquet(tmp, compression="lz4",
                                                                                  statistics=False)
    os.replace(tmp, folder / data_name)
    meta = {"format": FORMAT, "plan": plan_code, "file": data_name, "stamp": stamp.as_json(), "periods": periods,
            "rows": frame.height}
    tmp_meta = folder / f".{name}.json.{uuid.uuid4().hex[:8]}.tmp"
    tmp_meta.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp_meta, folder / f"{name}.json")
    for old in folder.glob(f"{name}-*.parquet"):
        if old.name != data_name:
            old.unlink(missing_ok=True)


def _subset(frame: pl.DataFrame, periods: list[str] | None, tasks: bool) -> pl.DataFrame:
    keep = pl.lit(True)
    if periods is not None:
        keep = keep & pl.col("period").is_in(periods)
    if not tasks:
        keep = keep & (pl.col("item_type") == "indicator")
    return frame if periods is None and tasks else frame.filter(keep)


def load_items(plan_code: str, periods: list[str] | None = None, tasks: bool = True
               ) -> tuple[load.PlanInfo, pl.DataFrame, str]:
    """``load.load_items`` through the snapshot. The third value says where the frame came from:
    "snapshot" (the file was current), "database" (read and the file rewritten) or "direct"
    (no file may be used here: inside a transaction, an in-memory database)."""
    if not usable():
        info, frame = load.load_items(plan_code, periods, tasks)
        return info, frame, "direct"
    info = load.plan_info(plan_code)
    wanted = None if periods is None else [Period.parse(p).code for p in periods]
    held = _read(plan_code)
    if held is not None:
        meta, data = held
        have = set(meta["periods"])
        if (wanted is None or set(wanted) <= have) and version.is_current(version.Stamp.from_json(meta["stamp"])):
            try:
                frame = pl.read_parquet(data)
            except (OSError, pl.exceptions.PolarsError):
                frame = None  # replaced under us by a newer file: read the database instead
            if frame is not None and frame.schema == pl.Schema(ITEM_SCHEMA):
                return info, _subset(frame, wanted, tasks), "snapshot"
    stamp = version.stamp()  # before the read: a change committed during it makes the file stale
    info, frame = load.load_items(plan_code, None, tasks=True)
    stored = sorted(set(frame["period"].cast(pl.String).unique().to_list()))
    # periods without a single item are not in the frame; a request for one goes to the database
    _write(plan_code, stamp, stored, frame)
    if wanted is not None and not set(wanted) <= set(stored):
        info, sub = load.load_items(plan_code, periods, tasks)
        return info, sub, "database"
    return info, _subset(frame, wanted, tasks), "database"
