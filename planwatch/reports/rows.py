"""What a report is drafted from: plain rows, loaded once from the database by ``load.py``.

Keeping them plain (no querysets) lets ``compose.py`` be a pure function of its input, so the
report's wording is tested without a database and the renderers never touch the ORM.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from planwatch.reports.model import Source


@dataclass(frozen=True)
class ValueRow:
    """The current figure of an indicator for one org unit."""

    org_code: str
    org_name: str
    value: float | None
    decimals: int | None
    yoy_pct: float | None
    progress_pct: float | None   # as the report stated it
    status: str
    source_id: str
    note: str = ""


@dataclass
class IndicatorRow:
    code: str
    name: str
    unit: str
    kind: str
    direction: str
    binding: bool
    aggregation: str
    decimals: int | None
    rule: str
    headline: bool
    order: int
    area: str | None
    departments: list[str] = field(default_factory=list)
    target: float | None = None
    target_growth: float | None = None
    target_source: str | None = None
    value: ValueRow | None = None                                # the report's own org unit
    children: list[ValueRow] = field(default_factory=list)      # its 街道 (peers for ranking)
    child_targets: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    @property
    def shown_decimals(self) -> int | None:
        if self.value is not None and self.value.decimals is not None:
            return self.value.decimals
        return self.decimals


@dataclass
class TaskRow:
    code: str
    title: str
    text: str
    area: str | None
    order: int
    target_quantity: float | None
    unit: str
    deadline: date | None
    deadline_text: str
    departments: list[str]
    plan_source: str
    quantity_done: float | None = None
    percent: float | None = None
    narrative: str = ""
    status: str | None = None
    progress_source: str | None = None


@dataclass
class AreaRow:
    code: str
    name: str
    order: int


@dataclass(frozen=True)
class NarrativeRow:
    """A planner's text for a part of the report (execution / issues / next), an area or a task."""

    part: str
    area: str | None
    task: str | None
    text: str
    source_id: str


@dataclass
class ReportData:
    plan_code: str
    plan_name: str
    year: int
    org_code: str
    org_name: str
    org_level: str
    period_code: str
    thresholds: dict
    areas: list[AreaRow]
    indicators: list[IndicatorRow]
    tasks: list[TaskRow]
    narratives: list[NarrativeRow]
    sources: dict[str, Source]
    approved_only: bool = False

    def narratives_for(self, part: str, area: str | None = None, task: str | None = None) -> list[NarrativeRow]:
        return [n for n in self.narratives if n.part == part and n.area == area and n.task == task]
