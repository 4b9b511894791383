"""Reading a plan's targets, values, tasks and task progress into an item frame for the engines.

One SQL query per table, never one per item: at national scale a plan has hundreds of thousands
of targets and millions of values, and the join is done in Polars where it costs milliseconds.
Items are every target of the plan (a target without a value is assessed as missing, which is
the point for binding indicators) plus every current value of a plan indicator in the plan's
org-unit tree that has no target (街道 figures that add up to the district, peers' growth).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl
from django.db import connection

from planwatch.assess.batch import ITEM_SCHEMA
from planwatch.assess.model import Thresholds
from planwatch.periods import Period

NOT_CURRENT = ("proposed", "rejected", "accepted")
USE_ADBC = True  # bench/assess.py turns it off to measure the plain DB-API path
SCAN_PERIODS = 3  # above this many periods, SQLite reads the values table front to back


class LoadError(LookupError):
    """A plan or period that is not in the database."""


@dataclass(frozen=True)
class PlanInfo:
    id: int
    code: str
    name: str
    year: int
    org_unit_id: int
    thresholds: Thresholds


def _query(sql: str, params: list, schema: dict) -> pl.DataFrame:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def _adbc_connection():
    """An Arrow-native connection to the same PostgreSQL database, when the ADBC driver is
    installed (SQLite's driver runs in a child process instead: ``_sqlite_arrow``).

    Millions of values fetched through the DB-API become millions of Python tuples; the ADBC
    drivers hand Polars Arrow columns instead, which is what makes a national load take
    seconds rather than tens of seconds.
    """
    settings = connection.settings_dict
    try:
        if connection.vendor == "postgresql":
            import adbc_driver_postgresql.dbapi as adbc
            from urllib.parse import quote

            auth = quote(settings["USER"] or "")
            if settings.get("PASSWORD"):
                auth += ":" + quote(settings["PASSWORD"])
            host = settings.get("HOST") or "localhost"
            port = settings.get("PORT") or 5432
            return adbc.connect(f"postgresql://{auth}@{host}:{port}/{settings['NAME']}")
    except ImportError:
        return None
    return None


def _literal(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"bulk query parameters are ints or fixed words, not {value!r}")
    if isinstance(value, str):
        if not value.isidentifier():
            raise ValueError(f"bulk query word {value!r} is not a plain word")
        return f"'{value}'"
    return str(int(value))


def _bulk_query(sql: str, params: list, schema: dict) -> pl.DataFrame:
    """A large read: through ADBC when it can be had (parameters are our own ids), else DB-API."""
    # A second connection cannot see what this one has not committed (a test's transaction, a
    # command's atomic block) nor an in-memory database: read through Django then.
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if USE_ADBC and not connection.in_atomic_block and not in_memory:
        text = sql.replace("%s", "{}").format(*(_literal(p) for p in params))
        if connection.vendor == "sqlite":
            frame = _sqlite_arrow(str(connection.settings_dict["NAME"]), text)
            if frame is not None:
                return frame.rename(dict(zip(frame.columns, schema))).cast(schema)
        conn = _adbc_connection()
        if conn is not None:
            try:
                cur = conn.cursor()
                cur.execute(text)
                frame = pl.DataFrame(cur.fetch_arrow())
                cur.close()
                return frame.rename(dict(zip(frame.columns, schema))).cast(schema)
            finally:
                conn.close()
    return _query(sql, params, schema)


# The ADBC SQLite driver carries its own copy of SQLite. Two copies in one process break SQLite's
# file locking (closing one copy's file releases the other's POSIX locks; see "multiple copies of
# SQLite in the same process" in SQLite's docs): after an ADBC read, this process's later commits
# were not seen by other processes. So the Arrow read runs in a child process of its own and
# hands the columns back as an Arrow IPC file.
_SQLITE_CHILD = """
import sys
import polars as pl
import adbc_driver_sqlite.dbapi as adbc
path, out = sys.argv[1], sys.argv[2]
conn = adbc.connect(path)
try:
    cur = conn.cursor()
    # SQLite columns have no fixed type: the driver infers it from the first batch, so a column
    # that starts with NULLs would be typed wrong. One batch sees all.
    cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": "1000000000"})
    cur.execute(sys.stdin.read())
    pl.DataFrame(cur.fetch_arrow()).write_ipc(out, compression="uncompressed")
finally:
    conn.close()
"""


def _sqlite_arrow(path: str, sql: str) -> pl.DataFrame | None:
    """The rows of ``sql`` read by the ADBC driver in a child process (None when the driver is
    missing or the child fails: the caller reads through Django instead)."""
    import importlib.util
    import subprocess
    import sys
    import tempfile

    if importlib.util.find_spec("adbc_driver_sqlite") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="planwatch-read-") as tmp:
        out = f"{tmp}/rows.arrow"
        done = subprocess.run([sys.executable, "-c", _SQLITE_CHILD, path, out], input=sql, text=True,
                              capture_output=True)
        if done.returncode != 0:
            return None
        return pl.read_ipc(out)


def plan_info(plan_code: str) -> PlanInfo:
    with connection.cursor() as cur:
        cur.execute("SELECT id, code, name, year, org_unit_id, thresholds FROM plans_plan WHERE code = %s", [plan_code])
        row = cur.fetchone()
    if row is None:
        raise LoadError(f"no plan with code {plan_code!r}")
    raw = row[5]
    raw = json.loads(raw) if isinstance(raw, str) else raw
    return PlanInfo(row[0], row[1], row[2], row[3], row[4], Thresholds.from_plan(raw))


def _periods(codes: list[str] | None, year: int) -> pl.DataFrame:
    """The stored periods asked for (all of the plan year when ``codes`` is None)."""
    schema = {"period_id": pl.Int64, "period": pl.String}
    if codes is None:
        return _query("SELECT id, code FROM data_period WHERE year = %s", [year], schema)
    wanted = [Period.parse(c).code for c in codes]
    marks = ",".join(["%s"] * len(wanted))
    found = _query(f"SELECT id, code FROM data_period WHERE code IN ({marks})", wanted, schema)
    missing = sorted(set(wanted) - set(found["period"]))
    if missing:
        raise LoadError(f"no data for period(s) {missing} (no such period in the database)")
    return found


def _org_tree(root_id: int) -> pl.DataFrame:
    """The plan's org unit and everything under it, with each unit's parent code (its peer group)."""
    units = _query("SELECT o.id, o.code, o.name, o.parent_id, p.code FROM plans_orgunit o "
                   "LEFT JOIN plans_orgunit p ON p.id = o.parent_id", [],
                   {"org_unit_id": pl.Int64, "org_unit": pl.String, "org_unit_name": pl.String,
                    "parent_id": pl.Int64, "peer_group": pl.String})
    inside = {root_id}
    frontier = {root_id}
    parents = units.select("org_unit_id", "parent_id").filter(pl.col("parent_id").is_not_null())
    while frontier:
        children = set(parents.filter(pl.col("parent_id").is_in(list(frontier)))["org_unit_id"].to_list()) - inside
        inside |= children
        frontier = children
    return units.filter(pl.col("org_unit_id").is_in(list(inside))).drop("parent_id")


def _categorical(dimension: pl.DataFrame) -> dict:
    return {name: ITEM_SCHEMA[name] for name, dtype in dimension.schema.items() if dtype == pl.String}


def indicator_items(plan: PlanInfo, periods: pl.DataFrame, org_units: pl.DataFrame,
                    only_units: list[int] | None = None) -> pl.DataFrame:
    """``only_units``: read the targets and values of these org units only (see ``load_unit_items``)."""
    indicators = _query(
        "SELECT i.id, i.code, i.name, i.unit, i.kind, i.direction, i.binding, i.aggregation, i.decimals, pi.rule "
        "FROM plans_planindicator pi JOIN plans_indicator i ON i.id = pi.indicator_id WHERE pi.plan_id = %s",
        [plan.id],
        {"indicator_id": pl.Int64, "code": pl.String, "name": pl.String, "unit": pl.String, "kind": pl.String,
         "direction": pl.String, "binding": pl.Boolean, "aggregation": pl.String, "ind_decimals": pl.Int32,
         "rule": pl.String},
    )
    unit_sql, unit_params = _only_units("org_unit_id", only_units)
    # a few units' rows come faster through Django's open connection than through a new ADBC one
    read = _bulk_query if only_units is None else _query
    targets = read(
        f"SELECT indicator_id, org_unit_id, value, growth_pct FROM plans_target WHERE plan_id = %s{unit_sql}",
        [plan.id, *unit_params],
        {"indicator_id": pl.Int64, "org_unit_id": pl.Int64, "target": pl.Float64, "target_growth": pl.Float64},
    )
    period_marks = ",".join(["%s"] * len(periods))
    value_units = _only_units("v.org_unit_id", only_units)[0]
    # Reading most of the table (a year of months), SQLite is faster walking the table once than
    # looking each row up through the period index (7 s against 10.5 s for 6.7M national rows);
    # for a period or two the index wins. PostgreSQL's planner makes that choice itself.
    whole = " NOT INDEXED" if connection.vendor == "sqlite" and len(periods) > SCAN_PERIODS else ""
    values = read(
        "SELECT v.indicator_id, v.org_unit_id, v.period_id, v.value, v.decimals, v.yoy_pct, v.progress_pct "
        f"FROM data_datavalue v{whole} "
        "WHERE v.indicator_id IN (SELECT indicator_id FROM plans_planindicator WHERE plan_id = %s) "
        f"AND v.period_id IN ({period_marks}) AND v.status NOT IN (%s, %s, %s){value_units}",
        [plan.id, *periods["period_id"].to_list(), *NOT_CURRENT, *unit_params],
        {"indicator_id": pl.Int64, "org_unit_id": pl.Int64, "period_id": pl.Int64, "value": pl.Float64,
         "value_decimals": pl.Int32, "yoy_pct": pl.Float64, "reported_progress": pl.Float64},
    )
    # one Int64 key instead of three columns: hashing one number is what makes this join cheap
    def packed(f: pl.DataFrame) -> pl.DataFrame:
        key = (pl.col("indicator_id") * (1 << 22) + pl.col("org_unit_id")) * (1 << 16) + pl.col("period_id")
        return f.with_columns(_key=key)

    if org_units["org_unit_id"].max() >= (1 << 22) or periods["period_id"].max() >= (1 << 16):
        raise LoadError("org unit or period ids too large for the packed join key")
    # the words go in as categoricals: each join then gathers 4-byte codes, not 6.8M strings
    indicators = indicators.with_columns(pl.col("rule").fill_null("")).cast(_categorical(indicators))
    org_units = org_units.cast(_categorical(org_units))
    periods = periods.cast(_categorical(periods))
    wanted = packed(targets.join(periods.select("period_id"), how="cross"))
    items = (wanted.join(packed(values).drop("indicator_id", "org_unit_id", "period_id"), on="_key", how="full",
                         coalesce=True)
             .with_columns(indicator_id=pl.coalesce("indicator_id", pl.col("_key") // (1 << 38)),
                           org_unit_id=pl.coalesce("org_unit_id", (pl.col("_key") // (1 << 16)) % (1 << 22)),
                           period_id=pl.coalesce("period_id", pl.col("_key") % (1 << 16)))
             .drop("_key"))
    # The dimension tables are looked up by position (id → row), not joined: the rows keep their
    # order, and 6.8M rows gather a handful of small tables' columns without hashing anything.
    at = {name: _positions(items[f"{name}_id"], dim[f"{name}_id"])
          for name, dim in (("org_unit", org_units), ("indicator", indicators), ("period", periods))}
    known = at["org_unit"].is_not_null() & at["indicator"].is_not_null() & at["period"].is_not_null()
    if not known.all():  # values of org units outside the plan's tree, indicators outside the plan
        items, at = items.filter(known), {k: v.filter(known) for k, v in at.items()}
    words = [dim.drop(f"{name}_id")[at[name]]
             for name, dim in (("org_unit", org_units), ("indicator", indicators), ("period", periods))]
    frame = pl.concat([items, *words], how="horizontal")
    return frame.with_columns(
        item_type=pl.lit("indicator", ITEM_SCHEMA["item_type"]), plan_year=pl.lit(plan.year, pl.Int32),
        decimals=pl.coalesce("ind_decimals", "value_decimals", pl.lit(1, pl.Int32)),
        deadline=pl.lit(None, pl.Date),
    ).select(list(ITEM_SCHEMA)).cast(ITEM_SCHEMA)


def _only_units(column: str, ids: list[int] | None) -> tuple[str, list[int]]:
    """The SQL that keeps the rows of some org units (nothing when ``ids`` is None)."""
    if ids is None:
        return "", []
    ids = sorted({int(i) for i in ids})
    if not ids:
        return f" AND {column} IS NULL AND 1 = 0", []
    return f" AND {column} IN ({','.join(['%s'] * len(ids))})", ids


def _positions(ids: pl.Series, keys: pl.Series) -> pl.Series:
    """For each id, the row of ``keys`` that holds it (null where none does): a join by array index."""
    size = max(ids.max() or 0, keys.max() or 0) + 1
    table = pl.repeat(None, size, dtype=pl.UInt32, eager=True).scatter(keys, pl.arange(0, keys.len(), eager=True))
    return table.gather(ids)


def task_items(plan: PlanInfo, periods: pl.DataFrame, org_units: pl.DataFrame,
               only_units: list[int] | None = None) -> pl.DataFrame:
    unit_sql, unit_params = _only_units("org_unit_id", only_units)
    tasks = _query(
        f"SELECT id, code, title, unit, org_unit_id, target_quantity, deadline FROM plans_task WHERE plan_id = %s{unit_sql}",
        [plan.id, *unit_params],
        {"task_id": pl.Int64, "code": pl.String, "name": pl.String, "unit": pl.String, "org_unit_id": pl.Int64,
         "target": pl.Float64, "deadline": pl.Date},
    )
    period_marks = ",".join(["%s"] * len(periods))
    task_units = _only_units("t.org_unit_id", only_units)[0]
    progress = _query(
        "SELECT p.task_id, p.period_id, p.quantity_done, p.percent FROM data_taskprogress p "
        f"JOIN plans_task t ON t.id = p.task_id AND t.plan_id = %s{task_units} "
        f"WHERE p.period_id IN ({period_marks}) AND p.status NOT IN (%s, %s, %s)",
        [plan.id, *unit_params, *periods["period_id"].to_list(), *NOT_CURRENT],
        {"task_id": pl.Int64, "period_id": pl.Int64, "value": pl.Float64, "reported_progress": pl.Float64},
    )
    frame = (tasks.join(periods, how="cross")
             .join(progress, on=["task_id", "period_id"], how="left")
             .join(org_units, on="org_unit_id", how="left"))
    integral = pl.col("target").is_null() | (pl.col("target") == pl.col("target").floor())
    return frame.with_columns(
        item_type=pl.lit("task"), kind=pl.lit("task"), direction=pl.lit("higher"), binding=pl.lit(False),
        aggregation=pl.lit("none"), rule=pl.lit("time_progress"), plan_year=pl.lit(plan.year, pl.Int32),
        decimals=pl.when(integral).then(0).otherwise(2).cast(pl.Int32),
        target_growth=pl.lit(None, pl.Float64), yoy_pct=pl.lit(None, pl.Float64),
    ).select(list(ITEM_SCHEMA)).cast(ITEM_SCHEMA)


def load_items(plan_code: str, periods: list[str] | None = None, tasks: bool = True) -> tuple[PlanInfo, pl.DataFrame]:
    """The plan and its item frame for the given periods (every stored period of the plan year if None)."""
    plan = plan_info(plan_code)
    period_frame = _periods(periods, plan.year)
    org_units = _org_tree(plan.org_unit_id)
    parts = [indicator_items(plan, period_frame, org_units)]
    if tasks:
        parts.append(task_items(plan, period_frame, org_units))
    return plan, pl.concat(parts, how="vertical")


def load_unit_items(plan_code: str, periods: list[str] | None, org_unit_ids, tasks: bool = True
                    ) -> tuple[PlanInfo, pl.DataFrame]:
    """The item frame of some org units of the plan only: the rows ``load_items`` gives for them,
    read with the units in the SQL so that a few units cost a few thousand rows, not the nation.

    The engine's only comparison across rows is the growth rule's peer average, per indicator ×
    period × peer group; a caller that passes every unit of a peer group gets that group's results
    exactly as from the whole plan (``planwatch.web.overview.results_for`` passes the unit's
    siblings and children).
    """
    plan = plan_info(plan_code)
    period_frame = _periods(periods, plan.year)
    wanted = sorted({int(i) for i in org_unit_ids})
    org_units = _org_tree(plan.org_unit_id).filter(pl.col("org_unit_id").is_in(wanted))
    if org_units.is_empty():  # none of them in the plan's tree: the whole plan has no rows for them either
        return plan, pl.DataFrame(schema=ITEM_SCHEMA)
    parts = [indicator_items(plan, period_frame, org_units, only_units=wanted)]
    if tasks:
        parts.append(task_items(plan, period_frame, org_units, only_units=wanted))
    return plan, pl.concat(parts, how="vertical")
