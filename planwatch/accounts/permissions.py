"""The object-level rules every view, API endpoint, export and command asks before acting.

One module answers "may this user see / change this thing?" so the web pages, the API, the
admin and the exports cannot drift apart.  All functions take a Django user (anonymous users
and inactive accounts may do nothing; superusers are administrators).

Scopes, as a planning office would describe them:

- 系统管理员 (admin): everything.
- 计划编制部门 (planner): everything in its plans — all plans, or, when the membership names an
  org unit, the plans of that unit and of the units below it.  Plans, targets, values, tasks,
  approval and period locks.
- 责任部门填报人 (department): sees and enters the indicators and key tasks its department is
  responsible for (PlanIndicator.departments / Task.departments), for the plan's own unit and
  the units below it.
- 街道填报人 (subdistrict): sees and enters the figures of its own org unit (and units below it)
  and the tasks assigned to it.
- 只读用户 (viewer): reads everything in its scope, changes nothing.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from planwatch.accounts.models import Membership, Role
from planwatch.plans.models import OrgUnit, Plan, PlanIndicator

ADMIN = Role.ADMIN.value
PLANNER = Role.PLANNER.value
DEPARTMENT = Role.DEPARTMENT.value
SUBDISTRICT = Role.SUBDISTRICT.value
VIEWER = Role.VIEWER.value
ROLES = [ADMIN, PLANNER, DEPARTMENT, SUBDISTRICT, VIEWER]
REPORTERS = {DEPARTMENT, SUBDISTRICT}


def membership_of(user) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def role_of(user) -> str | None:
    """The user's role, or None for anonymous, inactive or role-less accounts."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ADMIN
    m = membership_of(user)
    return m.role if m else None


def require(allowed: bool, message: str = "没有权限执行此操作") -> None:
    """Raise PermissionDenied (HTTP 403) unless allowed."""
    if not allowed:
        raise PermissionDenied(message)


# -- asking each question once ----------------------------------------------------------------
#
# A bulk import asks may-this-user-edit for every indicator × org unit it writes; the answers
# rest on a few facts (the units under a plan's unit, the indicators of a department) that are
# the same for all 50,000 cells.  Inside ``asked_once()`` each such fact is read from the
# database once and remembered until the block ends; outside it nothing is remembered.

_memo: ContextVar[dict | None] = ContextVar("planwatch_permission_memo", default=None)


@contextmanager
def asked_once():
    """Remember the org-unit and responsibility facts behind permission answers for this block."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _remembered(key: tuple, compute):
    """compute() once per key inside asked_once() (kept as a frozenset, so no caller can change it)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        value = compute()
        memo[key] = frozenset(value) if isinstance(value, set) else value
    return memo[key]


# -- org unit trees ---------------------------------------------------------------------------

def unit_and_below(org_unit) -> set[int]:
    """Ids of an org unit and of every unit below it (a district and its 街道 and communities)."""
    if org_unit is None:
        return set()
    root = org_unit.pk if isinstance(org_unit, OrgUnit) else int(org_unit)
    return _remembered(("below", root), lambda: _unit_and_below(root))


