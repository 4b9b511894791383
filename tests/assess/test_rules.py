"""Named edge cases of the rules, each run through both engines."""
from __future__ import annotations

from datetime import date

import pytest

from planwatch.assess import batch, reference
from planwatch.assess.display import fixed
from planwatch.assess.model import Item, ThresholdError, Thresholds


@pytest.fixture(params=["reference", "batch"])
def assess(request):
    return reference.assess if request.param == "reference" else batch.assess


def item(**kw):
    base = dict(code="x", org_unit="d1", period="2021H1", plan_year=2021, name="指标")
    base.update(kw)
    return Item(**base)


def one(assess, th=None, **kw):
    return assess([item(**kw)], th)[0]


def test_revenue_ahead_of_time_progress_is_green(assess):
    r = one(assess, target=190.5, value=105.7, reported_progress=55.5, unit="亿元")
    assert r.level == "green" and r.rule == "time_progress"
    assert r.time_progress_pct == 50.0 and fixed(r.progress_pct) == "55.5"
    assert r.progress_mismatch is False
    assert r.explanation == "完成进度55.5%,高于时间进度5.5个百分点"


def test_behind_by_eight_points_is_red_and_says_so(assess):
    r = one(assess, target=100.0, value=42.0)
    assert r.level == "red"
    assert r.explanation == "完成进度42.0%,低于时间进度8.0个百分点"


@pytest.mark.parametrize("value, level", [(50.0, "green"), (47.5, "yellow"), (45.0, "yellow"), (44.9, "red")])
def test_yellow_band_is_five_points_below_time_progress(assess, value, level):
    assert one(assess, target=100.0, value=value).level == level


def test_yellow_band_comes_from_the_plan(assess):
    assert one(assess, {"yellow_band": 10.0}, target=100.0, value=41.0).level == "yellow"
    assert one(assess, {"yellow_band": 0.0}, target=100.0, value=49.9).level == "red"


def test_lower_is_better_flow_is_red_when_running_ahead(assess):
    r = one(assess, target=100.0, value=60.0, direction="lower")
    assert r.level == "red" and r.explanation.endswith("(越低越好)")
    assert one(assess, target=100.0, value=40.0, direction="lower").level == "green"


def test_binding_indicator_without_value_is_missing_never_green(assess):
    r = one(assess, target=100.0, binding=True)
    assert r.level == "missing" and r.explanation == "约束性指标缺少本期数值"


def test_expected_indicator_without_value_is_missing_too(assess):
    r = one(assess, target=100.0, binding=False)
    assert r.level == "missing" and r.explanation == "缺少本期数值"


def test_value_without_target_cannot_be_judged(assess):
    r = one(assess, value=10.0, binding=True)
    assert r.level == "missing" and r.explanation == "约束性指标缺少年度目标"


def test_reported_progress_stands_in_when_there_is_no_computed_one(assess):
    r = one(assess, reported_progress=54.73)
    assert r.progress_source == "reported" and r.level == "green" and r.progress_mismatch is None


@pytest.mark.parametrize("direction, value, level, said", [
    ("higher", 0.0, "green", "达到目标"), ("higher", 3.0, "green", "达到目标"),
    ("lower", 0.0, "green", "达到目标"), ("lower", 2.0, "red", "未达到目标"),
])
def test_zero_target_is_met_or_not_without_dividing(assess, direction, value, level, said):
    r = one(assess, target=0.0, value=value, direction=direction, decimals=0, unit="起")
    assert r.level == level and r.progress_pct is None
    assert r.explanation.startswith(f"年度目标为0,实际{value:.0f}起,{said}")


def test_reported_progress_disagreeing_beyond_rounding_is_flagged(assess):
    within = one(assess, target=200.0, value=111.0, reported_progress=55.5)   # 55.5 exactly
    beyond = one(assess, target=200.0, value=111.0, reported_progress=57.0)
    assert within.progress_mismatch is False
    assert beyond.progress_mismatch is True and "报告完成进度57.0%与计算值不一致" in beyond.explanation


