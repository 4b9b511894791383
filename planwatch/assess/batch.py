"""The batch engine: every indicator × org unit × period of a plan, or of a country, in one pass.

It reads a Polars frame with one row per item (the columns of ``model.Item``) and returns one
row per result (the columns of ``model.Result``), computing the same numbers, levels and
sentences as ``reference.py`` with column expressions instead of a Python loop. Time progress
depends only on (period, plan year, deadline), of which a plan has a handful, so it is computed
once per distinct combination with the reference ``TimeProgress`` and mapped in.

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

# Repeated words are categorical: a national frame repeats 200 indicator names 34,000 times each.
_Cat = pl.Categorical()
ITEM_SCHEMA = {
    "code": _Cat, "org_unit": _Cat, "period": _Cat, "plan_year": pl.Int32,
    "item_type": _Cat, "name": _Cat, "org_unit_name": _Cat, "peer_group": _Cat,
    "unit": _Cat, "kind": _Cat, "direction": _Cat, "binding": pl.Boolean, "aggregation": _Cat,
    "rule": _Cat, "decimals": pl.Int32, "target": pl.Float64, "target_growth": pl.Float64,
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


def _micro(pct: pl.Expr) -> pl.Expr:
    return (pct * MICRO + 0.5).floor().cast(pl.Int64)


# --- time progress table ----------------------------------------------------------------------

def _time_progress(frame: pl.DataFrame, basis: str) -> pl.Series:
    """Time progress of every row, computed once per distinct (period, plan year, deadline)."""
    years = frame["plan_year"].unique()
    codes_of = frame["period"].to_physical()
    if years.len() == 1 and years.null_count() == 0 and codes_of.null_count() == 0 and codes_of.max() < (1 << 24):
        # the usual case, one plan year: a table indexed by the period's categorical code
        periods = frame["period"].unique()
        codes = periods.to_physical()
        table = [None] * (codes.max() + 1)
        for code, p in zip(codes.to_list(), periods.cast(pl.String).to_list()):
            table[code] = TimeProgress(Period.parse(p), years[0], basis).pct
        tp = pl.Series(table, dtype=pl.Float64).gather(codes_of)
    elif (pairs := frame.select("period", "plan_year").unique()).height == pairs["period"].n_unique():
        by_period = {p: TimeProgress(Period.parse(p), y, basis).pct for p, y in pairs.iter_rows()}
        tp = frame["period"].replace_strict(by_period, return_dtype=pl.Float64)
    else:
        keys = pairs.with_columns(
            tp=pl.Series([TimeProgress(Period.parse(p), y, basis).pct for p, y in pairs.iter_rows()], dtype=pl.Float64))
        tp = frame.select("period", "plan_year").join(keys, on=["period", "plan_year"], how="left",
                                                      maintain_order="left")["tp"]
    # tasks with a deadline of their own: a handful of rows, each on its own timeline
    own = frame.select(pl.arg_where((pl.col("item_type") == "task") & pl.col("deadline").is_not_null())).to_series()
    if own.len():
        rows = frame[own].select("period", "plan_year", "deadline").iter_rows()
        tp = tp.scatter(own, [TimeProgress(Period.parse(p), y, basis, d).pct for p, y, d in rows])
    return tp.rename("time_progress_pct")


# --- the pass ---------------------------------------------------------------------------------

LEVEL_TYPE = pl.Enum(["green", "yellow", "red", "missing"])
TEXT_COLUMNS = ["code", "org_unit", "period", "item_type", "name", "org_unit_name", "peer_group", "unit",
                "kind", "direction", "aggregation", "rule"]


def _peer_key(frame: pl.DataFrame) -> list[str] | pl.Expr:
    """The growth rule's peer groups (item type × code × period × peer group) as one integer when
    the categorical codes fit in 20 bits each, so the window sums hash one column, not four."""
    c = pl.col
    codes = frame.select(*(c(k).to_physical().max() for k in ("code", "period", "peer_group"))).row(0)
    if any(m is not None and m >= (1 << 20) - 1 for m in codes):
        return PEER_KEYS
    phys = lambda name: c(name).to_physical().cast(pl.Int64)  # noqa: E731
    return (((c("item_type") == "task").cast(pl.Int64) * (1 << 20) + phys("code")) * (1 << 20)
            + phys("period")) * (1 << 21) + phys("peer_group").fill_null(-1) + 1


def _numbers(frame: pl.DataFrame, th: Thresholds) -> pl.LazyFrame:
    """Every number and the level of every item: cheap column arithmetic, no strings built."""
    c = pl.col
    lower = c("direction") == "lower"
    peers = _peer_key(frame)
    lf = (frame.with_columns(_time_progress(frame, th.basis)).lazy()
          .with_columns(tp_deadline=pl.when(c("item_type") == "task").then(c("deadline")))
          .with_columns(
              # categorical words in, categorical words out: no string is built per row
              rule=(pl.when(c("item_type") == "task").then(pl.lit("time_progress", _Cat))
                    .when(c("rule").is_not_null() & (c("rule") != "")).then(c("rule"))
                    .when(c("kind") == "level").then(pl.lit("level_limit", _Cat))
                    .when(c("target").is_null() & c("target_growth").is_not_null()).then(pl.lit("growth", _Cat))
                    .otherwise(pl.lit("time_progress", _Cat))),
              computed=(pl.when(c("value").is_not_null() & c("target").is_not_null() & (c("target") != 0))
                        .then(c("value") / c("target") * 100.0)),
              yoy_micro=_micro(c("yoy_pct")),
              decimals=c("decimals").fill_null(1).clip(0, MAX_DECIMALS),
              s=pl.when(lower).then(pl.lit(-1, pl.Int64)).otherwise(pl.lit(1, pl.Int64)),
          )
          .with_columns(
              progress_pct=pl.coalesce(c("computed"), c("reported_progress")),
              progress_source=(pl.when(c("computed").is_not_null()).then(pl.lit("computed", _Cat))
                               .when(c("reported_progress").is_not_null()).then(pl.lit("reported", _Cat))),
              progress_mismatch=(pl.when(c("computed").is_not_null() & c("reported_progress").is_not_null())
                                 .then((c("computed") - c("reported_progress")).abs() > th.reported_tolerance)),
              peer_sum=c("yoy_micro").sum().over(peers),
              peer_n=c("yoy_micro").count().over(peers),
          )
          .with_columns(
              peer_avg_yoy_pct=pl.when(c("peer_n") > 0).then(c("peer_sum").cast(pl.Float64) / (c("peer_n").cast(pl.Float64) * MICRO)),
              gap=c("progress_pct") - c("time_progress_pct"),
              has_target_growth=c("target_growth").is_not_null(),
          ))
    s, y = c("s"), c("yoy_micro")
    lf = lf.with_columns(
        meets_target=~c("has_target_growth") | (s * y >= s * _micro(c("target_growth"))),
        meets_peer=s * y * c("peer_n") >= s * c("peer_sum"),
        zero_met=pl.when(lower).then(c("value") <= 0).otherwise(c("value") >= 0),
        is_zero=(c("target") == 0) & c("value").is_not_null(),
    )

    def lit(x):
        return pl.lit(x, LEVEL_TYPE)

    gap, v, t = c("gap"), c("value"), c("target")
    band = th.limit_band_pct / 100.0
    tp_level = (pl.when(c("is_zero")).then(pl.when(c("zero_met")).then(lit("green")).otherwise(lit("red")))
                .when(gap.is_null()).then(lit("missing"))
                .when(lower).then(pl.when(gap <= 0).then(lit("green")).when(gap <= th.yellow_band).then(lit("yellow")).otherwise(lit("red")))
                .otherwise(pl.when(gap >= 0).then(lit("green")).when(gap >= -th.yellow_band).then(lit("yellow")).otherwise(lit("red"))))
    ll_level = (pl.when(v.is_null() | t.is_null()).then(lit("missing"))
                .when(lower).then(pl.when(v <= t).then(lit("green")).when(v <= t * (1.0 + band)).then(lit("yellow")).otherwise(lit("red")))
                .otherwise(pl.when(v >= t).then(lit("green")).when(v >= t * (1.0 - band)).then(lit("yellow")).otherwise(lit("red"))))
    gr_level = (pl.when(y.is_null()).then(lit("missing"))
                .when(s * y < 0).then(lit("red"))
                .when(c("meets_target") & c("meets_peer")).then(lit("green"))
                .otherwise(lit("yellow")))
    rule = c("rule")
    return lf.with_columns(
        level=pl.when(rule == "growth").then(gr_level).when(rule == "level_limit").then(ll_level)
        .otherwise(tp_level).cast(LEVEL_TYPE))


# --- sentences: written once per distinct wording, joined back ------------------------------------
#
# A sentence depends on the item only through a few rounded numbers, signs and words: of 6.8M
# national items there are about 150,000 distinct sentences. So every row gets its sentence key
# (integers and flags, cheap column arithmetic), the sentences are built on the distinct keys only,
# and joined back. Fields a branch does not use stay null, so that equal sentences have equal keys.

# branches of the sentence key
ZERO, NO_VALUE, NO_TARGET, PROGRESS, LL_NO_VALUE, LL_NO_TARGET, LIMIT, NO_YOY, GROWTH = range(9)
FLAGS = ["k_lower", "k_binding", "k_sa", "k_sb", "k_sc", "k_f1", "k_f2", "k_f3"]  # each null, false or true
# The branch, flags and decimals are packed into one integer: hashing six key columns instead of
# sixteen is most of what the unique and the join back cost.
KEY_COLUMNS = ["k_small", "k_a", "k_b", "k_c", "k_unit", "k_deadline"]


def _pack(branch: pl.Expr, decimals: pl.Expr) -> pl.Expr:
    """branch in bits 0-3, each flag in two bits from 4 (0 null, 1 false, 2 true), decimals + 1 above."""
    packed = branch.cast(pl.Int64)
    for i, name in enumerate(FLAGS):
        packed = packed + (pl.col(name).cast(pl.Int64).fill_null(-1) + 1) * (1 << (4 + 2 * i))
    return packed + (decimals.cast(pl.Int64).fill_null(-1) + 1) * (1 << (4 + 2 * len(FLAGS)))


def _unpack(keys: pl.DataFrame) -> pl.DataFrame:
    k = pl.col("k_small")
    flags = {}
    for i, name in enumerate(FLAGS):
        code = (k // (1 << (4 + 2 * i))) % 4
        flags[name] = pl.when(code == 0).then(pl.lit(None, pl.Boolean)).otherwise(code == 2)
    d = (k // (1 << (4 + 2 * len(FLAGS)))) - 1
    return keys.with_columns(k_branch=k % 16, k_d=pl.when(d >= 0).then(d.cast(pl.Int32)), **flags)


# 10^d by position: gathering from a seven-element column is several times cheaper per row than
# looking each decimals value up in a map (decimals are clipped to 0..MAX_DECIMALS before use)
_SCALES = pl.Series("scale", [SCALE[d] for d in range(MAX_DECIMALS + 1)], dtype=pl.Float64)
_POWERS = pl.Series("power", [10 ** d for d in range(MAX_DECIMALS + 1)], dtype=pl.Int64)


def _scale(decimals: pl.Expr) -> pl.Expr:
    return pl.lit(_SCALES).gather(decimals)


def _q(x: pl.Expr, decimals: int | pl.Expr = 1) -> pl.Expr:
    """``display.rounded`` as an expression: ``x`` in units of 10^-decimals, half up."""
    scale = pl.lit(SCALE[decimals]) if isinstance(decimals, int) else \
        _scale(decimals)
    return (x * scale + 0.5).floor().cast(pl.Int64)


def _digits(q: pl.Expr, decimals: int | pl.Expr = 1) -> pl.Expr:
    """The text of a rounded number ``q`` (units of 10^-decimals): the rest of ``display.fixed``."""
    if isinstance(decimals, int):
        unit, d = pl.lit(10 ** decimals, pl.Int64), pl.lit(decimals)
    else:
        d = decimals
        unit = pl.lit(_POWERS).gather(d)
    a = q.abs()
    whole = (a // unit).cast(pl.String)
    frac = (a % unit + unit).cast(pl.String).str.slice(1)  # 10^d + r, less its leading 1: zero-padded
    digits = pl.when(d == 0).then(whole).otherwise(pl.concat_str([whole, pl.lit("."), frac]))
    return pl.concat_str([pl.when(q < 0).then(pl.lit("-")).otherwise(pl.lit("")), digits])


def _growth_text(prefix: str, up: pl.Expr, q: pl.Expr) -> pl.Expr:
    return (pl.when(up).then(pl.concat_str([pl.lit(f"{prefix}增长"), _digits(q), pl.lit("%")]))
            .otherwise(pl.concat_str([pl.lit(f"{prefix}下降"), _digits(q), pl.lit("%")])))


def _year_end(frame: pl.DataFrame) -> pl.Expr:
    """31 December of each row's plan year. Building a date per row costs as much as the whole
    numbers pass, and a frame has one plan year or a few: they are looked up, not built."""
    years = [y for y in frame["plan_year"].unique().to_list() if y is not None]
    if len(years) == 1:
        return pl.lit(date(years[0], 12, 31))
    return pl.col("plan_year").replace_strict(years, [date(y, 12, 31) for y in years], default=None,
                                              return_dtype=pl.Date)


def _sentence_key(lf: pl.LazyFrame, year_end: pl.Expr | None = None) -> pl.LazyFrame:
    """Every row's sentence key: which branch of its rule speaks, and the rounded figures it names."""
    year_end = pl.date(pl.col("plan_year"), 12, 31) if year_end is None else year_end
    c = pl.col
    rule = c("rule")
    ll, gr = rule == "level_limit", rule == "growth"
    v, t, gap, d = c("value"), c("target"), c("gap"), c("decimals")
    no_progress = c("progress_pct").is_null()
    branch = (pl.when(gr).then(pl.when(c("yoy_micro").is_null()).then(NO_YOY).otherwise(GROWTH))
              .when(ll).then(pl.when(v.is_null()).then(LL_NO_VALUE).when(t.is_null()).then(LL_NO_TARGET)
                             .otherwise(LIMIT))
              .when(c("is_zero")).then(ZERO)
              .when(no_progress & v.is_null()).then(NO_VALUE)
              .when(no_progress).then(NO_TARGET)
              .otherwise(PROGRESS)).cast(pl.Int8)
    b = c("k_branch")
    missing = b.is_in([NO_VALUE, NO_TARGET, LL_NO_VALUE, LL_NO_TARGET, NO_YOY])
    mismatch = c("progress_mismatch").fill_null(False)
    lower = c("direction") == "lower"
    is_ = lambda *bs: b.is_in(list(bs))  # noqa: E731
    growth_target = (b == GROWTH) & c("has_target_growth")
    # Each figure is chosen first and rounded once (``_q``: x · 10^d + 0.5, floored), instead of
    # rounding every candidate on every row and choosing after. A growth or a gap is named by its
    # size (增长/下降, 高于/低于 say the sign), so it is rounded as |x|, as rules.signed_growth does.
    by_value = is_(ZERO, LIMIT)
    scale_d, tenths = _scale(d), pl.lit(SCALE[1])
    fig_a = (pl.when(b == PROGRESS).then(c("progress_pct")).when(b == GROWTH).then(c("yoy_pct").abs())
             .when(by_value).then(v))
    fig_b = (pl.when(b == PROGRESS).then(gap.abs()).when(b == LIMIT).then(t)
             .when(growth_target).then(c("target_growth").abs()))
    fig_c = (pl.when((b == PROGRESS) & mismatch).then(c("reported_progress"))
             .when(b == GROWTH).then(c("peer_avg_yoy_pct").abs()))
    return lf.with_columns(k_branch=branch).with_columns(
        k_lower=pl.when(~missing).then(lower),
        k_binding=pl.when(missing).then(c("binding")),
        k_a=(fig_a * pl.when(by_value).then(scale_d).otherwise(tenths) + 0.5).floor().cast(pl.Int64),
        k_sa=pl.when(b == PROGRESS).then(gap > 0).when(b == GROWTH).then(c("yoy_pct") >= 0),
        k_b=(fig_b * pl.when(b == LIMIT).then(scale_d).otherwise(tenths) + 0.5).floor().cast(pl.Int64),
        k_sb=pl.when(b == PROGRESS).then(gap < 0).when(growth_target).then(c("target_growth") >= 0),
        k_c=(fig_c * tenths + 0.5).floor().cast(pl.Int64),
        k_sc=pl.when(b == GROWTH).then(c("peer_avg_yoy_pct") >= 0),
        k_d=pl.when(is_(ZERO, LIMIT)).then(d),
        k_unit=pl.when(is_(ZERO, LIMIT)).then(c("unit")),
        k_deadline=pl.when((b == PROGRESS) & (c("tp_deadline") != year_end))
        .then(c("tp_deadline")),  # named only when it is not the plan year's end (rules.deadline_note)
        k_f1=(pl.when(b == ZERO).then(c("zero_met")).when(b == PROGRESS).then(mismatch)
              .when(b == LIMIT).then(pl.when(lower).then(v <= t).otherwise(v >= t))
              .when(b == GROWTH).then(c("s") * c("yoy_micro") < 0)),
        k_f2=pl.when(b == GROWTH).then(c("meets_target")),
        k_f3=pl.when(b == GROWTH).then(c("meets_peer")),
    ).with_columns(k_small=_pack(c("k_branch"), c("k_d"))).drop(*FLAGS, "k_branch", "k_d")


