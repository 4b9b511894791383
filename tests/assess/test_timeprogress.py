from datetime import date

import pytest

from planwatch.assess.timeprogress import TimeProgress, time_progress_pct
from planwatch.periods import Period


@pytest.mark.parametrize("code, pct", [("2021H1", 50.0), ("2021Q3", 75.0), ("2021-10", 250 / 3), ("2021", 100.0),
                                       ("2021-01", 100 / 12), ("2021H2", 100.0)])
def test_month_based_time_progress(code, pct):
    assert time_progress_pct(code) == pytest.approx(pct, abs=1e-12)


def test_day_based_first_half_counts_calendar_days():
    assert time_progress_pct("2021H1", basis="day") == pytest.approx(181 / 365 * 100)
    assert time_progress_pct("2020H1", basis="day") == pytest.approx(182 / 366 * 100)  # leap year


def test_task_deadline_end_of_november_runs_on_its_own_clock():
    assert time_progress_pct("2021H1", deadline=date(2021, 11, 30)) == pytest.approx(6 / 11 * 100)
    assert time_progress_pct("2021H1", deadline=date(2021, 11, 30), basis="day") == pytest.approx(181 / 334 * 100)


def test_deadline_mid_month_is_a_fraction_of_that_month():
    assert time_progress_pct("2021Q1", deadline=date(2021, 6, 15)) == pytest.approx(3 / 5.5 * 100)


def test_deadline_passed_or_before_the_year_caps_at_100():
    assert time_progress_pct("2021Q3", deadline=date(2021, 6, 30)) == 100.0
    assert time_progress_pct("2021Q3", deadline=date(2020, 12, 31)) == 100.0


def test_deadline_next_year_stretches_the_timeline():
    assert time_progress_pct("2021-12", deadline=date(2022, 6, 30)) == pytest.approx(12 / 18 * 100)


def test_year_end_deadline_equals_plain_plan_year():
    assert time_progress_pct("2021-10", deadline=date(2021, 12, 31)) == time_progress_pct("2021-10")


def test_unknown_basis_is_refused():
    with pytest.raises(ValueError, match="basis"):
        TimeProgress(Period.parse("2021H1"), 2021, "week")


def test_year_end_deadline_is_not_named_in_the_explanation():
    from planwatch.assess import batch, reference
    from planwatch.assess.model import Item

    items = [Item(code=f"t{m}", org_unit="d", period="2021H1", plan_year=2021, item_type="task", kind="task",
                  target=10.0, value=6.0, deadline=date(2021, m, 30 if m == 11 else 31)) for m in (11, 12)]
    for engine in (reference, batch):
        nov, dec = engine.assess(items)
        assert nov.explanation.endswith("时间进度按11月30日完成计")
        assert dec.explanation == "完成进度60.0%,高于时间进度10.0个百分点"