@pytest.mark.parametrize("value, level", [(35.0, "green"), (38.0, "green"), (39.9, "yellow"), (42.0, "red")])
def test_pm25_against_its_limit(assess, value, level):
    r = one(assess, kind="level", direction="lower", binding=True, target=38.0, value=value, decimals=0, unit="微克/立方米")
    assert r.rule == "level_limit" and r.level == level


def test_level_with_zero_limit_has_no_yellow(assess):
    assert one(assess, kind="level", direction="lower", target=0.0, value=0.1).level == "red"


def test_higher_level_against_floor(assess):
    r = one(assess, kind="level", target=95.0, value=98.79, decimals=2, unit="%")
    assert r.level == "green" and r.explanation == "实际值98.79%,达到目标值95.00%"


def peers(assess, yoys, target_growth=6.0, direction="higher"):
    items = [item(org_unit=f"d{i}", peer_group="city", target_growth=target_growth, yoy_pct=y, value=1.0,
                  direction=direction, rule="growth") for i, y in enumerate(yoys)]
    return assess(items)


def test_growth_reaching_target_and_peer_average_is_green(assess):
    r = peers(assess, [11.5, 8.0, 9.0])[0]
    assert r.rule == "growth" and r.level == "green"
    assert r.explanation == "同比增长11.5%,目标增长6.0%,同级平均增长9.5%,达到目标和同级平均"


def test_growth_positive_but_short_is_yellow_and_negative_is_red(assess):
    rs = peers(assess, [6.5, 20.0, 5.0, -1.0])
    assert [r.level for r in rs] == ["yellow", "green", "yellow", "red"]
    assert rs[0].explanation.endswith("未达到同级平均")
    assert rs[2].explanation.endswith("未达到目标和同级平均")
    assert rs[3].explanation == "同比下降1.0%,目标增长6.0%,同级平均增长7.6%,负增长"


def test_growth_equal_to_peer_average_counts_as_reaching_it(assess):
    rs = peers(assess, [0.1, 0.1, 0.1], target_growth=None)   # 0.1 × 3 / 3 is not 0.1 in floats
    assert [r.level for r in rs] == ["green"] * 3


def test_growth_lower_is_better_mirrors(assess):
    rs = peers(assess, [-5.0, -2.0, 1.0], target_growth=-3.0, direction="lower")
    assert [r.level for r in rs] == ["green", "yellow", "red"]
    assert rs[2].explanation.endswith("不降反升")


def test_growth_without_yoy_is_missing(assess):
    r = one(assess, target_growth=6.0, binding=True)
    assert r.level == "missing" and r.explanation == "约束性指标缺少同比增速"


def test_task_with_deadline_is_measured_on_its_own_timeline(assess):
    r = one(assess, item_type="task", kind="task", target=1200.0, value=700.0, deadline=date(2021, 11, 30), decimals=0)
    assert r.time_progress_pct == pytest.approx(600 / 11)
    assert r.level == "green" and r.explanation.endswith("时间进度按11月30日完成计")


def test_thresholds_refuse_unknown_or_negative_settings():
    with pytest.raises(ThresholdError, match="yelow_band"):
        Thresholds.from_plan({"yelow_band": 5})
    with pytest.raises(ThresholdError, match="≥ 0"):
        Thresholds.from_plan({"yellow_band": -1})
    assert Thresholds.from_plan({"yellow_band": 3}).yellow_band == 3.0


@pytest.mark.parametrize("x, d, text", [(0.15, 1, "0.2"), (-8.05, 1, "-8.0"), (45157.0, 0, "45157"),
                                        (-0.04, 1, "0.0"), (98.789, 2, "98.79"), (5.0, 4, "5.0000")])
def test_display_rounding(x, d, text):
    assert fixed(x, d) == text
