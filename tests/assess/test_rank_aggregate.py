from planwatch.assess import aggregate, batch, ranking, reference
from planwatch.assess.model import Item


def district(code, value, direction="higher", decimals=1, parent="city"):
    return Item(code="rev", org_unit=code, period="2021H1", plan_year=2021, peer_group=parent, value=value,
                target=100.0, direction=direction, decimals=decimals, aggregation="sum")


def ranks(items, measure="value"):
    results = reference.assess(items)
    ref = {r.org_unit: r.rank for r in ranking.rank(results, measure)}
    fast = {row["org_unit"]: row["rank"] for row in batch.rank_frame(batch.results_frame_of(results), measure).to_dicts()}
    assert ref == fast
    return ref


def test_ties_share_a_rank_competition_style():
    got = ranks([district("a", 9.0), district("b", 7.0), district("c", 7.04), district("d", 5.0)])
    assert got == {"a": 1, "b": 2, "c": 2, "d": 4}   # 7.04 shows as 7.0: a tie


def test_lower_is_better_ranks_smallest_first_and_missing_last():
    items = [district("a", 42.0, "lower"), district("b", 35.0, "lower"), district("c", None, "lower")]
    got = ranks(items)
    assert got == {"b": 1, "a": 2, "c": None}
    listed = ranking.rank(reference.assess(items))
    assert [r.org_unit for r in listed] == ["b", "a", "c"] and listed[0].ranked_count == 2


def test_streets_add_up_to_the_district():
    items = [district("dc", 105.7, parent="city")] + [district(f"s{i}", v, parent="dc") for i, v in enumerate([50.0, 30.6, 25.1])]
    (agg,) = [a for a in aggregate.aggregate(items) if a.org_unit == "dc"]
    assert round(agg.children_sum, 9) == 105.7 and agg.consistent is True and agg.children_count == 3


def test_sum_off_beyond_rounding_is_inconsistent():
    items = [district("dc", 105.7)] + [district(f"s{i}", v, parent="dc") for i, v in enumerate([50.0, 30.6, 24.0])]
    (agg,) = [a for a in aggregate.aggregate(items) if a.org_unit == "dc"]
    assert agg.consistent is False and round(agg.difference, 6) == -1.1


def test_missing_street_gives_no_verdict_and_non_additive_indicators_are_skipped():
    items = [district("dc", 105.7)] + [district("s0", 50.0, parent="dc"), district("s1", None, parent="dc")]
    (agg,) = [a for a in aggregate.aggregate(items) if a.org_unit == "dc"]
    assert agg.consistent is None and agg.children_missing == 1
    rate = Item(code="rate", org_unit="s0", period="2021H1", plan_year=2021, peer_group="dc", value=1.0)
    assert aggregate.aggregate([rate]) == []
