"""Has the data changed since a moment? The question every whole-plan cache must ask before it
serves anything (the columnar snapshot of a plan's items, the dashboard's assessed frames).

Every change made through the actions writes an audit row, and bulk loads add rows, so the
highest ids of those tables move with every committed change. One case escapes that on
PostgreSQL: ids are handed out when a row is inserted, not when its transaction commits, so a
transaction that was still open when the stamp was taken can commit later with ids below the
stamp's. A stamp therefore also keeps the transactions that were in flight when it was taken;
once any of them has committed, the stamp is stale (it may have changed nothing: a cache then
rebuilds once more than it had to, never serves old figures). SQLite has one writer at a time,
whose ids are taken in commit order, so the ids alone tell.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from planwatch.home import home

# the tables whose rows the assessment reads, and the audit trail that every action writes
_IDS = ("SELECT (SELECT MAX(id) FROM data_auditentry), (SELECT MAX(id) FROM data_datavalue), "
        "(SELECT MAX(id) FROM data_taskprogress), (SELECT MAX(id) FROM plans_target), "
        "(SELECT MAX(id) FROM data_period)")
# Who was writing, on PostgreSQL, read by the same statement as the ids: the snapshot's
# in-progress list (less other databases' sessions) and this database's sessions holding a
# transaction id (one that began writing after the last commit is above the snapshot's xmax and
# not in its list), this session's own excepted. Nothing here assigns a transaction id, so a
# plain read stays a plain read. (The sessions are read once, from the function under
# pg_stat_activity, which costs far less than the view.)
_WRITING_WITH = """WITH s AS MATERIALIZED (SELECT datid, pid, backend_xid FROM pg_stat_get_activity(NULL)
                                WHERE backend_xid IS NOT NULL),
     d AS (SELECT oid FROM pg_database WHERE datname = current_database()),
     e AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS top,
                  (pg_snapshot_xmax(pg_current_snapshot())::text::bigint / 4294967296) * 4294967296 AS base) """
_WRITING = """, (SELECT array_agg(DISTINCT w) FROM (
    SELECT x::text::bigint AS w FROM pg_snapshot_xip(pg_current_snapshot()) AS x
     WHERE (x::text::bigint % 4294967296) NOT IN (SELECT backend_xid::text::bigint FROM s WHERE datid <> d.oid)
    UNION ALL
    SELECT CASE WHEN e.base + s.backend_xid::text::bigint > e.top + 2147483648
                THEN e.base + s.backend_xid::text::bigint - 4294967296
                ELSE e.base + s.backend_xid::text::bigint END
      FROM s, e WHERE s.datid = d.oid AND s.pid <> pg_backend_pid()) AS ws) FROM d"""


@dataclass(frozen=True)
class Stamp:
    ids: tuple
    in_flight: frozenset[int] = field(default=frozenset())

    def as_json(self) -> dict:
        return {"ids": list(self.ids), "in_flight": sorted(self.in_flight)}

    @classmethod
    def from_json(cls, data: dict) -> "Stamp":
        return cls(tuple(data["ids"]), frozenset(int(x) for x in data.get("in_flight", ())))


def stamp() -> Stamp:
    """The state of the data now. Take it *before* reading what it is to vouch for."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            if connection.in_atomic_block:  # the sessions' list is read once per transaction: afresh
                cur.execute("SELECT pg_stat_clear_snapshot()")
            cur.execute(_WRITING_WITH + _IDS + _WRITING)
            *ids, writing = cur.fetchone()
            return Stamp(tuple(ids), frozenset(int(x) for x in writing or ()))
        cur.execute(_IDS)
        return Stamp(tuple(cur.fetchone()))


def is_current(old: Stamp) -> bool:
    """True when nothing has been committed since ``old`` was taken."""
    return stamp().ids == old.ids and not _any_committed(old.in_flight)


def _any_committed(transactions: frozenset[int]) -> bool:
    return bool(transactions) and transaction_status(transactions)[0]


def transaction_status(transactions: frozenset[int]) -> tuple[bool, frozenset[int]]:
    """(has any of these transactions committed, those still running). One too old for the
    database to know counts as committed: the caller then reads afresh."""
    if not transactions or connection.vendor != "postgresql":
        return False, frozenset()
    with connection.cursor() as cur:
        cur.execute("SELECT x, pg_xact_status(x::xid8) FROM unnest(%s::text[]) AS x", [[str(x) for x in transactions]])
        rows = cur.fetchall()
    return any(status in ("committed", None) for _, status in rows), \
        frozenset(int(x) for x, status in rows if status == "in progress")


def cache_dir() -> Path:
    """Where whole-plan caches keep their files: under PLANWATCH_HOME, one folder per database."""
    import hashlib

    db = connection.settings_dict
    who = "|".join(str(db.get(k) or "") for k in ("ENGINE", "NAME", "HOST", "PORT"))
    return home() / "cache" / hashlib.sha1(who.encode()).hexdigest()[:16]


def forget_caches() -> None:
    """Drop every cached file of this database (after a restore replaced it wholesale)."""
    shutil.rmtree(cache_dir(), ignore_errors=True)


# Audited models whose changes leave a plan's items as they were (the rest, plans.* above all,
# make a cache start again from the database).
ITEMS_UNTOUCHED_BY = frozenset({
    "data.periodlock", "data.reportingdeadline", "data.document", "data.fact", "reports.narrative",
    "auth.user", "accounts.membership", "api.token",
})


@dataclass(frozen=True)
class Changes:
    """What was committed between two stamps, row by row: the figures written and whether any
    task progress was."""

    value_ids: frozenset[int]
    tasks: bool


def changes_since(old: Stamp, new: Stamp, limit: int = 50_000) -> Changes | None:
    """The changes from ``old`` to ``new`` (taken in that order), or None when they cannot be told
    row by row: ids went back (a restore), targets or periods changed, a transaction in flight at
    ``old`` has committed since (its rows may hide below the stamp), an audited change of a plan
    or of anything unknown, a figure that is gone, or more than ``limit`` rows."""
    audit0, value0, progress0, target0, period0 = old.ids
    audit1, value1, progress1, target1, period1 = new.ids
    if (target0, period0) != (target1, period1):
        return None
    pairs = [(audit0, audit1), (value0, value1), (progress0, progress1)]
    if any(a is not None and (b is None or b < a) for a, b in pairs):
        return None
    if _any_committed(old.in_flight):
        return None
    value_ids: set[int] = set()
    tasks = (progress0 or 0) != (progress1 or 0)
    with connection.cursor() as cur:
        cur.execute("SELECT model, object_id FROM data_auditentry WHERE id > %s AND id <= %s",
                    [audit0 or 0, audit1 or 0])
        rows = cur.fetchall()
        if len(rows) > limit:
            return None
        for model, object_id in rows:
            if model == "data.datavalue":
                if not object_id.isdigit():
                    return None
                value_ids.add(int(object_id))
            elif model == "data.taskprogress":
                tasks = True
            elif model not in ITEMS_UNTOUCHED_BY:
                return None
        if (value1 or 0) - (value0 or 0) > limit:
            return None
        cur.execute("SELECT id FROM data_datavalue WHERE id > %s AND id <= %s", [value0 or 0, value1 or 0])
        value_ids.update(r[0] for r in cur.fetchall())  # figures written without an audit row (bulk loads)
    if len(value_ids) > limit:
        return None
    return Changes(frozenset(value_ids), tasks)
