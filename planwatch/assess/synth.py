"""A synthetic national dataset for benchmarks: 31 provinces → cities → county-level units.

2,850 counties × 200 indicators × 12 monthly periods ≈ 6.8 million values, written with bulk
SQL (``executemany`` on SQLite, ``COPY`` on PostgreSQL) because saving millions of ORM objects
one by one would take hours. The numbers are random but shaped like real ones, so that the
assessment gives a spread of levels: each county runs at its own pace against its targets
(some ahead of time progress, some a little behind, some far behind), growth scatters around
the target, levels scatter around their limits, and about 2% of figures are not reported.
Everything synthetic carries the ``SYN`` code prefix and is replaced on the next run.
"""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import numpy as np
import polars as pl
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED

from planwatch.data.models import DataValue, Period
from planwatch.periods import Period as PeriodValue
from planwatch.plans.models import Indicator, OrgUnit, Plan, PlanIndicator, Target

PREFIX = "SYN"
YEAR = 2021
PROVINCES = 31


def _constants(model, given: list[str]) -> dict[str, object]:
    """Values for the model's required columns the caller does not give (defaults, '' or now)."""
    now = datetime.now(timezone.utc).isoformat()
    out = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in given or f.null:
            continue
        if f.default is not NOT_PROVIDED:
            value = f.get_default()
            out[f.column] = json.dumps(value) if isinstance(value, (dict, list)) else value
        elif f.get_internal_type() in ("DateTimeField",):
            out[f.column] = now
        else:
            out[f.column] = ""
    return out


