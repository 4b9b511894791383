"""Adding 街道 figures up to the district, and checking the sum against the district's own figure.

Only indicators whose ``aggregation`` is "sum" add up (revenue, investment, counts); rates and
averages do not. The children of an org unit are the items whose ``peer_group`` is that unit's
code. The check allows for rounding: each of the n children and the district's own figure may
be off by half a unit in the last decimal, so |sum − own| ≤ (n + 1) × 0.5 × 10^-decimals passes,
plus the plan's ``sum_tolerance_pct`` of the district's figure. With a child missing the sum is
partial and the check gives no verdict (None) rather than a false alarm.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from planwatch.assess.display import clamp_decimals
from planwatch.assess.model import Item, Thresholds


@dataclass(frozen=True)
class Aggregate:
    code: str
    period: str
    org_unit: str            # the parent (district) the children add up to
    children_sum: float
    children_count: int
    children_missing: int
    own_value: float | None
    difference: float | None  # children_sum − own_value
    tolerance: float | None
    consistent: bool | None


def tolerance(children: int, decimals: int, own: float, th: Thresholds) -> float:
    return (children + 1) * 0.5 / 10 ** decimals + abs(own) * th.sum_tolerance_pct / 100.0


def aggregate(items: Iterable[Item], thresholds: Thresholds | dict | None = None) -> list[Aggregate]:
    th = thresholds if isinstance(thresholds, Thresholds) else Thresholds.from_plan(thresholds)
    items = [i for i in items if i.item_type == "indicator" and i.aggregation == "sum"]
    own = {(i.code, i.period, i.org_unit): i for i in items}
    children: dict[tuple, list[Item]] = defaultdict(list)
    for i in items:
        if i.peer_group is not None:
            children[(i.code, i.period, i.peer_group)].append(i)
    out = []
    for (code, period, parent), kids in sorted(children.items()):
        total = sum(k.value for k in kids if k.value is not None)
        missing = sum(1 for k in kids if k.value is None)
        parent_item = own.get((code, period, parent))
        own_value = parent_item.value if parent_item else None
        diff = tol = consistent = None
        if own_value is not None:
            diff = total - own_value
            decimals = clamp_decimals(parent_item.decimals)
            tol = tolerance(len(kids), decimals, own_value, th)
            consistent = None if missing else abs(diff) <= tol
        out.append(Aggregate(code, period, parent, total, len(kids), missing, own_value, diff, tol, consistent))
    return out
