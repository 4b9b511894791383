"""The rows the engines read and the results they give: plain data, no database.

An ``Item`` is one thing to assess: an indicator in one org unit and period, or a key task in a
period. It carries everything a rule needs (the indicator's kind, direction and binding flag,
the target, the reported figures), so the engines never look anything up. ``load.py`` builds
items from the database; tests build them by hand or at random.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date

LEVELS = ("green", "yellow", "red", "missing")
LEVEL_ZH = {"green": "绿", "yellow": "黄", "red": "红", "missing": "缺数"}
RULES = ("time_progress", "growth", "level_limit")
RULE_ZH = {"time_progress": "时间进度", "growth": "增速对标", "level_limit": "限值"}
KINDS = ("flow", "level", "task")
DIRECTIONS = ("higher", "lower")


class ThresholdError(ValueError):
    """A plan's thresholds that cannot be used."""


# Keys a plan file may carry that other parts of planwatch read; the engine leaves them alone.
NOT_OURS = {"peer_rule"}


@dataclass(frozen=True)
class Thresholds:
    """Warning thresholds of one plan (``Plan.thresholds``), every one with a default.

    yellow_band         time progress: points below time progress that are still yellow
    limit_band_pct      level against limit: percent beyond the limit that is still yellow
    reported_tolerance  points by which a reported progress may differ from the computed one
                        before it is flagged (one unit of the one decimal reports use)
    sum_tolerance_pct   街道 sum vs district figure: relative slack on top of rounding slack
    day_based           time progress in calendar days instead of months
    """

    yellow_band: float = 5.0
    limit_band_pct: float = 5.0
    reported_tolerance: float = 0.1
    sum_tolerance_pct: float = 0.0
    day_based: bool = False

    @classmethod
    def from_plan(cls, raw: dict | None) -> "Thresholds":
        raw = {k: v for k, v in (raw or {}).items() if k not in NOT_OURS}
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise ThresholdError(f"unknown threshold(s) {unknown}; known: {sorted(known)}")
        values = {}
        for name, value in raw.items():
            if name == "day_based":
                if not isinstance(value, bool):
                    raise ThresholdError(f"threshold day_based must be true or false, not {value!r}")
                values[name] = value
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ThresholdError(f"threshold {name} must be a number ≥ 0, not {value!r}")
            values[name] = float(value)
        return cls(**values)

    @property
    def basis(self) -> str:
        return "day" if self.day_based else "month"


@dataclass(frozen=True)
class Item:
    """One indicator × org unit × period, or one task × period, with all it is judged by.

    value         year-to-date figure (flows), the level (levels), quantity done (tasks)
    target        annual target value / target level / target quantity
    target_growth target growth in percent (a growth-only target has no ``target``)
    reported_progress  completion progress as the report states it (完成进度55.5%)
    peer_group    org units whose figures are compared with each other (their parent's code)
    """

    code: str
    org_unit: str
    period: str
    plan_year: int
    item_type: str = "indicator"
    name: str = ""
    org_unit_name: str = ""
    peer_group: str | None = None
    unit: str = ""
    kind: str = "flow"
    direction: str = "higher"
    binding: bool = False
    aggregation: str = "none"
    rule: str = ""
    decimals: int = 1
    target: float | None = None
    target_growth: float | None = None
    value: float | None = None
    yoy_pct: float | None = None
    reported_progress: float | None = None
    deadline: date | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.code}: kind must be one of {KINDS}, not {self.kind!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"{self.code}: direction must be one of {DIRECTIONS}, not {self.direction!r}")
        if self.rule and self.rule not in RULES:
            raise ValueError(f"{self.code}: rule must be one of {RULES} or empty, not {self.rule!r}")
        if self.item_type not in ("indicator", "task"):
            raise ValueError(f"{self.code}: item_type must be indicator or task, not {self.item_type!r}")


ITEM_COLUMNS = [f.name for f in fields(Item)]


@dataclass(frozen=True)
class Result:
    """The verdict on one item: numbers, level, the rule that gave it and why, in Chinese."""

    item_type: str
    code: str
    name: str
    org_unit: str
    org_unit_name: str
    peer_group: str | None
    period: str
    unit: str
    decimals: int
    binding: bool
    direction: str
    value: float | None
    target: float | None
    target_growth: float | None
    progress_pct: float | None
    progress_source: str | None          # "computed" | "reported" | None
    reported_progress: float | None
    progress_mismatch: bool | None       # None when there is nothing to compare
    time_progress_pct: float
    yoy_pct: float | None
    peer_avg_yoy_pct: float | None
    level: str
    rule: str
    explanation: str
    thresholds: Thresholds = field(default_factory=Thresholds, compare=False, repr=False)

    @property
    def inputs(self) -> dict:
        """What the rule looked at, for a planner who asks "why yellow?"."""
        if self.rule == "growth":
            return {"yoy_pct": self.yoy_pct, "target_growth_pct": self.target_growth,
                    "peer_avg_yoy_pct": self.peer_avg_yoy_pct, "direction": self.direction}
        if self.rule == "level_limit":
            return {"value": self.value, "target": self.target, "direction": self.direction,
                    "limit_band_pct": self.thresholds.limit_band_pct}
        return {"value": self.value, "target": self.target, "progress_pct": self.progress_pct,
                "time_progress_pct": self.time_progress_pct, "direction": self.direction,
                "yellow_band": self.thresholds.yellow_band}

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("thresholds")
        d["inputs"] = self.inputs
        return d


RESULT_COLUMNS = [f.name for f in fields(Result) if f.name != "thresholds"]
