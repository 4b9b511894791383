"""`planwatch assess` on the demo plan and `planwatch synth` on a small national dataset."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from planwatch.assess import batch, reference
from planwatch.assess.commands import assess, synth
from planwatch.assess.load import load_items
from planwatch.assess.model import Item
from planwatch.assess.render import pad, to_table, width


@pytest.fixture
def demo_plan(db):
    from planwatch.plans import demo
    from planwatch.plans.planfile import load_plan_file

    load_plan_file(demo.plan_file())
    demo.load_demo_values()
    return "dongcheng-2021"


def run(*args):
    result = CliRunner().invoke(assess, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_headline_figures_in_json(demo_plan):
    rows = json.loads(run("--plan", demo_plan, "--period", "2021H1", "--format", "json"))
    by_code = {r["code"]: r for r in rows}
    revenue, fai, gdp = by_code["revenue"], by_code["fai"], by_code["gdp"]
    assert revenue["indicator"] == "区级一般公共预算收入" and revenue["value"] == 105.7
    assert round(revenue["progress_pct"], 1) == 55.5 and revenue["time_progress_pct"] == 50.0
    assert revenue["level"] == "green" and revenue["progress_mismatch"] is False
    assert round(fai["progress_pct"], 1) == 51.1 and fai["level"] == "green"
    assert gdp["yoy_pct"] == 11.5 and gdp["rule"] == "growth"
    tasks = [r for r in rows if r["item_type"] == "task"]
    assert tasks and all(r["task"] and r["level"] in ("green", "yellow", "red", "missing") for r in tasks)
    for r in rows:
        assert {"org_unit", "period", "value", "target", "progress_pct", "time_progress_pct", "yoy_pct",
                "level", "rule", "explanation"} <= set(r)


def test_demo_reference_and_batch_agree_on_the_database_rows(demo_plan):
    plan, frame = load_items(demo_plan, ["2021H1"])
    items = [Item(**row) for row in frame.iter_rows(named=True)]
    assert batch.results(frame, plan.thresholds) == reference.assess(items, plan.thresholds)


def test_table_csv_org_unit_filter_and_day_basis(demo_plan):
    table = run("--plan", demo_plan, "--period", "2021H1")
    assert "区级一般公共预算收入" in table and "\033[" not in table  # no colour when not a terminal
    rows = list(csv.DictReader(io.StringIO(run("--plan", demo_plan, "--period", "2021H1", "--format", "csv",
                                                "--org-unit", "东城区", "--day-based"))))
    assert rows and {r["org_unit_name"] for r in rows} == {"东城区"}
    assert float(rows[0]["time_progress_pct"]) == pytest.approx(181 / 365 * 100)


def test_unknown_plan_or_period_is_a_clear_error(demo_plan):
    bad = CliRunner().invoke(assess, ["--plan", "nope", "--period", "2021H1"])
    assert bad.exit_code != 0 and "no plan with code 'nope'" in bad.output
    bad = CliRunner().invoke(assess, ["--plan", demo_plan, "--period", "2021-11"])
    assert bad.exit_code != 0 and "2021-11" in bad.output


def test_table_aligns_chinese_text_and_colours_levels():
    assert width("东城区") == 6 and pad("东城区", 8) == "东城区  "
    items = [Item(code="a", org_unit="d", org_unit_name="东城区", period="2021H1", plan_year=2021, name="收入",
                  target=10.0, value=6.0),
             Item(code="b", org_unit="d", org_unit_name="东城区", period="2021H1", plan_year=2021,
                  name="一个很长的指标名称", target=10.0, value=1.0)]
    text = to_table(reference.assess(items), colour=True)
    lines = text.splitlines()
    assert "\033[32m" in lines[2] and "\033[31m" in lines[3]
    # the level column starts at the same terminal cell on every row
    strip = lambda s: s.replace("\033[32m", "").replace("\033[31m", "").replace("\033[0m", "")  # noqa: E731
    starts = {width(strip(line)[: strip(line).index(lvl)]) for line, lvl in ((lines[2], "绿"), (lines[3], "红"))}
    assert len(starts) == 1


@pytest.mark.django_db
def test_synth_writes_a_small_national_dataset_with_a_spread_of_levels():
    result = CliRunner().invoke(synth, ["--units", "40", "--indicators", "12", "--months", "12", "--seed", "7"])
    assert result.exit_code == 0, result.output
    plan, frame = load_items("national-2021", ["2021-12"])
    out = batch.assess_frame(frame, plan.thresholds)
    assert out.height == 40 * 12
    levels = set(out["level"].to_list())
    assert {"green", "yellow", "red", "missing"} <= levels
    # running it again replaces the dataset instead of adding to it
    assert CliRunner().invoke(synth, ["--units", "40", "--indicators", "12", "--months", "2"]).exit_code == 0
    assert load_items("national-2021", ["2021-02"])[1].height == 40 * 12


def test_street_values_without_targets_are_loaded_and_add_up(demo_plan):
    from planwatch.assess import aggregate
    from planwatch.data.models import DataValue, Period
    from planwatch.plans.models import Indicator, OrgUnit

    revenue = Indicator.objects.get(code="revenue")
    period = Period.get("2021H1")
    streets = list(OrgUnit.objects.filter(parent__code="110101").order_by("code"))
    share = 105.7 / len(streets)
    for street in streets:
        DataValue.objects.create(indicator=revenue, org_unit=street, period=period, value=round(share, 1),
                                 decimals=1, status="approved")
    plan, frame = load_items(demo_plan, ["2021H1"])
    rows = frame.filter((frame["code"] == "revenue")).to_dicts()
    street_rows = [r for r in rows if r["peer_group"] == "110101"]
    assert len(street_rows) == len(streets) and all(r["target"] is None for r in street_rows)
    items = [Item(**row) for row in frame.iter_rows(named=True)]
    (agg,) = [a for a in aggregate.aggregate(items) if a.code == "revenue" and a.org_unit == "110101"]
    assert agg.children_count == len(streets) and agg.consistent is True


@pytest.mark.django_db
def test_a_whole_year_load_reads_the_same_items_as_month_by_month_loads():
    """More than ``SCAN_PERIODS`` periods take the table-scan query: same rows, current values only."""
    import polars as pl

    from planwatch.assess import load
    from planwatch.data.models import DataValue

    assert CliRunner().invoke(synth, ["--units", "40", "--indicators", "12", "--months", "6", "--seed", "3"]).exit_code == 0
    current = DataValue.objects.filter(period__code="2021-04").exclude(status__in=load.NOT_CURRENT).first()
    proposed = DataValue.objects.create(indicator_id=current.indicator_id, org_unit_id=current.org_unit_id,
                                        period_id=current.period_id, value=-12345.0, decimals=1, status="proposed")
    plan, year = load_items("national-2021", None)
    months = pl.concat([load_items("national-2021", [f"2021-{m:02d}"])[1] for m in range(1, 7)])
    assert len(set(year["period"].cast(pl.String))) == 6 > load.SCAN_PERIODS
    key = ["item_type", "code", "org_unit", "period"]
    as_text = lambda f: f.with_columns(pl.col(pl.Categorical).cast(pl.String)).sort(key)  # noqa: E731
    assert as_text(year).equals(as_text(months))
    assert proposed.value not in year["value"].to_list()
    explained = batch.assess_frame(year, plan.thresholds)
    assert explained.height == year.height and explained["explanation"].null_count() == 0


def test_values_outside_the_plans_org_tree_are_not_items(demo_plan):
    from planwatch.data.models import DataValue, Period
    from planwatch.plans.models import Indicator, OrgUnit

    elsewhere = OrgUnit.objects.create(code="110102", name="西城区", level="district")
    DataValue.objects.create(indicator=Indicator.objects.get(code="revenue"), org_unit=elsewhere,
                             period=Period.get("2021H1"), value=1.0, decimals=1, status="approved")
    plan, frame = load_items(demo_plan, ["2021H1"])
    assert frame.height > 0 and "110102" not in frame["org_unit"].cast(str).to_list()
    assert frame["org_unit_name"].null_count() == 0 and frame["name"].null_count() == 0