def _sentences(keys: pl.DataFrame) -> pl.DataFrame:
    """The sentence of each distinct key: the wording of ``rules.py``, branch by branch."""
    c = pl.col
    b, lower = c("k_branch"), c("k_lower")
    note = pl.when(lower).then(pl.lit("(越低越好)")).otherwise(pl.lit(""))
    unit = c("k_unit").cast(pl.String)

    def missing(what: str) -> pl.Expr:
        return pl.concat_str([pl.when(c("k_binding")).then(pl.lit("约束性指标")).otherwise(pl.lit("")),
                              pl.lit(f"缺少{what}")])

    # time progress
    zero_text = pl.concat_str([pl.lit("年度目标为0,实际"), _digits(c("k_a"), c("k_d")), unit, pl.lit(","),
                               pl.when(c("k_f1")).then(pl.lit("达到目标")).otherwise(pl.lit("未达到目标")), note])
    compared = (pl.when(c("k_sa")).then(pl.concat_str([pl.lit("高于时间进度"), _digits(c("k_b")), pl.lit("个百分点")]))
                .when(c("k_sb")).then(pl.concat_str([pl.lit("低于时间进度"), _digits(c("k_b")), pl.lit("个百分点")]))
                .otherwise(pl.lit("与时间进度持平")))
    dl = c("k_deadline")
    deadline_note = (pl.when(dl.is_not_null())
                     .then(pl.concat_str([pl.lit(",时间进度按"), dl.dt.month().cast(pl.String), pl.lit("月"),
                                          dl.dt.day().cast(pl.String), pl.lit("日完成计")]))
                     .otherwise(pl.lit("")))
    mismatch_note = (pl.when(c("k_f1"))
                     .then(pl.concat_str([pl.lit("(报告完成进度"), _digits(c("k_c")), pl.lit("%与计算值不一致)")]))
                     .otherwise(pl.lit("")))
    progress_text = pl.concat_str([pl.lit("完成进度"), _digits(c("k_a")), pl.lit("%,"), compared, note, deadline_note,
                                   mismatch_note])
    # level against limit
    t_text = pl.concat_str([_digits(c("k_b"), c("k_d")), unit])
    said = (pl.when(lower).then(pl.when(c("k_f1")).then(pl.concat_str([pl.lit("未超过限值"), t_text]))
                                .otherwise(pl.concat_str([pl.lit("超过限值"), t_text])))
            .otherwise(pl.when(c("k_f1")).then(pl.concat_str([pl.lit("达到目标值"), t_text]))
                       .otherwise(pl.concat_str([pl.lit("低于目标值"), t_text]))))
    limit_text = pl.concat_str([pl.lit("实际值"), _digits(c("k_a"), c("k_d")), unit, pl.lit(","), said])
    # growth against target and peers
    has_t, meets_t, meets_p = c("k_b").is_not_null(), c("k_f2"), c("k_f3")
    verdict = (pl.when(c("k_f1")).then(pl.when(lower).then(pl.lit("不降反升")).otherwise(pl.lit("负增长")))
               .when(meets_t & meets_p).then(pl.when(has_t).then(pl.lit("达到目标和同级平均")).otherwise(pl.lit("达到同级平均")))
               .when(~meets_t & ~meets_p).then(pl.lit("未达到目标和同级平均"))
               .when(~meets_t).then(pl.lit("未达到目标"))
               .otherwise(pl.lit("未达到同级平均")))
    target_part = (pl.when(has_t).then(pl.concat_str([pl.lit(","), _growth_text("目标", c("k_sb"), c("k_b"))]))
                   .otherwise(pl.lit("")))
    growth_text = pl.concat_str([_growth_text("同比", c("k_sa"), c("k_a")), target_part, pl.lit(","),
                                 _growth_text("同级平均", c("k_sc"), c("k_c")), pl.lit(","), verdict])
    # each wording on its own keys: a when/then over all of them would format every branch's figures
    texts = {ZERO: zero_text, NO_VALUE: missing("本期数值"), LL_NO_VALUE: missing("本期数值"),
             NO_TARGET: missing("年度目标"), LL_NO_TARGET: missing("目标值"), NO_YOY: missing("同比增速"),
             PROGRESS: progress_text, LIMIT: limit_text, GROWTH: growth_text}
    carried = keys.columns  # the key, and whatever the caller keyed it by (``Said.explain``: the words)
    keys = _unpack(keys).lazy()
    return pl.concat([keys.filter(b == branch).select(*carried, explanation=text.cast(pl.Categorical()))
                      for branch, text in texts.items()]).collect()


