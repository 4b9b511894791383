"""Imports under the governance rules: locked periods, reporters after submission."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from planwatch.accounts.models import Membership
from planwatch.data.actions import Actor, lock_period
from planwatch.data.models import DataValue
from planwatch.io.importer import import_workbook
from planwatch.io.problems import ImportRefused
from planwatch.plans.models import Department

from .conftest import Filled, db_state, make_template


@pytest.fixture
def czj(plan):
    user = get_user_model().objects.create_user("czj", password="x")
    Membership.objects.create(user=user, role="department", department=Department.objects.get(code="dc-czj"))
    return Actor.of(user)


def test_locked_period_is_refused_whole(plan, tmp_path):
    f = Filled(make_template(plan, tmp_path))
    f.set("gdp", "I", 1499.7)
    lock_period(plan.plan, "2021H1", reason="上半年数据已发布")
    before = db_state()
    with pytest.raises(ImportRefused) as info:
        import_workbook(f.save())
    assert "2021年上半年 已锁定,不能导入" in info.value.problems[0].reason
    assert db_state() == before


def test_reporter_resending_a_submitted_file_changes_nothing(plan, tmp_path, czj):
    f = Filled(make_template(plan, tmp_path, "department", "dc-czj"))
    f.set("revenue", "I", 105.7)
    path = f.save()
    assert import_workbook(path, actor=czj).created == 1
    before = db_state()
    report = import_workbook(path, actor=czj)
    assert (report.unchanged, report.changed) == (1, False)
    assert db_state() == before


def test_reporter_cannot_change_a_submitted_figure_by_import(plan, tmp_path, czj):
    f = Filled(make_template(plan, tmp_path, "department", "dc-czj"))
    f.set("revenue", "I", 105.7)
    import_workbook(f.save(), actor=czj)
    f.set("tax-sources", "I", 8.05)            # a new figure that alone would be fine
    ref = f.set("revenue", "I", 106.0)          # a change to a submitted one is not
    before = db_state()
    with pytest.raises(ImportRefused) as info:
        import_workbook(f.save(), actor=czj)
    (problem,) = info.value.problems
    assert problem.cell == ref and "须经退回后才能修改" in problem.reason
    assert db_state() == before
    assert DataValue.objects.get().value == 105.7



@pytest.mark.parametrize("role", ["department", "planner"])
def test_a_signed_in_import_asks_the_database_once_per_question_not_per_cell(plan, tmp_path, role):
    """Permission checks for a signed-in user: the queries do not grow with the number of figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.create_user(f"bulk-{role}", password="x-long-enough-1")
    if role == "department":
        Membership.objects.create(user=user, role=role, department=Department.objects.get(code="dc-fgw"))
        kind, code = "department", "dc-fgw"
    else:  # a planner scoped to the plan's district: every indicator × org unit of the plan
        Membership.objects.create(user=user, role=role, org_unit=plan.plan.org_unit)
        kind, code = "plan", None
    queries = {}
    for label in ("one", "all"):
        DataValue.objects.all().delete()
        f = Filled(make_template(plan, tmp_path, kind, code, name=f"{label}.xlsx"))
        rows = [r for r in range(4, f.ws.max_row + 1) if not str(f.ws[f"C{r}"].value).startswith("task:")]
        for r in rows[:1] if label == "one" else rows:
            f.ws[f"I{r}"] = 10.0
        with CaptureQueriesContext(connection) as q:
            report = import_workbook(f.save(), actor=Actor.of(user))
        queries[label] = (len(q), report.created)
    assert queries["one"][1] == 1 and queries["all"][1] == len(rows) >= 3
    assert queries["all"][0] <= queries["one"][0] + 3, (queries, len(rows))