def _insert(model, columns: list[str], rows) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite."""
    consts = _constants(model, columns)
    all_cols = columns + list(consts)
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in all_cols)
    if connection.vendor == "postgresql":
        frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(list(rows), schema=columns, orient="row")
        frame = frame.with_columns(*[pl.lit(v).alias(k) for k, v in consts.items()])
        with connection.cursor() as cur:
            raw = cur.cursor
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT csv)") as copy:
                for chunk in frame.iter_slices(500_000):
                    buf = io.BytesIO()
                    chunk.write_csv(buf, include_header=False, null_value="")
                    copy.write(buf.getvalue())
        return
    marks = ", ".join(["%s"] * len(columns) + ["%s"] * len(consts))
    extra = tuple(consts.values())
    if isinstance(rows, pl.DataFrame):
        rows = rows.iter_rows()
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", (tuple(r) + extra for r in rows))


def _ids(model, prefix: str) -> dict[str, int]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT code, id FROM {model._meta.db_table} WHERE code LIKE %s", [prefix + "%"])
        return dict(cur.fetchall())


def clear(plan_code: str) -> None:
    """Remove an earlier synthetic dataset (values, targets, plan, indicators, org units)."""
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM plans_indicator WHERE code LIKE %s", [PREFIX + "-%"])
        ind = [r[0] for r in cur.fetchall()]
        if ind:
            cur.execute("DELETE FROM data_datavalue WHERE indicator_id IN (SELECT id FROM plans_indicator WHERE code LIKE %s)", [PREFIX + "-%"])
            cur.execute("DELETE FROM plans_target WHERE indicator_id IN (SELECT id FROM plans_indicator WHERE code LIKE %s)", [PREFIX + "-%"])
            cur.execute("DELETE FROM plans_planindicator WHERE indicator_id IN (SELECT id FROM plans_indicator WHERE code LIKE %s)", [PREFIX + "-%"])
        cur.execute("DELETE FROM plans_plan WHERE code = %s", [plan_code])
        cur.execute("DELETE FROM plans_indicator WHERE code LIKE %s", [PREFIX + "-%"])
        # children before parents: counties, cities, provinces, the country
        for level in ("district", "city", "province", "country"):
            cur.execute("DELETE FROM plans_orgunit WHERE code LIKE %s AND level = %s", [PREFIX + "%", level])


def _org_units(rng, units: int) -> list[tuple[str, str, str, str | None]]:
    """(code, name, level, parent code): one country, 31 provinces, ~10 cities each, counties."""
    rows = [(f"{PREFIX}", "全国(模拟)", "country", None)]
    per_province = rng.multinomial(units - PROVINCES, np.ones(PROVINCES) / PROVINCES) + 1
    for p in range(PROVINCES):
        pcode = f"{PREFIX}{p + 1:02d}"
        rows.append((pcode, f"模拟省{p + 1:02d}", "province", PREFIX))
        n = int(per_province[p])
        cities = max(1, min(n, int(rng.integers(6, 15))))
        split = rng.multinomial(n - cities, np.ones(cities) / cities) + 1
        k = 0
        for c in range(cities):
            ccode = f"{pcode}{c + 1:02d}"
            rows.append((ccode, f"模拟省{p + 1:02d}市{c + 1:02d}", "city", pcode))
            for _ in range(int(split[c])):
                k += 1
                rows.append((f"{ccode}{k:03d}", f"模拟省{p + 1:02d}县{k:03d}", "district", ccode))
    return rows


KIND_MIX = [  # (kind, direction, rule, aggregation, unit, share)
    ("flow", "higher", "time_progress", "sum", "亿元", 0.50),
    ("flow", "higher", "growth", "sum", "亿元", 0.15),
    ("level", "higher", "level_limit", "none", "%", 0.25),
    ("level", "lower", "level_limit", "none", "微克/立方米", 0.10),
]


def write_national(plan_code: str = "national-2021", units: int = 2850, indicators: int = 200,
                   months: int = 12, seed: int = 2021) -> str:
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("PRAGMA cache_size = -200000")
        clear(plan_code)
        org_rows = _org_units(rng, units)
        for level in ("country", "province", "city", "district"):  # parents first, so their ids exist
            ids = _ids(OrgUnit, PREFIX)
            _insert(OrgUnit, ["code", "name", "name_en", "level", "parent_id"],
                    [(c, n, "", lv, ids.get(p)) for c, n, lv, p in org_rows if lv == level])
        org_ids = _ids(OrgUnit, PREFIX)
        counties = np.array([org_ids[c] for c, _, lv, _ in org_rows if lv == "district"], dtype=np.int64)

        shares = np.array([m[-1] for m in KIND_MIX])
        kinds = rng.choice(len(KIND_MIX), size=indicators, p=shares / shares.sum())
        ind_rows = []
        for i, k in enumerate(kinds):
            kind, direction, rule, agg, unit, _ = KIND_MIX[k]
            binding = bool(rng.random() < 0.2)
            ind_rows.append((f"{PREFIX}-{i + 1:03d}", f"模拟指标{i + 1:03d}", "", "[]", unit, kind, direction,
                             binding, agg, 1 if kind == "flow" else 2, ""))
        _insert(Indicator, ["code", "name", "name_en", "aliases", "unit", "kind", "direction", "binding",
                            "aggregation", "decimals", "description"], ind_rows)
        ind_ids = _ids(Indicator, PREFIX + "-")
        ind_id = np.array([ind_ids[r[0]] for r in ind_rows], dtype=np.int64)

        _insert(Plan, ["code", "name", "year", "org_unit_id", "description", "thresholds", "source_file"],
                [(plan_code, "全国县级单位年度计划(模拟)", YEAR, org_ids[PREFIX], "synthetic benchmark data",
                  json.dumps({"yellow_band": 5.0}), "")])
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM plans_plan WHERE code = %s", [plan_code])
            plan_id = cur.fetchone()[0]
        _insert(PlanIndicator, ["plan_id", "indicator_id", "order", "headline", "rule"],
                [(plan_id, int(ind_id[i]), i, i < 10, KIND_MIX[k][2]) for i, k in enumerate(kinds)])

        # targets: one per county × indicator
        n_c, n_i = len(counties), indicators
        t_ind = np.repeat(np.arange(n_i), n_c)
        t_org = np.tile(counties, n_i)
        kind_of = kinds[t_ind]
        scale = np.exp(rng.normal(3.0, 1.2, size=n_i))[t_ind]
        target = scale * np.exp(rng.normal(0, 0.5, size=n_i * n_c))
        is_growth = kind_of == 1
        is_level_hi, is_level_lo = kind_of == 2, kind_of == 3
        target = np.where(is_level_hi, rng.uniform(60, 98, size=n_i)[t_ind], target)
        target = np.where(is_level_lo, rng.uniform(20, 60, size=n_i)[t_ind], target)
        growth = np.round(rng.uniform(4, 8, size=n_i)[t_ind], 1)
        targets = pl.DataFrame({
            "plan_id": np.full(n_i * n_c, plan_id), "indicator_id": ind_id[t_ind], "org_unit_id": t_org,
            "value": np.where(is_growth, np.nan, np.round(target, 2)),
            "growth_pct": np.where(is_growth, growth, np.nan), "note": [""] * (n_i * n_c),
        }).with_columns(pl.col("value").fill_nan(None), pl.col("growth_pct").fill_nan(None))
        _insert(Target, ["plan_id", "indicator_id", "org_unit_id", "value", "growth_pct", "note"], targets)

        # periods
        period_ids = []
        for m in range(1, months + 1):
            period_ids.append(Period.get(PeriodValue(YEAR, "month", m).code).id)

        # values: each county × indicator has a pace; a month's figure follows it with noise
        pace = rng.normal(1.0, 0.12, size=n_i * n_c)
        level_noise = rng.normal(1.0, 0.05, size=n_i * n_c)
        yoy_base = growth + rng.normal(0.5, 3.5, size=n_i * n_c)
        parts = []
        for m in range(1, months + 1):
            keep = rng.random(n_i * n_c) >= 0.02
            month_noise = rng.normal(1.0, 0.02, size=n_i * n_c)
            ytd = target * (m / 12) * pace * month_noise
            value = np.where(kind_of >= 2, target * level_noise * month_noise, ytd)
            yoy = np.round(yoy_base + rng.normal(0, 1.0, size=n_i * n_c), 1)
            parts.append(pl.DataFrame({
                "indicator_id": ind_id[t_ind][keep], "org_unit_id": t_org[keep],
                "period_id": np.full(int(keep.sum()), period_ids[m - 1]),
                "value": np.round(value[keep], 2), "decimals": np.where(kind_of[keep] >= 2, 2, 1),
                "yoy_pct": np.where(kind_of[keep] >= 2, np.nan, yoy[keep]),
            }).with_columns(pl.col("yoy_pct").fill_nan(None)))
        values = pl.concat(parts).with_columns(source=pl.lit("imported"), status=pl.lit("approved"))
        _insert(DataValue, ["indicator_id", "org_unit_id", "period_id", "value", "decimals", "yoy_pct",
                            "source", "status"], values)
    # Millions of rows written in bulk: refresh the planner's statistics, or PostgreSQL keeps
    # believing the values table holds a few hundred rows and picks plans for that.
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    n_units = sum(1 for r in org_rows if r[2] == "district")
    return (f"模拟计划 {plan_code}:县级单位 {n_units} 个,指标 {indicators} 个,目标 {n_i * n_c} 个,"
            f"月度数据 {values.height} 条")
