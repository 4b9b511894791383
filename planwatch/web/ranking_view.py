"""The 街道 breakdown of one indicator on its page: ranked by value, by growth or by progress,
with each 街道's verdict and provenance, and the check that the 街道 add up to the district.

The ranks are the assessment engine's (``planwatch.assess.ranking``: direction-aware,
competition ranking of the figures as displayed, so 40 and 40 share first place and the next
unit is third); the sum check is ``planwatch.assess.aggregate``'s.  This module only picks the
measure a page asks for, keeps what the user may see, and arranges rows for the template.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from planwatch.assess.aggregate import Aggregate, aggregate
from planwatch.assess.model import Item, ThresholdError
from planwatch.assess.ranking import MEASURES
from planwatch.web import names, overview, views_scope

MEASURE_LABELS = {"value": _("按数值"), "yoy_pct": _("按同比增速"), "progress_pct": _("按完成进度")}
assert set(MEASURE_LABELS) == set(MEASURES)


def measure_of(request) -> str:
    """The measure the page ranks by (``?rank=``); the figure itself unless a known one is named."""
    raw = (request.GET.get("rank") or "").strip()
    return raw if raw in MEASURE_LABELS else "value"


@dataclass
class Breakdown:
    measure: str
    rows: list[dict]
    ranked_count: int
    check: Aggregate | None        # None: not additive, hidden from the user, or nothing to add up
    chart: dict

    @property
    def measures(self) -> list[tuple[str, str]]:
        return list(MEASURE_LABELS.items())


def breakdown(user, plan, period: str, org_unit, ind, child_values: dict, measure: str, provenance) -> Breakdown:
    """The children of ``org_unit`` on indicator ``ind`` ranked by ``measure``.

    ``child_values`` maps a child's code to its current value the user may see; a reporter gets
    no rank for a 街道 whose figure it may not see, and no sum check (a total would tell it the
    hidden figures' sum).
    """
    ranked, by_unit = overview.ranking(plan, period, org_unit, ind.code, measure)
    whole = views_scope.sees_whole_plan(user)
    if not whole:
        ranked = [r for r in ranked if r.org_unit in child_values]
    if not any(by_unit.get(r.org_unit) is not None and _has_figures(by_unit[r.org_unit]) for r in ranked):
        ranked = []  # no 街道 has reported this indicator for the period: nothing to rank
    unit_names = names.org_unit_names([r.org_unit for r in ranked])
    rows = []
    for r in ranked:
        value = child_values.get(r.org_unit)
        rows.append({"rank": r, "result": by_unit.get(r.org_unit), "value": value,
                     "name": unit_names.get(r.org_unit, r.org_unit_name),
                     "provenance": provenance(value) if value is not None else None})
    check = None
    if whole and ind.aggregation == "sum" and rows:
        check = _sum_check(plan, period, org_unit, ind, list(by_unit.values()))
    shown = [row for row in rows if row["rank"].measure_value is not None]
    chart = {"units": [row["name"] for row in shown], "values": [row["rank"].measure_value for row in shown],
             "unit": ind.unit if measure == "value" else "%"}
    return Breakdown(measure, rows, max((r.ranked_count for r in ranked), default=0), check, chart)


def _has_figures(result) -> bool:
    return any(x is not None for x in (result.value, result.yoy_pct, result.progress_pct))


def _sum_check(plan, period: str, org_unit, ind, children) -> Aggregate | None:
    """The engine's 街道-sum check for one indicator, from the results the page already holds."""
    own = overview.own_result(plan, period, org_unit, ind.code)
    results = [*children, *([own] if own is not None else [])]

    def item(r) -> Item:
        return Item(code=r.code, org_unit=r.org_unit, period=r.period, plan_year=plan.year, peer_group=r.peer_group,
                    aggregation="sum", decimals=r.decimals, value=r.value)

    try:
        checks = aggregate([item(r) for r in results], plan.thresholds)
    except ThresholdError:
        return None
    return next((a for a in checks if a.org_unit == org_unit.code and a.code == ind.code), None)
