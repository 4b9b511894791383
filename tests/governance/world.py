"""A small district with two 街道, two departments and one account per role (shared by the governance tests)."""
from __future__ import annotations

from django.contrib.auth import get_user_model

from planwatch.accounts.models import Membership
from planwatch.plans.models import Department, Indicator, OrgUnit, Plan, PlanIndicator, Task


class World:
    pass


def make_world() -> World:
    w = World()
    w.district = OrgUnit.objects.create(code="D1", name="甲区", level="district")
    w.street1 = OrgUnit.objects.create(code="D1S1", name="一街道", level="subdistrict", parent=w.district)
    w.street2 = OrgUnit.objects.create(code="D1S2", name="二街道", level="subdistrict", parent=w.district)
    w.other_district = OrgUnit.objects.create(code="D2", name="乙区", level="district")
    w.finance = Department.objects.create(code="finance", name="区财政局", org_unit=w.district)
    w.housing = Department.objects.create(code="housing", name="区住建委", org_unit=w.district)
    w.plan = Plan.objects.create(code="p1", name="甲区计划", year=2021, org_unit=w.district)
    w.other_plan = Plan.objects.create(code="p2", name="乙区计划", year=2021, org_unit=w.other_district)
    w.revenue = Indicator.objects.create(code="revenue", name="一般公共预算收入", unit="亿元")
    w.housing_area = Indicator.objects.create(code="housing", name="住房面积", unit="万平方米")
    PlanIndicator.objects.create(plan=w.plan, indicator=w.revenue).departments.add(w.finance)
    PlanIndicator.objects.create(plan=w.plan, indicator=w.housing_area).departments.add(w.housing)
    PlanIndicator.objects.create(plan=w.other_plan, indicator=w.revenue)
    w.task_finance = Task.objects.create(plan=w.plan, code="t1", title="减税降费", org_unit=w.district)
    w.task_finance.departments.add(w.finance)
    w.task_street1 = Task.objects.create(plan=w.plan, code="t2", title="一街道平房改造", org_unit=w.street1)
    w.task_other = Task.objects.create(plan=w.other_plan, code="t3", title="乙区任务", org_unit=w.other_district)
    User = get_user_model()
    w.users = {}
    for name, role, extra in [
        ("planner", "planner", {}),
        ("finance", "department", {"department": w.finance}),
        ("street1", "subdistrict", {"org_unit": w.street1}),
        ("viewer", "viewer", {}),
        ("district_planner", "planner", {"org_unit": w.district}),
    ]:
        user = User.objects.create_user(name, password="x-long-enough-1")
        Membership.objects.create(user=user, role=role, **extra)
        w.users[name] = user
    w.users["admin"] = User.objects.create_superuser("admin", "", "x-long-enough-1")
    w.users["nobody"] = User.objects.create_user("nobody", password="x-long-enough-1")
    return w