def _unit_and_below(root: int) -> set[int]:
    ids, frontier = {root}, {root}
    while frontier:
        frontier = set(OrgUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids


def unit_and_above(org_unit) -> set[int]:
    """Ids of an org unit and of the units it belongs to."""
    if org_unit is None:
        return set()
    return _remembered(("above", org_unit.pk), lambda: _unit_and_above(org_unit))


def _unit_and_above(org_unit) -> set[int]:
    ids = set()
    unit = org_unit
    while unit is not None and unit.pk not in ids:
        ids.add(unit.pk)
        unit = unit.parent
    return ids


def _plan_in_scope(m: Membership, plan) -> bool:
    """Planner/viewer scope: no org unit means all plans; otherwise plans of that unit and below."""
    if m.org_unit_id is None:
        return True
    return plan.org_unit_id in unit_and_below(m.org_unit_id)


def _department_indicator_ids(department_id, plan=None) -> set[int]:
    return _remembered(("department indicators", department_id, getattr(plan, "pk", None)),
                       lambda: _department_indicator_ids_now(department_id, plan))


def _department_indicator_ids_now(department_id, plan=None) -> set[int]:
    uses = PlanIndicator.objects.filter(departments=department_id)
    if plan is not None:
        uses = uses.filter(plan=plan)
    return set(uses.values_list("indicator_id", flat=True))


# -- plans ------------------------------------------------------------------------------------

def visible_plans(user, queryset=None):
    """The plans a user may open."""
    qs = Plan.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role is None:
        return qs.none()
    if role == ADMIN:
        return qs
    m = membership_of(user)
    if role in (PLANNER, VIEWER):
        return qs if m.org_unit_id is None else qs.filter(org_unit_id__in=unit_and_below(m.org_unit_id))
    if role == DEPARTMENT:
        return qs.filter(Q(plan_indicators__departments=m.department_id) | Q(tasks__departments=m.department_id)).distinct()
    # 街道: the plans of its own unit and of the units above it
    return qs.filter(org_unit_id__in=unit_and_above(m.org_unit))


def can_view_plan(user, plan) -> bool:
    return visible_plans(user, Plan.objects.filter(pk=plan.pk)).exists()


def can_manage_plan(user, plan) -> bool:
    """Change the plan itself: plan files, targets, tasks, deadlines (admin or planner in scope)."""
    role = role_of(user)
    if role == ADMIN:
        return True
    return role == PLANNER and _plan_in_scope(membership_of(user), plan)


def can_approve(user, plan) -> bool:
    """Approve or return submitted values and progress of a plan."""
    return can_manage_plan(user, plan)


def can_lock(user, plan) -> bool:
    """Lock a period of a plan, or reopen it."""
    return can_manage_plan(user, plan)


def can_edit_target(user, target) -> bool:
    return can_manage_plan(user, target.plan)


# -- values -----------------------------------------------------------------------------------

def can_edit_value(user, indicator, org_unit, plan) -> bool:
    """Enter or change the figure of an indicator for an org unit under a plan."""
    role = role_of(user)
    if role == ADMIN:
        return True
    if role is None or role == VIEWER:
        return False
    m = membership_of(user)
    in_plan_area = org_unit.pk in unit_and_below(plan.org_unit_id)
    if role == PLANNER:
        return in_plan_area and _plan_in_scope(m, plan)
    if role == DEPARTMENT:
        return in_plan_area and indicator.pk in _department_indicator_ids(m.department_id, plan)
    # 街道
    return org_unit.pk in unit_and_below(m.org_unit_id) and plan.org_unit_id in unit_and_above(m.org_unit)


def _narrowed(user, queryset, *, unit_field: str, planner_unit_field: str, department_filter):
    """The rows of ``queryset`` a user may see, by role: everything for administrators and
    unscoped planners and viewers, the org unit's subtree for scoped ones (through
    ``planner_unit_field``) and for 街道 reporters (through ``unit_field``), and what
    ``department_filter(queryset, department_id)`` keeps for department reporters."""
    role = role_of(user)
    if role is None:
        return queryset.none()
    if role == ADMIN:
        return queryset
    m = membership_of(user)
    if role in (PLANNER, VIEWER):
        if m.org_unit_id is None:
            return queryset
        return queryset.filter(**{f"{planner_unit_field}__in": unit_and_below(m.org_unit_id)})
    if role == DEPARTMENT:
        return department_filter(queryset, m.department_id)
    return queryset.filter(**{f"{unit_field}__in": unit_and_below(m.org_unit_id)})


def visible_values(user, queryset):
    """The DataValue rows a user may see."""
    return _narrowed(user, queryset, unit_field="org_unit_id", planner_unit_field="org_unit_id",
                     department_filter=lambda qs, d: qs.filter(indicator_id__in=_department_indicator_ids(d)))


def can_view_value(user, value) -> bool:
    return visible_values(user, type(value).objects.filter(pk=value.pk)).exists()


# -- tasks ------------------------------------------------------------------------------------

def can_edit_task(user, task) -> bool:
    """Report progress on a key task."""
    role = role_of(user)
    if role == ADMIN:
        return True
    if role is None or role == VIEWER:
        return False
    m = membership_of(user)
    if role == PLANNER:
        return _plan_in_scope(m, task.plan)
    if role == DEPARTMENT:
        return _remembered(("task department", task.pk, m.department_id),
                           lambda: task.departments.filter(pk=m.department_id).exists())
    return task.org_unit_id in unit_and_below(m.org_unit_id)


def visible_tasks(user, queryset):
    """The Task rows a user may see."""
    return _narrowed(user, queryset, unit_field="org_unit_id", planner_unit_field="plan__org_unit_id",
                     department_filter=lambda qs, d: qs.filter(departments=d).distinct())


def can_view_task(user, task) -> bool:
    return visible_tasks(user, type(task).objects.filter(pk=task.pk)).exists()


def visible_progress(user, queryset):
    """The TaskProgress rows a user may see (those of the tasks it may see)."""
    from planwatch.plans.models import Task

    return queryset.filter(task__in=visible_tasks(user, Task.objects.all()))


# -- audit ------------------------------------------------------------------------------------

def can_view_audit(user) -> bool:
    """The full audit trail is for administrators and planners; reporters see their own records' history."""
    return role_of(user) in (ADMIN, PLANNER)
