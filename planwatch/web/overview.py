"""What the dashboard shows for a plan, a period and an org unit, gathered in one place.

The verdicts (levels, completion and time progress, the sentence that explains them, rankings)
are the assessment engine's: this module loads the plan's items with ``planwatch.assess.load``,
keeps the rows the view needs, runs the batch engine and arranges its results into headline
cards and a task board. The web page and the API's dashboard endpoint both read from here, so
they cannot disagree.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from django.db import connection
from django.utils.translation import gettext as _

from planwatch.assess import batch
from planwatch.assess.load import LoadError, load_items
from planwatch.assess.model import LEVEL_ZH, Result
from planwatch.assess.ranking import rank
from planwatch.data.models import DataValue, Period
from planwatch.plans.models import OrgUnit, Plan, PlanIndicator, Task

LEVELS = ("red", "yellow", "green", "missing")


@dataclass
class Card:
    """A headline indicator: its figure, growth, and completion against time progress."""

    code: str
    name: str
    unit: str
    binding: bool
    result: Result | None

    @property
    def level(self) -> str:
        return self.result.level if self.result else "missing"


@dataclass
class BoardItem:
    kind: str                 # "indicator" | "task"
    id: int
    code: str
    name: str
    area: str
    departments: list[str]
    department_codes: list[str]
    deadline: date | None
    deadline_text: str
    goal: str
    result: Result | None

    @property
    def level(self) -> str:
        return self.result.level if self.result else "missing"


@dataclass
class Overview:
    plan: Plan
    period: str
    org_unit: OrgUnit
    cards: list[Card]
    board: dict[str, list[BoardItem]]           # area name → items, in plan order
    counts: dict[str, int]
    time_progress_pct: float | None
    children: list[OrgUnit] = field(default_factory=list)
    note: str = ""

    @property
    def level_names(self) -> dict[str, str]:
        return LEVEL_ZH


def periods_of(plan: Plan) -> list[str]:
    """Periods of the plan year that have figures or progress, latest first."""
    codes = set(DataValue.objects.filter(period__year=plan.year).values_list("period__code", flat=True).distinct())
    codes |= set(Task.objects.filter(plan=plan, progress__period__year=plan.year)
                 .values_list("progress__period__code", flat=True).distinct())
    ordered = Period.objects.filter(code__in=codes).order_by("-end", "kind")
    return [p.code for p in ordered]


def default_period(plan: Plan) -> str:
    periods = periods_of(plan)
    return periods[0] if periods else f"{plan.year}H1"


# One assessed frame per (plan, period) and process, reused until the data changes. Every change
# made through the actions writes an audit row, and bulk loads add rows, so the highest ids of
# those tables say whether anything changed; reading them costs four index look-ups.
_ASSESSED: dict[tuple[str, str], tuple[tuple, pl.DataFrame, object]] = {}


def data_version() -> tuple:
    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT MAX(id) FROM data_auditentry), (SELECT MAX(id) FROM data_datavalue), "
                    "(SELECT MAX(id) FROM data_taskprogress), (SELECT MAX(id) FROM plans_target)")
        return tuple(cur.fetchone())


def assessed_frame(plan: Plan, period: str) -> tuple[pl.DataFrame, object]:
    """The engine's results for every item of the plan in one period (cached per process)."""
    version = data_version()
    key = (plan.code, period)
    held = _ASSESSED.get(key)
    if held is not None and held[0] == version:
        return held[1], held[2]
    info, frame = load_items(plan.code, [period])
    out = batch.assess_frame(frame, info.thresholds) if not frame.is_empty() else None
    if len(_ASSESSED) >= 8:
        _ASSESSED.pop(next(iter(_ASSESSED)))
    _ASSESSED[key] = (version, out, info.thresholds)
    return out, info.thresholds


def results_for(plan: Plan, period: str, org_unit: OrgUnit) -> list[Result]:
    """Engine results of ``org_unit`` and of its children (the plan assessed as a whole, so the
    growth rule's peer averages are those of all peers)."""
    frame, thresholds = assessed_frame(plan, period)
    if frame is None:
        return []
    mine = frame.filter((pl.col("org_unit") == org_unit.code) | (pl.col("peer_group") == org_unit.code))
    return [Result(**row, thresholds=thresholds) for row in mine.iter_rows(named=True)]


_STRUCTURE: dict[tuple, tuple[tuple, tuple[list, list]]] = {}


