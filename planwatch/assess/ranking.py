"""Ranking peer org units (the 16 districts of a city, the 17 街道 of a district) per indicator.

Direction-aware: for a lower-is-better indicator the smallest value ranks first. Values are
compared as displayed (rounded to the indicator's decimals; percentages to one decimal), so two
units that a report shows with the same figure share a rank. Ties use competition ranking
(1, 2, 2, 4). Units with no figure get no rank and are listed last.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from planwatch.assess.display import rounded
from planwatch.assess.model import Result

MEASURES = ("value", "progress_pct", "yoy_pct")


@dataclass(frozen=True)
class Ranked:
    code: str
    period: str
    peer_group: str | None
    org_unit: str
    org_unit_name: str
    measure: str
    measure_value: float | None
    rank: int | None
    ranked_count: int


def rank_key(result: Result, measure: str) -> int | None:
    """The integer that sorts best first: the displayed figure, negated when higher is better."""
    x = getattr(result, measure)
    if x is None:
        return None
    q = rounded(x, result.decimals if measure == "value" else 1)
    return q if result.direction == "lower" else -q


def rank(results: Iterable[Result], measure: str = "value") -> list[Ranked]:
    if measure not in MEASURES:
        raise ValueError(f"rank by one of {MEASURES}, not {measure!r}")
    groups: dict[tuple, list[Result]] = defaultdict(list)
    for r in results:
        if r.item_type == "indicator":
            groups[(r.code, r.period, r.peer_group)].append(r)
    out: list[Ranked] = []
    for (code, period, peer_group), members in groups.items():
        keys = sorted(k for k in (rank_key(r, measure) for r in members) if k is not None)
        ranked = []
        for r in members:
            k = rank_key(r, measure)
            # competition ranking: one more than the number of peers strictly ahead
            position = None if k is None else bisect_left(keys, k) + 1
            ranked.append(Ranked(code, period, peer_group, r.org_unit, r.org_unit_name, measure,
                                 getattr(r, measure), position, len(keys)))
        ranked.sort(key=lambda x: (x.rank is None, x.rank or 0, x.org_unit))
        out.extend(ranked)
    return out