# A sentence key nearly always fits in two Int64 words: its figures are progress and gaps in tenths
# of a percent or values in their display units, far below 2^20. Finding the distinct keys and
# joining the sentences back then hashes two integers per row instead of six mixed columns (a
# fifth of the cost on the national frame). Rows whose figures do not fit take the six-column way.
_FIGURE = 1 << 20  # a figure f with |f| < _FIGURE is stored as f + _FIGURE in 21 bits, null as 0


def _words() -> list[pl.Expr]:
    """The two words of every row's sentence key (null where a figure does not fit)."""
    c = pl.col

    def figure(name: str) -> pl.Expr:
        return (c(name) + _FIGURE).fill_null(0)

    unit = c("k_unit").to_physical().cast(pl.Int64) + 1
    deadline = c("k_deadline").cast(pl.Int64) + 1
    fits = ((c("k_small") >= 0) & (c("k_small") < (1 << 25))
            & unit.fill_null(0).is_between(0, (1 << 21) - 1) & deadline.fill_null(0).is_between(0, (1 << 17) - 1))
    for name in ("k_a", "k_b", "k_c"):
        fits = fits & (c(name).is_null() | (c(name).abs() < _FIGURE))
    w1 = c("k_small") * (1 << 38) + unit.fill_null(0) * (1 << 17) + deadline.fill_null(0)
    w2 = figure("k_a") * (1 << 42) + figure("k_b") * (1 << 21) + figure("k_c")
    return [pl.when(fits).then(w1).alias("w1"), pl.when(fits).then(w2).alias("w2")]


