"""The batch engine: every indicator × org unit × period of a plan, or of a country, in one pass.

It reads a Polars frame with one row per item (the columns of ``model.Item``) and returns one
row per result (the columns of ``model.Result``), computing the same numbers, levels and
sentences as ``reference.py`` with column expressions instead of a Python loop. Time progress
depends only on (period, plan year, deadline), of which a plan has a handful, so it is computed
once per distinct combination with the reference ``TimeProgress`` and joined in.

Where the reference engine compares floats, this one performs the same IEEE operations in the
same order; where it rounds for display or compares with a mean, both use integer units
(``display.rounded``, ``rules.micro``), so the two agree to the last character.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

import polars as pl

from planwatch.assess.display import MAX_DECIMALS, SCALE
from planwatch.assess.model import ITEM_COLUMNS, RESULT_COLUMNS, Item, Result, Thresholds
from planwatch.assess.rules import MICRO
from planwatch.assess.timeprogress import TimeProgress
from planwatch.periods import Period

ITEM_SCHEMA = {
    "code": pl.String, "org_unit": pl.String, "period": pl.String, "plan_year": pl.Int32,
    "item_type": pl.String, "name": pl.String, "org_unit_name": pl.String, "peer_group": pl.String,
    "unit": pl.String, "kind": pl.String, "direction": pl.String, "binding": pl.Boolean, "aggregation": pl.String,
    "rule": pl.String, "decimals": pl.Int32, "target": pl.Float64, "target_growth": pl.Float64,
    "value": pl.Float64, "yoy_pct": pl.Float64, "reported_progress": pl.Float64, "deadline": pl.Date,
}
assert list(ITEM_SCHEMA) == ITEM_COLUMNS

PEER_KEYS = ["item_type", "code", "period", "peer_group"]


def items_frame(items: Iterable[Item]) -> pl.DataFrame:
    """A frame of items (for tests and small plans; ``load.py`` builds frames directly)."""
    rows = {c: [] for c in ITEM_COLUMNS}
    for item in items:
        for c in ITEM_COLUMNS:
            rows[c].append(getattr(item, c))
    return pl.DataFrame(rows, schema=ITEM_SCHEMA)


# --- display helpers: the Polars twin of display.fixed -----------------------------------------

def _fixed(x: pl.Expr, decimals: int | pl.Expr = 1) -> pl.Expr:
    if isinstance(decimals, int):
        scale, unit, d = pl.lit(SCALE[decimals]), pl.lit(10 ** decimals, pl.Int64), pl.lit(decimals)
    else:
        d = decimals
        scale = d.replace_strict(list(SCALE), list(SCALE.values()), return_dtype=pl.Float64)
        unit = d.replace_strict(list(SCALE), [10 ** k for k in SCALE], return_dtype=pl.Int64)
    q = (x * scale + 0.5).floor().cast(pl.Int64)
    a = q.abs()
    whole = (a // unit).cast(pl.String)
    frac = (a % unit).cast(pl.String).str.zfill(d)
    digits = pl.when(d == 0).then(whole).otherwise(pl.concat_str([whole, pl.lit("."), frac]))
    return pl.concat_str([pl.when(q < 0).then(pl.lit("-")).otherwise(pl.lit("")), digits])


def _signed_growth(prefix: str, pct: pl.Expr) -> pl.Expr:
    return (pl.when(pct >= 0)
            .then(pl.concat_str([pl.lit(f"{prefix}增长"), _fixed(pct), pl.lit("%")]))
            .otherwise(pl.concat_str([pl.lit(f"{prefix}下降"), _fixed(-pct), pl.lit("%")])))


def _micro(pct: pl.Expr) -> pl.Expr:
    return (pct * MICRO + 0.5).floor().cast(pl.Int64)


# --- time progress table ----------------------------------------------------------------------

def _time_progress_table(frame: pl.DataFrame, basis: str) -> pl.DataFrame:
    keys = (frame.lazy()
            .select("period", "plan_year", pl.when(pl.col("item_type") == "task").then(pl.col("deadline")).alias("tp_deadline"))
            .unique().collect())
    tps = [TimeProgress(Period.parse(p), y, basis, d).pct for p, y, d in keys.iter_rows()]
    return keys.with_columns(time_progress_pct=pl.Series(tps, dtype=pl.Float64))


# --- the pass ---------------------------------------------------------------------------------

def assess_frame(frame: pl.DataFrame, thresholds: Thresholds | dict | None = None) -> pl.DataFrame:
    th = thresholds if isinstance(thresholds, Thresholds) else Thresholds.from_plan(thresholds)
    frame = frame.cast(ITEM_SCHEMA) if frame.schema != pl.Schema(ITEM_SCHEMA) else frame
    c = pl.col
    lower = c("direction") == "lower"
    dec = c("decimals").fill_null(1).clip(0, MAX_DECIMALS)
    note = pl.when(lower).then(pl.lit("(越低越好)")).otherwise(pl.lit(""))
    binding_prefix = pl.when(c("binding")).then(pl.lit("约束性指标")).otherwise(pl.lit(""))

    def missing(what: str) -> pl.Expr:
        return pl.concat_str([binding_prefix, pl.lit(f"缺少{what}")])

    tp_table = _time_progress_table(frame, th.basis)
    lf = (frame.lazy()
          .with_columns(tp_deadline=pl.when(c("item_type") == "task").then(c("deadline")))
          .join(tp_table.lazy(), on=["period", "plan_year", "tp_deadline"], how="left", nulls_equal=True, maintain_order="left")
          .with_columns(
              rule=(pl.when(c("item_type") == "task").then(pl.lit("time_progress"))
                    .when(c("rule").fill_null("") != "").then(c("rule"))
                    .when(c("kind") == "level").then(pl.lit("level_limit"))
                    .when(c("target").is_null() & c("target_growth").is_not_null()).then(pl.lit("growth"))
                    .otherwise(pl.lit("time_progress"))),
              computed=(pl.when(c("value").is_not_null() & c("target").is_not_null() & (c("target") != 0))
                        .then(c("value") / c("target") * 100.0)),
              yoy_micro=_micro(c("yoy_pct")),
              decimals=dec,
          )
          .with_columns(
              progress_pct=pl.coalesce(c("computed"), c("reported_progress")),
              progress_source=(pl.when(c("computed").is_not_null()).then(pl.lit("computed"))
                               .when(c("reported_progress").is_not_null()).then(pl.lit("reported"))),
              progress_mismatch=(pl.when(c("computed").is_not_null() & c("reported_progress").is_not_null())
                                 .then((c("computed") - c("reported_progress")).abs() > th.reported_tolerance)),
              peer_sum=c("yoy_micro").sum().over(PEER_KEYS),
              peer_n=c("yoy_micro").count().over(PEER_KEYS),
          )
          .with_columns(
              peer_avg_yoy_pct=pl.when(c("peer_n") > 0).then(c("peer_sum").cast(pl.Float64) / (c("peer_n").cast(pl.Float64) * MICRO)),
              gap=c("progress_pct") - c("time_progress_pct"),
              s=pl.when(lower).then(pl.lit(-1, pl.Int64)).otherwise(pl.lit(1, pl.Int64)),
          ))

    # time progress ---------------------------------------------------------------------------
    gap = c("gap")
    tp_level = (pl.when(lower).then(pl.when(gap <= 0).then(pl.lit("green")).when(gap <= th.yellow_band).then(pl.lit("yellow")).otherwise(pl.lit("red")))
                .otherwise(pl.when(gap >= 0).then(pl.lit("green")).when(gap >= -th.yellow_band).then(pl.lit("yellow")).otherwise(pl.lit("red"))))
    compared = (pl.when(gap > 0).then(pl.concat_str([pl.lit("高于时间进度"), _fixed(gap), pl.lit("个百分点")]))
                .when(gap < 0).then(pl.concat_str([pl.lit("低于时间进度"), _fixed(-gap), pl.lit("个百分点")]))
                .otherwise(pl.lit("与时间进度持平")))
    year_end = ((c("tp_deadline").dt.year() == c("plan_year")) & (c("tp_deadline").dt.month() == 12)
                & (c("tp_deadline").dt.day() == 31))
    deadline_note = (pl.when(c("tp_deadline").is_not_null() & ~year_end)
                     .then(pl.concat_str([pl.lit(",时间进度按"), c("tp_deadline").dt.month().cast(pl.String), pl.lit("月"),
                                          c("tp_deadline").dt.day().cast(pl.String), pl.lit("日完成计")]))
                     .otherwise(pl.lit("")))
    mismatch_note = (pl.when(c("progress_mismatch").fill_null(False))
                     .then(pl.concat_str([pl.lit("(报告完成进度"), _fixed(c("reported_progress")), pl.lit("%与计算值不一致)")]))
                     .otherwise(pl.lit("")))
    tp_text = pl.concat_str([pl.lit("完成进度"), _fixed(c("progress_pct")), pl.lit("%,"), compared, note, deadline_note, mismatch_note])
    zero_met = pl.when(lower).then(c("value") <= 0).otherwise(c("value") >= 0)
    zero_text = pl.concat_str([pl.lit("年度目标为0,实际"), _fixed(c("value"), dec), c("unit"), pl.lit(","),
                               pl.when(zero_met).then(pl.lit("达到目标")).otherwise(pl.lit("未达到目标")), note])
    is_zero = (c("target") == 0) & c("value").is_not_null()
    tp_level_all = (pl.when(is_zero).then(pl.when(zero_met).then(pl.lit("green")).otherwise(pl.lit("red")))
                    .when(c("progress_pct").is_null()).then(pl.lit("missing"))
                    .otherwise(tp_level))
    tp_text_all = (pl.when(is_zero).then(zero_text)
                   .when(c("progress_pct").is_null() & c("value").is_null()).then(missing("本期数值"))
                   .when(c("progress_pct").is_null()).then(missing("年度目标"))
                   .otherwise(tp_text))

    # level against limit ---------------------------------------------------------------------
    v, t = c("value"), c("target")
    band = th.limit_band_pct / 100.0
    ll_level = (pl.when(v.is_null() | t.is_null()).then(pl.lit("missing"))
                .when(lower).then(pl.when(v <= t).then(pl.lit("green")).when(v <= t * (1.0 + band)).then(pl.lit("yellow")).otherwise(pl.lit("red")))
                .otherwise(pl.when(v >= t).then(pl.lit("green")).when(v >= t * (1.0 - band)).then(pl.lit("yellow")).otherwise(pl.lit("red"))))
    t_text = pl.concat_str([_fixed(t, dec), c("unit")])
    ll_said = (pl.when(lower).then(pl.when(v <= t).then(pl.concat_str([pl.lit("未超过限值"), t_text]))
                                    .otherwise(pl.concat_str([pl.lit("超过限值"), t_text])))
               .otherwise(pl.when(v >= t).then(pl.concat_str([pl.lit("达到目标值"), t_text]))
                          .otherwise(pl.concat_str([pl.lit("低于目标值"), t_text]))))
    ll_text = (pl.when(v.is_null()).then(missing("本期数值"))
               .when(t.is_null()).then(missing("目标值"))
               .otherwise(pl.concat_str([pl.lit("实际值"), _fixed(v, dec), c("unit"), pl.lit(","), ll_said])))

    # growth against target and peers ---------------------------------------------------------
    s, y = c("s"), c("yoy_micro")
    has_target = c("target_growth").is_not_null()
    meets_target = ~has_target | (s * y >= s * _micro(c("target_growth")))
    meets_peer = s * y * c("peer_n") >= s * c("peer_sum")
    negative = s * y < 0
    gr_level = (pl.when(y.is_null()).then(pl.lit("missing"))
                .when(negative).then(pl.lit("red"))
                .when(meets_target & meets_peer).then(pl.lit("green"))
                .otherwise(pl.lit("yellow")))
    gr_said = (pl.when(negative).then(pl.when(lower).then(pl.lit("不降反升")).otherwise(pl.lit("负增长")))
               .when(meets_target & meets_peer).then(pl.when(has_target).then(pl.lit("达到目标和同级平均")).otherwise(pl.lit("达到同级平均")))
               .when(~meets_target & ~meets_peer).then(pl.lit("未达到目标和同级平均"))
               .when(~meets_target).then(pl.lit("未达到目标"))
               .otherwise(pl.lit("未达到同级平均")))
    target_part = (pl.when(has_target).then(pl.concat_str([pl.lit(","), _signed_growth("目标", c("target_growth"))]))
                   .otherwise(pl.lit("")))
    gr_text = (pl.when(y.is_null()).then(missing("同比增速"))
               .otherwise(pl.concat_str([_signed_growth("同比", c("yoy_pct")), target_part, pl.lit(","),
                                         _signed_growth("同级平均", c("peer_avg_yoy_pct")), pl.lit(","), gr_said])))

    rule = c("rule")
    out = lf.with_columns(
        level=(pl.when(rule == "growth").then(gr_level).when(rule == "level_limit").then(ll_level).otherwise(tp_level_all)),
        explanation=(pl.when(rule == "growth").then(gr_text).when(rule == "level_limit").then(ll_text).otherwise(tp_text_all)),
        # a task has no target growth; the result names it as the reference does
    ).select(RESULT_COLUMNS)
    return out.collect()


def results(frame: pl.DataFrame, thresholds: Thresholds | dict | None = None) -> list[Result]:
    """The batch verdicts as ``Result`` objects (for the CLI and the equivalence tests)."""
    th = thresholds if isinstance(thresholds, Thresholds) else Thresholds.from_plan(thresholds)
    out = assess_frame(frame, th)
    return [Result(**row, thresholds=th) for row in out.iter_rows(named=True)]


def assess(items: Iterable[Item], thresholds: Thresholds | dict | None = None) -> list[Result]:
    return results(items_frame(items), thresholds)


# --- ranking and aggregation, the frame twins of ranking.py and aggregate.py -------------------

def rank_frame(results_frame: pl.DataFrame, measure: str = "value") -> pl.DataFrame:
    """Competition ranks per indicator × period × peer group (see ``ranking.py``)."""
    from planwatch.assess.ranking import MEASURES

    if measure not in MEASURES:
        raise ValueError(f"rank by one of {MEASURES}, not {measure!r}")
    c = pl.col
    group = ["code", "period", "peer_group"]
    d = c("decimals") if measure == "value" else pl.lit(1)
    scale = d.replace_strict(list(SCALE), list(SCALE.values()), return_dtype=pl.Float64)
    q = (c(measure) * scale + 0.5).floor().cast(pl.Int64)
    key = pl.when(c("direction") == "lower").then(q).otherwise(-q)
    return (results_frame.lazy()
            .filter(c("item_type") == "indicator")
            .with_columns(key=key)
            .with_columns(rank=c("key").rank("min").over(group).cast(pl.Int64),
                          ranked_count=c("key").count().over(group).cast(pl.Int64))
            .select("code", "period", "peer_group", "org_unit", "org_unit_name",
                    pl.lit(measure).alias("measure"), c(measure).alias("measure_value"), "rank", "ranked_count")
            .sort(["code", "period", "peer_group", "rank", "org_unit"], nulls_last=True)
            .collect())


def aggregate_frame(frame: pl.DataFrame, thresholds: Thresholds | dict | None = None) -> pl.DataFrame:
    """街道 sums per district with the consistency check (see ``aggregate.py``)."""
    th = thresholds if isinstance(thresholds, Thresholds) else Thresholds.from_plan(thresholds)
    c = pl.col
    summed = frame.lazy().filter((c("item_type") == "indicator") & (c("aggregation") == "sum"))
    kids = (summed.filter(c("peer_group").is_not_null())
            .group_by("code", "period", "peer_group")
            .agg(children_sum=c("value").sum(), children_count=pl.len().cast(pl.Int64),
                 children_missing=c("value").null_count().cast(pl.Int64))
            .rename({"peer_group": "org_unit"}))
    own = summed.select("code", "period", "org_unit", own_value=c("value"),
                        own_decimals=c("decimals").fill_null(1).clip(0, MAX_DECIMALS))
    scale = c("own_decimals").replace_strict(list(SCALE), list(SCALE.values()), return_dtype=pl.Float64)
    tol = (c("children_count") + 1).cast(pl.Float64) * 0.5 / scale + c("own_value").abs() * th.sum_tolerance_pct / 100.0
    return (kids.join(own, on=["code", "period", "org_unit"], how="left")
            .with_columns(difference=c("children_sum") - c("own_value"), tolerance=tol)
            .with_columns(consistent=pl.when(c("own_value").is_not_null() & (c("children_missing") == 0))
                          .then(c("difference").abs() <= c("tolerance")))
            .select("code", "period", "org_unit", "children_sum", "children_count", "children_missing",
                    "own_value", "difference", "tolerance", "consistent")
            .sort("code", "period", "org_unit")
            .collect())


def results_frame_of(results_list: list[Result]) -> pl.DataFrame:
    """A frame of reference results, so the ranking twins can be compared on the same input."""
    from planwatch.assess.model import RESULT_COLUMNS as cols

    return pl.DataFrame([{k: getattr(r, k) for k in cols} for r in results_list],
                        schema_overrides={"value": pl.Float64, "target": pl.Float64, "progress_pct": pl.Float64,
                                          "yoy_pct": pl.Float64, "peer_group": pl.String})
