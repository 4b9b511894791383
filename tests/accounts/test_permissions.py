"""Each role sees and changes exactly its share of the plan."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from planwatch.accounts import permissions as perm
from planwatch.accounts.models import Membership
from planwatch.data.actions import record_value
from planwatch.data.models import DataValue
from planwatch.plans.models import Plan, Task


def test_roles(world):
    u = world.users
    assert perm.role_of(u["admin"]) == "admin"
    assert perm.role_of(u["planner"]) == "planner"
    assert perm.role_of(u["finance"]) == "department"
    assert perm.role_of(u["street1"]) == "subdistrict"
    assert perm.role_of(u["viewer"]) == "viewer"
    assert perm.role_of(u["nobody"]) is None
    assert perm.role_of(AnonymousUser()) is None
    u["planner"].is_active = False
    assert perm.role_of(u["planner"]) is None


def test_department_reporter_edits_only_its_indicators(world):
    finance = world.users["finance"]
    assert perm.can_edit_value(finance, world.revenue, world.district, world.plan)
    assert perm.can_edit_value(finance, world.revenue, world.street2, world.plan)
    assert not perm.can_edit_value(finance, world.housing_area, world.district, world.plan)
    # the same indicator in another district's plan is not its business
    assert not perm.can_edit_value(finance, world.revenue, world.other_district, world.other_plan)


def test_street_reporter_edits_only_its_own_unit(world):
    street1 = world.users["street1"]
    assert perm.can_edit_value(street1, world.revenue, world.street1, world.plan)
    assert perm.can_edit_value(street1, world.housing_area, world.street1, world.plan)
    assert not perm.can_edit_value(street1, world.revenue, world.street2, world.plan)
    assert not perm.can_edit_value(street1, world.revenue, world.district, world.plan)


def test_viewer_and_roleless_change_nothing(world):
    for name in ("viewer", "nobody"):
        user = world.users[name]
        assert not perm.can_edit_value(user, world.revenue, world.district, world.plan)
        assert not perm.can_edit_task(user, world.task_finance)
        assert not perm.can_approve(user, world.plan)
        assert not perm.can_lock(user, world.plan)
    assert perm.can_view_plan(world.users["viewer"], world.plan)
    assert not perm.can_view_plan(world.users["nobody"], world.plan)
    assert not perm.can_view_plan(AnonymousUser(), world.plan)


def test_planner_scope_follows_its_org_unit(world):
    everywhere, district = world.users["planner"], world.users["district_planner"]
    assert perm.can_approve(everywhere, world.other_plan)
    assert perm.can_approve(district, world.plan) and perm.can_lock(district, world.plan)
    assert not perm.can_approve(district, world.other_plan)
    assert not perm.can_edit_value(district, world.revenue, world.other_district, world.other_plan)
    assert perm.can_edit_value(district, world.housing_area, world.street2, world.plan)
    assert set(perm.visible_plans(district)) == {world.plan}


def test_reporters_cannot_approve_or_lock(world):
    for name in ("finance", "street1"):
        assert not perm.can_approve(world.users[name], world.plan)
        assert not perm.can_lock(world.users[name], world.plan)


def test_tasks(world):
    u = world.users
    assert perm.can_edit_task(u["finance"], world.task_finance)
    assert not perm.can_edit_task(u["finance"], world.task_street1)
    assert perm.can_edit_task(u["street1"], world.task_street1)
    assert not perm.can_edit_task(u["street1"], world.task_finance)
    assert perm.can_edit_task(u["planner"], world.task_other)
    assert not perm.can_edit_task(u["district_planner"], world.task_other)
    tasks = Task.objects.all()
    assert set(perm.visible_tasks(u["finance"], tasks)) == {world.task_finance}
    assert set(perm.visible_tasks(u["street1"], tasks)) == {world.task_street1}
    assert set(perm.visible_tasks(u["district_planner"], tasks)) == {world.task_finance, world.task_street1}
    assert set(perm.visible_tasks(u["viewer"], tasks)) == set(tasks)
    assert not perm.visible_tasks(AnonymousUser(), tasks).exists()


def test_visible_values(world):
    a = record_value(world.revenue, world.district, "2021H1", value=1.0)
    b = record_value(world.housing_area, world.street1, "2021H1", value=2.0)
    c = record_value(world.revenue, world.street2, "2021H1", value=3.0)
    d = record_value(world.housing_area, world.other_district, "2021H1", value=4.0)
    qs = DataValue.objects.all()
    u = world.users
    assert set(perm.visible_values(u["admin"], qs)) == {a, b, c, d}
    assert set(perm.visible_values(u["finance"], qs)) == {a, c}
    assert set(perm.visible_values(u["street1"], qs)) == {b}
    assert set(perm.visible_values(u["district_planner"], qs)) == {a, b, c}
    assert not perm.visible_values(u["nobody"], qs).exists()
    assert perm.can_view_value(u["finance"], c) and not perm.can_view_value(u["finance"], b)


def test_visible_plans_for_reporters(world):
    assert set(perm.visible_plans(world.users["finance"])) == {world.plan}
    assert set(perm.visible_plans(world.users["street1"])) == {world.plan}
    assert set(perm.visible_plans(world.users["admin"])) == set(Plan.objects.all())


def test_require_raises_permission_denied():
    perm.require(True)
    with pytest.raises(PermissionDenied):
        perm.require(False)


def test_reporter_memberships_need_their_scope(world):
    m = Membership(user=world.users["nobody"], role="department")
    with pytest.raises(ValidationError):
        m.full_clean()
