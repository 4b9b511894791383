"""Random plans for the equivalence tests: indicators, org units, periods and values.

Values come mostly from a decimal grid (as reports state them), sometimes as arbitrary floats,
and on purpose include the awkward cases: no value, a target of 0, growth-only targets,
lower-is-better indicators, binding indicators, tasks with and without deadlines, reported
progress that agrees or disagrees with the computed one.
"""
from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from planwatch.assess.model import Item

PERIODS = ["2021-01", "2021Q1", "2021H1", "2021-07", "2021Q3", "2021-10", "2021-12", "2021"]


def grid(lo: float, hi: float, places: int = 1):
    scale = 10 ** places
    return st.integers(int(lo * scale), int(hi * scale)).map(lambda n: n / scale)


numbers = st.one_of(grid(-50, 500), grid(0, 5, 2), st.floats(-1e4, 1e6, allow_nan=False, allow_infinity=False))
maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
targets = st.one_of(st.none(), st.just(0.0), grid(0.1, 400), st.floats(1e-3, 1e6, allow_nan=False))


@st.composite
def indicator_spec(draw, index: int):
    kind = draw(st.sampled_from(["flow", "level"]))
    return dict(
        code=f"ind{index}", name=f"指标{index}", unit=draw(st.sampled_from(["亿元", "%", "微克/立方米", ""])),
        kind=kind, direction=draw(st.sampled_from(["higher", "lower"])), binding=draw(st.booleans()),
        aggregation=draw(st.sampled_from(["sum", "none"])),
        rule=draw(st.sampled_from(["", "", "time_progress", "growth", "level_limit"])),
        decimals=draw(st.sampled_from([0, 1, 2, 4])),
    )


@st.composite
def indicator_items(draw, spec: dict, org_units: list[tuple[str, str | None]], period: str):
    items = []
    for org_unit, parent in org_units:
        target = draw(targets)
        growth = draw(maybe(grid(-10, 15)))
        if target is None and growth is None and draw(st.booleans()):
            growth = draw(grid(-5, 10))
        value = draw(maybe(numbers))
        if target and value is not None and draw(st.booleans()):
            # near the target, where the bands are decided
            value = round(target * draw(st.sampled_from([0.93, 0.97, 1.0, 1.03, 1.07])), 2)
        reported = None
        if draw(st.booleans()):
            if value is not None and target and draw(st.booleans()):
                reported = round(value / target * 100, 1) + draw(st.sampled_from([0, 0.05, 0.1, 0.3, -2]))
            else:
                reported = draw(grid(0, 120))
        items.append(Item(
            plan_year=2021, period=period, org_unit=org_unit, org_unit_name=f"单位{org_unit}", peer_group=parent,
            target=target, target_growth=growth, value=value, yoy_pct=draw(maybe(grid(-30, 30))),
            reported_progress=reported, **spec,
        ))
    return items


@st.composite
def task_items(draw, index: int, period: str):
    deadline = draw(maybe(st.dates(date(2020, 6, 1), date(2022, 3, 31))))
    return Item(
        item_type="task", kind="task", code=f"task{index}", name=f"任务{index}", unit="户",
        org_unit="d1", plan_year=2021, period=period, deadline=deadline, decimals=0,
        target=draw(maybe(st.one_of(st.just(0.0), grid(1, 2000, 0)))),
        value=draw(maybe(grid(0, 2000, 0))), reported_progress=draw(maybe(grid(0, 100))),
    )


@st.composite
def plans(draw):
    """A list of items: a few indicators over districts and their 街道, plus tasks."""
    n_streets = draw(st.integers(1, 4))
    org_units = [("d1", "c1"), ("d2", "c1")] + [(f"s{i}", "d1") for i in range(n_streets)]
    org_units = draw(st.lists(st.sampled_from(org_units), min_size=1, max_size=len(org_units), unique=True))
    periods = draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=2, unique=True))
    items = []
    for i in range(draw(st.integers(1, 4))):
        spec = draw(indicator_spec(i))
        for p in periods:
            items.extend(draw(indicator_items(spec, org_units, p)))
    for i in range(draw(st.integers(0, 3))):
        items.append(draw(task_items(i, draw(st.sampled_from(periods)))))
    return items