def structure(plan: Plan, org_unit: OrgUnit) -> tuple[list, list]:
    """The plan's indicators and the unit's tasks as plain rows, cached until the data changes
    (plans change through audited loads, so the data version covers them too)."""
    version = data_version()
    key = (plan.pk, org_unit.pk)
    held = _STRUCTURE.get(key)
    if held is not None and held[0] == version:
        return held[1]
    uses = []
    for u in (PlanIndicator.objects.filter(plan=plan).select_related("indicator", "area")
              .prefetch_related("departments").order_by("order")):
        depts = list(u.departments.all())
        ind = u.indicator
        uses.append((ind.code, ind.name, ind.unit, ind.binding, u.headline, ind.pk, u.area.name if u.area else "",
                     [d.name for d in depts], [d.code for d in depts]))
    tasks = []
    for t in (Task.objects.filter(plan=plan, org_unit=org_unit).select_related("area")
              .prefetch_related("departments").order_by("order", "code")):
        depts = list(t.departments.all())
        tasks.append((t.pk, t.code, t.title, t.area.name if t.area else "", [d.name for d in depts],
                      [d.code for d in depts], t.deadline, t.deadline_text, t.goal_label))
    if len(_STRUCTURE) >= 256:
        _STRUCTURE.pop(next(iter(_STRUCTURE)))
    _STRUCTURE[key] = (version, (uses, tasks))
    return uses, tasks


def build(plan: Plan, period: str, org_unit: OrgUnit, *, level: str = "", department: str = "",
          due_by: date | None = None) -> Overview:
    try:
        results = results_for(plan, period, org_unit)
        note = ""
    except LoadError as exc:
        results, note = [], _("%(period)s 暂无数据(%(error)s)") % {"period": period, "error": exc}
    own = {(r.item_type, r.code): r for r in results if r.org_unit == org_unit.code}
    uses, tasks = structure(plan, org_unit)
    cards = [Card(code, name, unit, binding, own.get(("indicator", code)))
             for code, name, unit, binding, headline, *_ in uses if headline]
    items: list[BoardItem] = []
    for code, name, unit, binding, headline, pk, area, dept_names, dept_codes in uses:
        r = own.get(("indicator", code))
        if r is None and org_unit.pk != plan.org_unit_id:
            continue  # a 街道 sees the indicators it has a target or a figure for
        items.append(BoardItem("indicator", pk, code, name, area, dept_names, dept_codes, None, "", "", r))
    for pk, code, title, area, dept_names, dept_codes, deadline, deadline_text, goal in tasks:
        items.append(BoardItem("task", pk, code, title, area, dept_names, dept_codes, deadline, deadline_text,
                               goal, own.get(("task", code))))
    counts = Counter(i.level for i in items)
    shown = [i for i in items
             if (not level or i.level == level)
             and (not department or department in i.department_codes)
             and (due_by is None or (i.deadline is not None and i.deadline <= due_by))]
    board: dict[str, list[BoardItem]] = {}
    for area in plan.areas.order_by("order", "code"):
        board[area.name] = []
    for i in shown:
        board.setdefault(i.area or _("其他"), []).append(i)
    board = {k: v for k, v in board.items() if v}
    tp = next((r.time_progress_pct for r in results if r.item_type == "indicator"), None)
    children = list(OrgUnit.objects.filter(parent=org_unit).order_by("code"))
    return Overview(plan, period, org_unit, cards, board, {lv: counts.get(lv, 0) for lv in LEVELS}, tp,
                    children, note)


def ranking(plan: Plan, period: str, org_unit: OrgUnit, indicator_code: str, measure: str = "value"):
    """The children of ``org_unit`` ranked on one indicator (the 街道 of a district)."""
    try:
        results = results_for(plan, period, org_unit)
    except LoadError:
        return [], {}
    kids = [r for r in results if r.code == indicator_code and r.item_type == "indicator"
            and r.peer_group == org_unit.code]
    by_unit = {r.org_unit: r for r in kids}
    return rank(kids, measure), by_unit


def own_result(plan: Plan, period: str, org_unit: OrgUnit, indicator_code: str) -> Result | None:
    try:
        results = results_for(plan, period, org_unit)
    except LoadError:
        return None
    return next((r for r in results if r.code == indicator_code and r.org_unit == org_unit.code
                 and r.item_type == "indicator"), None)
