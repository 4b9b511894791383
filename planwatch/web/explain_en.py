"""The assessment's explanation in English, for the English UI.

The engine writes its explanation in the Chinese of execution reports (``planwatch.assess.rules``)
and that sentence stays the one to paste into a report.  An English reader gets the same
statement built from the result's own numbers, with the same rounding (``display.fixed``) and the
level the engine gave (never recomputed), following the branches of ``reference.verdict``:
growth against target and peers, a level against its limit, a zero target, completion progress
against time progress, or what is missing.  The Chinese sentence goes along as the tooltip.
Units stay as the plan writes them (亿元, 微克/立方米).
"""
from __future__ import annotations

import re

from planwatch.assess.display import clamp_decimals, fixed

_DEADLINE = re.compile(r"时间进度按(\d{1,2})月(\d{1,2})日完成计")
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _missing(what: str, binding: bool) -> str:
    return f"Binding indicator: no {what}" if binding else f"No {what}"


def _lower(direction: str) -> str:
    return " (lower is better)" if direction == "lower" else ""


def _growth(label: str, pct: float) -> str:
    return f"{label} up {fixed(pct)}%" if pct >= 0 else f"{label} down {fixed(-pct)}%"


def english_explanation(r) -> str:
    """The English statement of a ``Result``'s verdict."""
    decimals = clamp_decimals(r.decimals)
    unit = "" if not r.unit else r.unit if r.unit == "%" else f" {r.unit}"
    if r.rule == "growth":
        if r.yoy_pct is None:
            return _missing("year-on-year growth", r.binding)
        parts = [_growth("Year on year", r.yoy_pct)]
        if r.target_growth is not None:
            parts.append(_growth("target", r.target_growth))
        if r.peer_avg_yoy_pct is not None:
            parts.append(_growth("peer average", r.peer_avg_yoy_pct))
        return ", ".join(parts) + ", " + _growth_verdict(r)
    if r.rule == "level_limit":
        if r.value is None:
            return _missing("figure for this period", r.binding)
        if r.target is None:
            return _missing("target value", r.binding)
        v, t = fixed(r.value, decimals), fixed(r.target, decimals)
        if r.direction == "lower":
            said = f"within the limit of {t}{unit}" if r.level == "green" else f"above the limit of {t}{unit}"
        else:
            said = f"reaching the target of {t}{unit}" if r.level == "green" else f"below the target of {t}{unit}"
        return f"Actual {v}{unit}, {said}"
    if r.target == 0 and r.value is not None:
        met = "target met" if r.level == "green" else "target not met"
        return f"Annual target 0, actual {fixed(r.value, decimals)}{unit}, {met}{_lower(r.direction)}"
    if r.progress_pct is None:
        return _missing("figure for this period" if r.value is None else "annual target", r.binding)
    gap = r.progress_pct - r.time_progress_pct
    if gap > 0:
        compared = f"{fixed(gap)} points ahead of time progress"
    elif gap < 0:
        compared = f"{fixed(-gap)} points behind time progress"
    else:
        compared = "level with time progress"
    text = f"Completion {fixed(r.progress_pct)}%, {compared}{_lower(r.direction)}"
    m = _DEADLINE.search(r.explanation or "")
    if m:
        text += f", time progress counted to the {_MONTHS[int(m[1]) - 1]} {int(m[2])} deadline"
    if r.progress_mismatch and r.reported_progress is not None:
        text += f" (the reported progress of {fixed(r.reported_progress)}% differs from the computed one)"
    return text


_SHORT = {"目标": "the target", "同级平均": "the peer average"}


def _growth_verdict(r) -> str:
    if r.level == "red":
        return "rising instead of falling" if r.direction == "lower" else "negative growth"
    if r.level == "green":
        return "reaching the target and the peer average" if r.target_growth is not None else "reaching the peer average"
    # yellow: what it falls short of.  The engine compares growth with the peers' exact sum, which
    # a result does not carry, so the words are read from the engine's own sentence (its last
    # clause is 未达到 followed by 目标 and/or 同级平均).
    said = (r.explanation or "").rsplit(",", 1)[-1]
    words = said[len("未达到"):].split("和") if said.startswith("未达到") else []
    if words and all(w in _SHORT for w in words):
        return "short of " + " and ".join(_SHORT[w] for w in words)
    return "short of the target or the peer average"
