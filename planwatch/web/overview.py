"""What the dashboard shows for a plan, a period and an org unit, gathered in one place.

The verdicts (levels, completion and time progress, the sentence that explains them, rankings)
are the assessment engine's: this module loads the plan's items with ``planwatch.assess.load``,
keeps the rows the view needs, runs the batch engine and arranges its results into headline
cards and a task board. The web page and the API's dashboard endpoint both read from here, so
they cannot disagree.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from django.db.models import Q
from django.utils.translation import gettext as _

from planwatch.assess import batch
from planwatch.assess.load import LoadError, load_unit_items
from planwatch.assess.model import LEVEL_ZH, Result
from planwatch.assess.ranking import rank
from planwatch.data.version import Stamp, transaction_status
from planwatch.data.version import stamp as data_version  # noqa: F401 (the API's dashboard asks too)
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


_EVERY_KEPT: list["Kept"] = []


class Kept:
    """Values kept per process until the data changes (``planwatch.data.version``), at most ``size`` of them,
    the oldest dropped first. Safe under gunicorn's threaded workers: a value missing is computed
    once, the other threads that ask for it meanwhile wait for it instead of computing it too.

    A value is kept with the version read *before* it was computed, and holds while the ids read
    the same and none of the transactions then writing has committed (asked of the database only
    while some are unresolved)."""

    def __init__(self, size: int):
        self.size = size
        self._held: dict = {}
        self._lock = threading.Lock()
        self._computing: dict = {}
        _EVERY_KEPT.append(self)

    def get(self, key, version, compute):
        held = self._holding(key, version)
        if held is not None:
            return held[2]
        with self._lock:
            busy = self._computing.setdefault(key, threading.Lock())
        with busy:
            held = self._holding(key, version)
            if held is not None:
                return held[2]
            try:
                value = compute()
                ids, writing = (version.ids, version.in_flight) if isinstance(version, Stamp) else (version, frozenset())
                with self._lock:
                    self._held.pop(key, None)
                    while len(self._held) >= self.size:
                        self._held.pop(next(iter(self._held)))
                    self._held[key] = (ids, writing, value)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            return value

    def _holding(self, key, version) -> tuple | None:
        """The entry kept for ``key`` if it still holds at ``version``, else None."""
        held = self._held.get(key)
        if held is None or held[0] != (version.ids if isinstance(version, Stamp) else version):
            return None
        if not held[1]:
            return held
        committed, running = transaction_status(held[1])
        if committed:
            return None
        if running != held[1]:  # some ended without committing: nothing of theirs can come any more
            with self._lock:
                if self._held.get(key) is held:
                    self._held[key] = (held[0], running, held[2])
        return held

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


def peer_scope(org_unit: OrgUnit) -> list[int]:
    """Ids of the org units whose items decide the results of ``org_unit`` and of its children.

    The engine compares rows only through the growth rule's peer average, taken per indicator,
    period and peer group, a unit's parent (``batch.PEER_KEYS``, ``reference.peer_key``). The
    unit's rows need its whole peer group, the units with the same parent; its children's rows
    need theirs, all the children. With those two groups the results of these rows are the same
    as from the whole plan (tests/api/test_dashboard_scope.py checks it against the whole plan).
    """
    siblings = Q(parent__isnull=True) if org_unit.parent_id is None else Q(parent_id=org_unit.parent_id)
    return list(OrgUnit.objects.filter(siblings | Q(parent_id=org_unit.pk) | Q(pk=org_unit.pk))
                .values_list("pk", flat=True))


# A county's scope is a few thousand rows (a few hundred kB assessed); a district's with its 街道
# no more. Kept per (plan, period, unit).
_ASSESSED = Kept(256)


def assessed_scope(plan: Plan, period: str, org_unit: OrgUnit) -> tuple[pl.DataFrame | None, object]:
    """The engine's results for the peer group of ``org_unit`` and for its children, in one
    period (cached per process): a county's dashboard reads and assesses its city's counties,
    not the whole nation."""
    def compute():
        info, frame = load_unit_items(plan.code, [period], peer_scope(org_unit))
        return (batch.assess_frame(frame, info.thresholds) if not frame.is_empty() else None), info.thresholds

    return _ASSESSED.get((plan.code, period, org_unit.pk), data_version(), compute)


def results_for(plan: Plan, period: str, org_unit: OrgUnit) -> list[Result]:
    """Engine results of ``org_unit`` and of its children, with the growth rule's peer averages
    over all their peers (see ``peer_scope``)."""
    frame, thresholds = assessed_scope(plan, period, org_unit)
    if frame is None:
        return []
    mine = frame.filter((pl.col("org_unit") == org_unit.code) | (pl.col("peer_group") == org_unit.code))
    return [Result(**row, thresholds=thresholds) for row in mine.iter_rows(named=True)]


_STRUCTURE = Kept(256)


def structure(plan: Plan, org_unit: OrgUnit) -> tuple[list, list]:
    """The plan's indicators and the unit's tasks as plain rows, cached until the data changes
    (plans change through audited loads, so the data version covers them too)."""
    def compute():
        uses = []
        for u in (PlanIndicator.objects.filter(plan=plan).select_related("indicator", "area")
                  .prefetch_related("departments").order_by("order")):
            depts = list(u.departments.all())
            ind = u.indicator
            uses.append((ind.code, ind.name, ind.unit, ind.binding, u.headline, ind.pk,
                         u.area.name if u.area else "", [d.name for d in depts], [d.code for d in depts]))
        tasks = []
        for t in (Task.objects.filter(plan=plan, org_unit=org_unit).select_related("area")
                  .prefetch_related("departments").order_by("order", "code")):
            depts = list(t.departments.all())
            tasks.append((t.pk, t.code, t.title, t.area.name if t.area else "", [d.name for d in depts],
                          [d.code for d in depts], t.deadline, t.deadline_text, t.goal_label))
        return uses, tasks

    return _STRUCTURE.get((plan.pk, org_unit.pk), data_version(), compute)


def clear_caches() -> None:
    """Forget everything kept (for tests: rolled-back data can repeat a data version)."""
    for kept in _EVERY_KEPT:
        kept.clear()


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
