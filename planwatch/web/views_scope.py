"""Which items of a plan a user may see on a page, so reporters see their own work and no one else's.

The permission module answers row by row (``visible_values``, ``visible_tasks``, ``can_edit_value``);
pages are built item by item (an indicator of the plan, a key task), so these helpers turn the
row rules into sets of items.  An indicator is visible in an org unit when the user may see a
figure recorded there or may enter it: a department reporter sees the indicators it answers for
even before the first figure arrives, and a 街道 reporter sees its own unit's figures but not the
district's.  The verdicts of hidden items are dropped before the page is drawn, so neither a
figure nor its red/yellow/green level leaks through a card, a board row or a count.
"""
from __future__ import annotations

from collections import Counter
from datetime import date

from planwatch.accounts import permissions as perms
from planwatch.data.models import NOT_CURRENT, DataValue
from planwatch.plans.models import PlanIndicator, Task
from planwatch.web.overview import LEVELS, Overview

SEE_WHOLE_PLAN = {perms.ADMIN, perms.PLANNER, perms.VIEWER}


def sees_whole_plan(user) -> bool:
    """Planners, viewers and administrators see every item of a plan they may open (the views
    have checked the plan with ``plan_or_404``, and the org unit is the plan's unit or below it)."""
    return perms.role_of(user) in SEE_WHOLE_PLAN


def visible_indicator_codes(user, plan, org_unit, period: str | None = None) -> set[str]:
    """Codes of the plan's indicators whose figure for ``org_unit`` the user may see."""
    uses = list(PlanIndicator.objects.filter(plan=plan).select_related("indicator"))
    if sees_whole_plan(user):
        return {u.indicator.code for u in uses}
    if perms.role_of(user) is None:
        return set()
    rows = DataValue.objects.filter(indicator_id__in=[u.indicator_id for u in uses], org_unit=org_unit)
    if period:
        rows = rows.filter(period__code=period)
    seen = set(perms.visible_values(user, rows.exclude(status__in=NOT_CURRENT)).values_list("indicator_id", flat=True))
    return {u.indicator.code for u in uses
            if u.indicator_id in seen or perms.can_edit_value(user, u.indicator, org_unit, plan)}


def visible_task_ids(user, plan, org_unit) -> set[int]:
    """Ids of the unit's key tasks the user may see."""
    return set(perms.visible_tasks(user, Task.objects.filter(plan=plan, org_unit=org_unit)).values_list("pk", flat=True))


def restrict(ov: Overview, indicator_codes: set[str], task_ids: set[int], *, level: str = "", department: str = "",
             due_by: date | None = None) -> Overview:
    """The overview with hidden items removed, then the page's filters applied; the counts are
    those of the visible items only.  ``ov`` must be built without filters."""
    ov.cards = [c for c in ov.cards if c.code in indicator_codes]
    visible = {area: [i for i in items if (i.code in indicator_codes if i.kind == "indicator" else i.id in task_ids)]
               for area, items in ov.board.items()}
    counts = Counter(i.level for items in visible.values() for i in items)
    ov.counts = {lv: counts.get(lv, 0) for lv in LEVELS}
    board = {}
    for area, items in visible.items():
        kept = [i for i in items
                if (not level or i.level == level)
                and (not department or department in i.department_codes)
                and (due_by is None or (i.deadline is not None and i.deadline <= due_by))]
        if kept:
            board[area] = kept
    ov.board = board
    return ov
