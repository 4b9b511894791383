"""The batch engine gives the reference engine's verdicts, item by item, on random plans."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planwatch.assess import aggregate as agg
from planwatch.assess import batch, ranking, reference
from planwatch.assess.model import RESULT_COLUMNS, Thresholds

from .strategies import plans

thresholds = st.builds(
    Thresholds,
    yellow_band=st.sampled_from([0.0, 2.5, 5.0, 10.0]),
    limit_band_pct=st.sampled_from([0.0, 5.0, 20.0]),
    reported_tolerance=st.sampled_from([0.05, 0.1, 1.0]),
    sum_tolerance_pct=st.sampled_from([0.0, 0.5]),
    day_based=st.booleans(),
)

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def assert_same_rows(ref_rows, batch_rows, columns):
    assert len(ref_rows) == len(batch_rows)
    for i, (r, b) in enumerate(zip(ref_rows, batch_rows)):
        for col in columns:
            ra, bb = (getattr(r, col), getattr(b, col)) if not isinstance(r, dict) else (r[col], b[col])
            assert same(ra, bb), f"row {i} {col}: reference {ra!r} ≠ batch {bb!r}\n{r}"


@SETTINGS
@given(plans(), thresholds)
def test_batch_equals_reference(items, th):
    assert_same_rows(reference.assess(items, th), batch.assess(items, th), RESULT_COLUMNS)


@SETTINGS
@given(plans(), st.sampled_from(ranking.MEASURES))
def test_batch_ranking_equals_reference(items, measure):
    results = reference.assess(items)
    ref = ranking.rank(results, measure)
    fast = batch.rank_frame(batch.results_frame_of(results), measure).to_dicts()
    key = lambda r: (r["code"], r["period"], r["peer_group"] or "", r["org_unit"])  # noqa: E731
    ref_rows = sorted((vars(r) for r in ref), key=key)
    assert_same_rows(ref_rows, sorted(fast, key=key), ["rank", "ranked_count", "measure_value"])


@SETTINGS
@given(plans(), thresholds)
def test_batch_aggregation_equals_reference(items, th):
    ref = [vars(a) for a in agg.aggregate(items, th)]
    fast = batch.aggregate_frame(batch.items_frame(items), th).to_dicts()
    assert_same_rows(ref, fast, list(ref[0]) if ref else [])


@pytest.mark.parametrize("day_based", [False, True])
def test_every_level_and_rule_is_reached_by_the_generator(day_based):
    """The property tests are only as good as their inputs: check they cover every branch."""
    seen = set()

    @settings(max_examples=500, deadline=None, database=None)
    @given(plans())
    def collect(items):
        for r in reference.assess(items, Thresholds(day_based=day_based)):
            seen.add((r.rule, r.level))

    collect()
    for rule in ("time_progress", "growth", "level_limit"):
        for level in ("green", "yellow", "red", "missing"):
            assert (rule, level) in seen, f"no random plan gave {rule}/{level}"


def test_sentences_of_figures_too_large_to_pack_match_the_reference():
    """Sentence keys are packed into two integer words when their figures are small; a frame that
    mixes small figures with ones beyond the packing (a limit of 2.5 billion with 4 decimals, a
    progress of 300,000%, a task deadline) must say exactly what the reference says."""
    from datetime import date

    from planwatch.assess.model import Item

    items = [
        Item("pm25", "A", "2021H1", 2021, unit="微克/立方米", kind="level", direction="lower", decimals=1,
             target=35.0, value=33.2),
        Item("big", "A", "2021H1", 2021, unit="万元", kind="level", decimals=4, target=2.5e9, value=2.4e9),
        Item("huge", "A", "2021H1", 2021, unit="亿元", target=0.01, value=30.0, reported_progress=299000.0),
        Item("rev", "A", "2021H1", 2021, unit="亿元", target=100.0, value=55.5, reported_progress=55.5),
        Item("rev", "B", "2021H1", 2021, unit="亿元", target=100.0, value=42.0, peer_group="A"),
        Item("gdp", "B", "2021H1", 2021, rule="growth", target_growth=6.0, yoy_pct=11.5, peer_group="A"),
        Item("t1", "A", "2021H1", 2021, item_type="task", target=1200, value=700, decimals=0,
             deadline=date(2021, 11, 30)),
    ]
    keyed = batch._sentence_key(batch._numbers(batch.items_frame(items), Thresholds())).with_columns(batch._words())
    fits = keyed.collect()["w1"].is_not_null().to_list()
    assert fits == [True, False, False, True, True, True, True]  # both ways are taken
    assert_same_rows(reference.assess(items), batch.assess(items), RESULT_COLUMNS)


def test_a_large_frame_is_assessed_a_few_periods_at_a_time_with_the_same_results(monkeypatch):
    """Frames whose periods lie in runs are cut into slices of whole periods; the results, row
    order and sentences must be those of one pass (peers never cross periods)."""
    import polars as pl

    from planwatch.assess.model import Item

    items = [Item(code, f"U{u}", period, 2021, unit="亿元", target=100.0 + u, value=10.0 * m + u,
                  yoy_pct=float(u - 3) if code == "gdp" else None, rule="growth" if code == "gdp" else "",
                  target_growth=6.0 if code == "gdp" else None, peer_group="P")
             for m, period in enumerate(["2021-01", "2021-02", "2021-03", "2021-04"], start=1)
             for code in ("rev", "gdp") for u in range(6)]
    frame = batch.items_frame(items)
    whole = batch.assess_frame(frame)
    monkeypatch.setattr(batch, "SLICE_ROWS", 20)  # 12 rows a period: slices of one period
    assert batch._period_slices(frame) == [(0, 12), (12, 12), (24, 12), (36, 12)]
    sliced = batch.assess_frame(frame)
    assert sliced.with_columns(pl.col("explanation").cast(pl.String)).equals(
        whole.with_columns(pl.col("explanation").cast(pl.String)))
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=3)
    assert batch._period_slices(shuffled) is None  # periods interleaved: assessed in one pass
    assert_same_rows(reference.assess([Item(**r) for r in shuffled.with_columns(
        pl.col(pl.Categorical).cast(pl.String)).iter_rows(named=True)]), batch.results(shuffled), RESULT_COLUMNS)


def test_task_deadlines_at_the_year_end_of_several_plan_years_match_the_reference():
    """The year end a task deadline is compared with is looked up per plan year, not built per
    row: a frame with two plan years must still name only deadlines that are not their year's end."""
    from datetime import date

    from planwatch.assess.model import Item

    items = [Item(f"t{y}{m}", "A", f"{y}H1", y, item_type="task", target=100, value=40, decimals=0,
                  deadline=date(y, m, d))
             for y in (2021, 2022) for m, d in ((12, 31), (11, 30), (6, 30))]
    results = batch.assess(items)
    assert_same_rows(reference.assess(items), results, RESULT_COLUMNS)
    named = [r.explanation for r in results if "月" in r.explanation and "日完成计" in r.explanation]
    assert len(named) == 4  # 11-30 and 06-30 of both years; 12-31 is the plain year end
