"""The reference engine: one item at a time, in the order a planner would reason. It is the spec.

For each item:
1. time progress of its period (its own deadline's timeline for a task with a deadline);
2. completion progress = value ÷ target × 100 when both are there and the target is not 0,
   else the progress the report states; a reported figure that differs from the computed one
   by more than ``reported_tolerance`` is flagged;
3. the rule: the plan's choice for the indicator, else time progress for tasks and flows with
   an annual target, growth for flows with only a growth target, limit for levels;
4. the rule's verdict and its sentence.

Peer averages (for the growth rule) are taken over the items of the same indicator, period and
peer group that have a yoy figure, the item itself included.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from planwatch.assess import rules
from planwatch.assess.display import clamp_decimals
from planwatch.assess.model import Item, Result, Thresholds
from planwatch.assess.timeprogress import TimeProgress
from planwatch.periods import Period


def choose_rule(item: Item) -> str:
    if item.item_type == "task":
        return "time_progress"
    if item.rule:
        return item.rule
    if item.kind == "level":
        return "level_limit"
    if item.target is None and item.target_growth is not None:
        return "growth"
    return "time_progress"


def peer_key(item: Item) -> tuple:
    return (item.item_type, item.code, item.period, item.peer_group)


def peer_stats(items: Iterable[Item]) -> dict[tuple, tuple[int, int]]:
    """(sum of yoy in millionths, count) per peer group, over items that have a yoy."""
    stats: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for item in items:
        if item.yoy_pct is not None:
            s = stats[peer_key(item)]
            s[0] += rules.micro(item.yoy_pct)
            s[1] += 1
    return {k: (v[0], v[1]) for k, v in stats.items()}


def time_progress_of(item: Item, basis: str) -> float:
    deadline = item.deadline if item.item_type == "task" else None
    return TimeProgress(Period.parse(item.period), item.plan_year, basis, deadline).pct


def completion(item: Item, th: Thresholds) -> tuple[float | None, str | None, bool | None]:
    """(progress_pct, where it came from, whether the reported figure disagrees)."""
    computed = None
    if item.value is not None and item.target is not None and item.target != 0:
        computed = item.value / item.target * 100.0
    mismatch = None
    if computed is not None and item.reported_progress is not None:
        mismatch = abs(computed - item.reported_progress) > th.reported_tolerance
    if computed is not None:
        return computed, "computed", mismatch
    if item.reported_progress is not None:
        return item.reported_progress, "reported", None
    return None, None, None


def verdict(item: Item, rule: str, progress: float | None, time_progress: float, mismatch: bool | None,
            peers: tuple[int, int] | None, th: Thresholds) -> rules.Verdict:
    decimals = clamp_decimals(item.decimals)
    if rule == "growth":
        if item.yoy_pct is None:
            return rules.missing("同比增速", item.binding)
        peer_sum, peer_count = peers
        return rules.growth_rule(item.yoy_pct, item.target_growth, peer_sum, peer_count, item.direction)
    if rule == "level_limit":
        if item.value is None:
            return rules.missing("本期数值", item.binding)
        if item.target is None:
            return rules.missing("目标值", item.binding)
        return rules.level_limit_rule(item.value, item.target, item.direction, decimals, item.unit, th)
    # time progress
    if item.target == 0 and item.value is not None:
        return rules.zero_target_rule(item.value, item.direction, decimals, item.unit)
    if progress is None:
        if item.value is None:
            return rules.missing("本期数值", item.binding)
        return rules.missing("年度目标", item.binding)
    v = rules.time_progress_rule(progress, time_progress, item.direction, th)
    deadline = item.deadline if item.item_type == "task" else None
    note = rules.deadline_note(deadline, item.plan_year) + rules.mismatch_note(item.reported_progress, mismatch)
    return rules.Verdict(v.level, v.explanation + note)


def assess_item(item: Item, th: Thresholds, peers: tuple[int, int] | None) -> Result:
    rule = choose_rule(item)
    tp = time_progress_of(item, th.basis)
    progress, source, mismatch = completion(item, th)
    v = verdict(item, rule, progress, tp, mismatch, peers, th)
    peer_avg = rules.peer_average(*peers) if peers else None
    return Result(
        item_type=item.item_type, code=item.code, name=item.name, org_unit=item.org_unit,
        org_unit_name=item.org_unit_name, peer_group=item.peer_group, period=item.period, unit=item.unit,
        decimals=clamp_decimals(item.decimals), binding=item.binding,
        direction=item.direction, value=item.value, target=item.target, target_growth=item.target_growth,
        progress_pct=progress, progress_source=source, reported_progress=item.reported_progress,
        progress_mismatch=mismatch, time_progress_pct=tp, yoy_pct=item.yoy_pct, peer_avg_yoy_pct=peer_avg,
        level=v.level, rule=rule, explanation=v.explanation, thresholds=th,
    )


def assess(items: Iterable[Item], thresholds: Thresholds | dict | None = None) -> list[Result]:
    """Assess every item; peers are the items passed in together."""
    th = thresholds if isinstance(thresholds, Thresholds) else Thresholds.from_plan(thresholds)
    items = list(items)
    stats = peer_stats(items)
    return [assess_item(item, th, stats.get(peer_key(item))) for item in items]
