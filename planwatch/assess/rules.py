"""The warning rules, one function each, written to be read: this is the spec.

Every rule answers "green, yellow, red or missing?" and says why in a sentence a planner can
paste into a report. The batch engine (``batch.py``) must reach the same verdict and the same
sentence for every item; the property tests hold it to that.

Levels
------
green    on track; yellow  behind, within the plan's band; red  behind beyond the band.
missing  the rule lacks what it measures (no value, no yoy, no target). It is never green,
         whatever the indicator; for a binding (约束性) indicator the sentence starts with
         "约束性指标" so that a missing binding figure reads as a gap to be filled, while a missing
         expected (预期性) figure is simply "缺少…" — both are grey, neither is counted as on track.

Zero targets
------------
A target of 0 ("no new illegal building", "zero accidents") has no progress ratio. Under the
time-progress rule it is met (green) when the value does not go past 0 in the bad direction,
and red otherwise; under the limit rule the yellow band around 0 is empty, so the same holds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from planwatch.assess.display import fixed
from planwatch.assess.model import Thresholds

MICRO = 1e6  # growth comparisons are made in millionths of a point (see ``micro``)


@dataclass(frozen=True)
class Verdict:
    level: str
    explanation: str


def micro(pct: float) -> int:
    """A percentage in millionths of a point, rounded half up.

    Comparing growth with a peer average compares a number with a mean; summing floats in a
    different order changes the last bit, and the verdict at an exact tie would then depend on
    the engine. In integers the sum is exact and so is the comparison.
    """
    return math.floor(pct * MICRO + 0.5)


def peer_average(peer_sum_micro: int, peer_count: int) -> float:
    """The peers' mean growth in percent (one division, so both engines round it alike)."""
    return peer_sum_micro / (peer_count * MICRO)


def direction_note(direction: str) -> str:
    return "(越低越好)" if direction == "lower" else ""


def missing(what: str, binding: bool) -> Verdict:
    prefix = "约束性指标" if binding else ""
    return Verdict("missing", f"{prefix}缺少{what}")


# --- time progress ----------------------------------------------------------------------------

def time_progress_rule(progress: float, time_progress: float, direction: str, th: Thresholds) -> Verdict:
    """Completion progress against time progress ("时间过半、任务过半").

    Higher is better: green at or above time progress, yellow up to ``yellow_band`` points
    below, red further below. Lower is better (a cap on a flow): the mirror image.
    """
    gap = progress - time_progress
    if direction == "lower":
        level = "green" if gap <= 0 else "yellow" if gap <= th.yellow_band else "red"
    else:
        level = "green" if gap >= 0 else "yellow" if gap >= -th.yellow_band else "red"
    if gap > 0:
        compared = f"高于时间进度{fixed(gap)}个百分点"
    elif gap < 0:
        compared = f"低于时间进度{fixed(-gap)}个百分点"
    else:
        compared = "与时间进度持平"
    return Verdict(level, f"完成进度{fixed(progress)}%,{compared}{direction_note(direction)}")


def zero_target_rule(value: float, direction: str, decimals: int, unit: str) -> Verdict:
    """A target of 0: met when the value is not past 0 in the bad direction."""
    met = value <= 0 if direction == "lower" else value >= 0
    verdict = "达到目标" if met else "未达到目标"
    return Verdict("green" if met else "red",
                   f"年度目标为0,实际{fixed(value, decimals)}{unit},{verdict}{direction_note(direction)}")


def deadline_note(deadline: date | None, plan_year: int) -> str:
    """Named only when the task's clock differs from the plan year's (not for 年底前)."""
    if deadline is None or deadline == date(plan_year, 12, 31):
        return ""
    return f",时间进度按{deadline.month}月{deadline.day}日完成计"


def mismatch_note(reported: float | None, mismatch: bool | None) -> str:
    return f"(报告完成进度{fixed(reported)}%与计算值不一致)" if mismatch else ""


# --- level against limit ----------------------------------------------------------------------

def level_limit_rule(value: float, target: float, direction: str, decimals: int, unit: str,
                     th: Thresholds) -> Verdict:
    """A level (rate, concentration, income) against its target level or limit.

    Lower is better (PM2.5): green at or under the limit, yellow up to ``limit_band_pct``
    percent over it, red beyond. Higher is better (a coverage rate): the mirror image.
    """
    v, t = fixed(value, decimals), fixed(target, decimals)
    if direction == "lower":
        level = "green" if value <= target else "yellow" if value <= target * (1.0 + th.limit_band_pct / 100.0) else "red"
        said = f"未超过限值{t}{unit}" if level == "green" else f"超过限值{t}{unit}"
    else:
        level = "green" if value >= target else "yellow" if value >= target * (1.0 - th.limit_band_pct / 100.0) else "red"
        said = f"达到目标值{t}{unit}" if level == "green" else f"低于目标值{t}{unit}"
    return Verdict(level, f"实际值{v}{unit},{said}")


# --- growth against target and peers ---------------------------------------------------------

def signed_growth(prefix: str, pct: float) -> str:
    return f"{prefix}增长{fixed(pct)}%" if pct >= 0 else f"{prefix}下降{fixed(-pct)}%"


def growth_rule(yoy: float, target_growth: float | None, peer_sum_micro: int, peer_count: int,
                direction: str) -> Verdict:
    """Year-on-year growth against the target growth and the peers' average growth.

    Green when growth reaches both its target (if it has one) and the average of its peer
    group (the org units under the same parent, itself included); yellow when it is not
    negative but short of either; red when it is negative. Lower is better: the mirror image
    (red when the quantity rises).
    """
    s = -1 if direction == "lower" else 1
    y = micro(yoy)
    meets_target = target_growth is None or s * y >= s * micro(target_growth)
    meets_peer = s * y * peer_count >= s * peer_sum_micro
    if s * y < 0:
        level = "red"
        said = "不降反升" if direction == "lower" else "负增长"
    elif meets_target and meets_peer:
        level = "green"
        said = "达到目标和同级平均" if target_growth is not None else "达到同级平均"
    else:
        level = "yellow"
        short = [w for w, ok in (("目标", meets_target), ("同级平均", meets_peer)) if not ok]
        said = "未达到" + "和".join(short)
    peer_avg = peer_average(peer_sum_micro, peer_count)
    parts = [signed_growth("同比", yoy)]
    if target_growth is not None:
        parts.append(signed_growth("目标", target_growth))
    parts.append(signed_growth("同级平均", peer_avg))
    parts.append(said)
    return Verdict(level, ",".join(parts))
