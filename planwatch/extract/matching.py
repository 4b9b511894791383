"""Match extracted facts to the indicators and tasks of a plan, with a confidence.

A fact is about an indicator when its subject names it (or one of its aliases) and its unit
measures the same thing: "区级一般公共预算收入 105.7亿元" is the indicator 区级一般公共预算收入 in
亿元, not a task counted in 户.  A growth rate stated alone ("地区生产总值同比增长7.7%") is about
the indicator whatever its unit.  The confidence is name similarity times unit compatibility,
so a reviewer can accept the sure matches in bulk and look at the rest.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from planwatch import units

DEFAULT_THRESHOLD = 0.5


@dataclass
class Candidate:
    """An indicator or a task a fact may be about."""

    code: str
    name: str
    unit: str = ""
    kind: str = "indicator"  # "indicator" | "task"
    aliases: list[str] = field(default_factory=list)
    ref: object = None  # the model object, for callers that have one


@dataclass
class Match:
    candidate: Candidate | None
    confidence: float


def _norm(s: str) -> str:
    return "".join(ch for ch in (s or "") if ch not in "“”\"'‘’《》() \u3000,,、")


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} if len(s) > 1 else {s}


# How far a piece of work has come is said of the work: "东单体育中心工程进度达到85%" is about
# 东单体育中心, so these words are dropped from the end of a subject before comparing names.
_PROGRESS_TAIL = ("工程进度", "建设进度", "施工进度", "完成进度", "进度", "完成率")


def _strip_progress_tail(s: str) -> str:
    for tail in _PROGRESS_TAIL:
        if s.endswith(tail) and len(s) > len(tail) + 1:
            return s[: -len(tail)]
    return s


def name_similarity(subject: str, name: str) -> float:
    """1.0 for the same words; high when one contains the other; else shared character pairs.

    A subject that opens a name ("东单体育中心" of "东单体育中心完工并投入使用") scores higher
    than one found elsewhere in it: task titles put the thing first and the goal after it.
    """
    s, n = _strip_progress_tail(_norm(subject)), _norm(name)
    if not s or not n:
        return 0.0
    if s == n:
        return 1.0
    if n in s:
        return 0.75 + 0.2 * len(n) / len(s)
    if len(s) >= 4 and n.startswith(s):
        return 0.8 + 0.15 * len(s) / len(n)
    if s in n:
        return 0.55 + 0.3 * len(s) / len(n)
    a, b = _bigrams(s), _bigrams(n)
    return 2 * len(a & b) / (len(a) + len(b))


def unit_compatibility(fact_unit: str, candidate_unit: str, growth_only: bool) -> float:
    """1 when both measure the same base unit, 0.8 when the candidate has none, else 0.2."""
    if growth_only:
        return 1.0
    if not candidate_unit:
        return 0.8
    _, fb = units.split_magnitude(fact_unit or "")
    _, cb = units.split_magnitude(candidate_unit)
    if fb == cb:
        return 1.0
    if fb in ("%", "‰") or cb in ("%", "‰"):
        return 0.2
    return 0.2 if fb and cb else 0.6


def _is_growth_only(fact) -> bool:
    """A percentage that only states a change or a progress of its subject."""
    unit = getattr(fact, "unit", "") or ""
    if unit != "%":
        return False
    value = getattr(fact, "value", None)
    yoy, prog = getattr(fact, "yoy_pct", None), getattr(fact, "progress_pct", None)
    return (yoy is not None and abs(abs(yoy) - value) < 1e-9) or (prog is not None and abs(prog - value) < 1e-9)


def match_fact(fact, candidates: list[Candidate], threshold: float = DEFAULT_THRESHOLD) -> Match:
    """The best candidate for one fact, or Match(None, best confidence) below the threshold."""
    growth_only = _is_growth_only(fact)
    best, best_conf = None, 0.0
    for c in candidates:
        sim = max([name_similarity(fact.subject, c.name)] + [name_similarity(fact.subject, a) for a in c.aliases])
        if sim <= 0:
            continue
        if c.kind == "task" and (fact.unit or "") == "%":
            compat = 1.0  # a percentage of a task is how much of it is done
        else:
            compat = unit_compatibility(fact.unit, c.unit, growth_only)
        conf = sim * compat
        if conf > best_conf:
            best, best_conf = c, conf
    conf = round(best_conf, 3)
    return Match(best if best_conf >= threshold else None, conf)


def match_facts(facts, candidates: list[Candidate], threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
    return [match_fact(f, candidates, threshold) for f in facts]