def _unwords(words: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """The sentence keys that distinct words stand for (the packing loses nothing)."""
    c = pl.col

    def figure(shift: int) -> pl.Expr:
        f = (c("w2") // (1 << shift)) % (1 << 21)
        return pl.when(f != 0).then(f - _FIGURE)

    unit = (c("w1") // (1 << 17)) % (1 << 21)
    deadline = c("w1") % (1 << 17)
    keys = words.with_columns(
        k_small=c("w1") // (1 << 38), k_a=figure(42), k_b=figure(21), k_c=figure(0),
        _unit=pl.when(unit != 0).then(unit - 1).cast(pl.UInt32),
        k_deadline=pl.when(deadline != 0).then(deadline - 1).cast(pl.Int32).cast(pl.Date),
    )
    return keys.join(units, on="_unit", how="left").select(*KEY_COLUMNS, "w1", "w2")


class Said:
    """The sentences written so far, by their words: slices of one frame share most of their
    sentences (a national quarter has 220,000 distinct keys, the year 326,000), so each is
    written once for the whole frame."""

    def __init__(self):
        self.known = pl.DataFrame(schema={"w1": pl.Int64, "w2": pl.Int64, "explanation": pl.Categorical()})

    def explain(self, words: pl.DataFrame, frame: pl.DataFrame) -> pl.Series:
        """The sentence of every row whose key fits in words, joined back in row order (null for
        the rows that do not fit)."""
        distinct = words.drop_nulls().unique()
        if self.known.height:
            distinct = distinct.join(self.known, on=["w1", "w2"], how="anti")
        if distinct.height:
            units = frame.select(k_unit=pl.col("unit").unique()).with_columns(_unit=pl.col("k_unit").to_physical())
            said = _sentences(_unwords(distinct, units)).select("w1", "w2", "explanation")
            self.known = pl.concat([self.known, said], how="vertical") if self.known.height else said
        return words.join(self.known, on=["w1", "w2"], how="left", maintain_order="left")["explanation"]


SLICE_ROWS = 2_000_000


def period_runs(frame: pl.DataFrame) -> list[int] | None:
    """The lengths of the frame's runs of one period, in order, when each period's rows lie
    together (one run a period, as the snapshot keeps them); None when they do not."""
    runs = frame.select(pl.col("period").to_physical().rle()).unnest("period")
    if runs.height != frame["period"].n_unique():
        return None
    return runs["len"].to_list()


def _period_slices(frame: pl.DataFrame) -> list[tuple[int, int]] | None:
    """Row ranges of about SLICE_ROWS that each hold whole periods, when the frame keeps each
    period's rows together (a snapshot does); None when it does not."""
    runs = period_runs(frame)
    if runs is None:
        return None
    slices, start, size = [], 0, 0
    for length in runs:
        if size and size + length > SLICE_ROWS:
            slices.append((start, size))
            start, size = start + size, 0
        size += length
    slices.append((start, size))
    return slices


def assess_frame(frame: pl.DataFrame, thresholds: Thresholds | dict | None = None, explain: bool = True) -> pl.DataFrame:
    """One row per item with the columns of ``Result``; ``explain=False`` leaves out the sentences.

    Sentences are built once per distinct wording (``_sentence_key``) and joined back in row order;
    the explanation column is categorical (a national frame says about 300,000 distinct sentences).

    Nothing crosses periods (the growth rule's peers are of one period), so a large frame whose
    periods lie in runs is assessed a few periods at a time: the pass's temporary columns then
    take a slice's memory, not the nation's.
    """
    th = thresholds if isinstance(thresholds, Thresholds) else Thresholds.from_plan(thresholds)
    if frame.schema != pl.Schema(ITEM_SCHEMA):
        frame = frame.cast(ITEM_SCHEMA)
    if frame.height > SLICE_ROWS and (slices := _period_slices(frame)) and len(slices) > 1:
        said = Said()
        return pl.concat([_assess(frame.slice(start, size), th, explain, said) for start, size in slices],
                         rechunk=False)
    return _assess(frame, th, explain, Said())


def _assess(frame: pl.DataFrame, th: Thresholds, explain: bool, said: Said) -> pl.DataFrame:
    numbers = _numbers(frame, th)
    if not explain:
        return numbers.with_columns(explanation=pl.lit(None, pl.Categorical())).select(RESULT_COLUMNS).collect()
    keyed = _sentence_key(numbers, _year_end(frame)).with_columns(_words())
    done = keyed.select(*RESULT_COLUMNS[:-1], "w1", "w2").collect()
    # the sentences are set beside the rows: a join that carried every result column would
    # gather all of them again (and a frame made of its columns copies none of them)
    text = said.explain(done.select("w1", "w2"), frame)
    misfits = done["w1"].is_null()
    if misfits.any():  # rare: figures too large for the words take the six-column way
        rest = keyed.filter(pl.col("w1").is_null()).select(KEY_COLUMNS).collect()
        rest_text = rest.join(_sentences(rest.unique()), on=KEY_COLUMNS, how="left", nulls_equal=True,
                              maintain_order="left")["explanation"]
        text = text.scatter(misfits.arg_true(), rest_text)
    return pl.DataFrame([done.get_column(name) for name in RESULT_COLUMNS[:-1]] + [text])


def results(frame: pl.DataFrame, thresholds: Thresholds | dict | None = None) -> list[Result]:
    """The batch verdicts as ``Result`` objects (for the CLI and the equivalence tests)."""
    th = thresholds if isinstance(thresholds, Thresholds) else Thresholds.from_plan(thresholds)
    out = assess_frame(frame, th).with_columns(pl.col(pl.Categorical, pl.Enum).cast(pl.String))
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
    scale = _scale(d)
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
    scale = _scale(c("own_decimals"))
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
