"""The issue's acceptance checks, end to end through the web app, the API and the CLI."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from django.test import Client

from planwatch.cli import main
from planwatch.data import actions
from planwatch.data.actions import Actor, record_task_progress, record_value
from planwatch.data.models import DataValue, Status


@pytest.fixture
def w(world, settings):
    world.v_housing = record_value(world.housing_area, world.district, "2021H1", value=7.0)
    world.v_finance = record_value(world.revenue, world.district, "2021H1", value=50.0)
    return world


def client_for(world, name):
    c = Client()
    c.force_login(world.users[name])
    return c


def test_department_reporter_gets_403_on_another_departments_value(w):
    finance = client_for(w, "finance")
    r = finance.post("/api/v1/values", data=json.dumps({
        "plan": "p1", "indicator": "housing", "org_unit": "D1", "period": "2021H1", "value": 999.0,
        "version": w.v_housing.version}), content_type="application/json")
    assert r.status_code == 403
    pk = w.housing_area.pk
    r = finance.post("/plans/p1/entry/", {"kind": "value", "row": f"v{pk}", "period": "2021H1", "org": "D1",
                                          f"v{pk}-value": "999", f"v{pk}-version": str(w.v_housing.version)})
    assert r.status_code == 403
    assert DataValue.objects.get(pk=w.v_housing.pk).value == 7.0
    # its own indicator goes through
    r = finance.post("/api/v1/values", data=json.dumps({
        "plan": "p1", "indicator": "revenue", "org_unit": "D1", "period": "2021H1", "value": 51.0,
        "version": w.v_finance.version}), content_type="application/json")
    assert r.status_code == 200, r.content


def test_stale_edit_gets_409_and_the_stored_value_is_unchanged(w):
    planner = client_for(w, "planner")
    based_on = w.v_finance.version
    record_value(w.revenue, w.district, "2021H1", value=60.0, expected_version=based_on, reason="他人先改")
    r = planner.put(f"/api/v1/values/{w.v_finance.pk}", data=json.dumps({"value": 70.0, "version": based_on}),
                    content_type="application/json")
    assert r.status_code == 409
    assert r.json()["current"]["value"] == 60.0  # the conflict shows the newer value
    assert DataValue.objects.get(pk=w.v_finance.pk).value == 60.0
    # the web form shows an error instead of saving
    pk = w.revenue.pk
    r = planner.post("/plans/p1/entry/", {"kind": "value", "row": f"v{pk}", "period": "2021H1", "org": "D1",
                                          f"v{pk}-value": "80", f"v{pk}-version": str(based_on)})
    assert r.status_code == 200 and "60" in r.content.decode()
    assert DataValue.objects.get(pk=w.v_finance.pk).value == 60.0


def test_locked_period_refuses_writes_everywhere(w):
    actions.lock_period(w.plan, "2021H1", actor=Actor.of(w.users["planner"]), reason="发布")
    planner = client_for(w, "planner")
    r = planner.put(f"/api/v1/values/{w.v_finance.pk}", data=json.dumps({"value": 70.0, "version": w.v_finance.version}),
                    content_type="application/json")
    assert r.status_code in (409, 422, 423), r.content
    assert "已锁定" in r.json()["detail"]
    pk = w.revenue.pk
    r = planner.post("/plans/p1/entry/", {"kind": "value", "row": f"v{pk}", "period": "2021H1", "org": "D1",
                                          f"v{pk}-value": "80", f"v{pk}-version": str(w.v_finance.version)})
    assert r.status_code == 200 and "已锁定" in r.content.decode()  # a form error, not a crash
    assert DataValue.objects.get(pk=w.v_finance.pk).value == 50.0
    with pytest.raises(actions.PeriodLocked):
        record_value(w.revenue, w.district, "2021H1", value=1.0)


def test_every_change_appears_in_planwatch_audit_with_old_and_new_values(w):
    planner, finance = Actor.of(w.users["planner"]), Actor.of(w.users["finance"])
    v = record_value(w.revenue, w.district, "2021H1", value=52.0, expected_version=w.v_finance.version,
                     actor=finance, reason="更正")
    v = actions.submit(v, actor=finance)
    v = actions.return_to_reporter(v, actor=planner, comment="请附说明")
    v = record_value(w.revenue, w.district, "2021H1", value=53.0, note="附说明", actor=finance)
    v = actions.submit(v, actor=finance)
    v = actions.approve(v, actor=planner)
    p = record_task_progress(w.task_finance, "2021H1", percent=40.0, actor=finance)
    p = record_task_progress(w.task_finance, "2021H1", percent=45.0, actor=finance, expected_version=p.version)
    t = actions.set_target(w.plan, w.revenue, w.district, value=100.0, actor=planner)
    actions.set_target(w.plan, w.revenue, w.district, value=105.0, actor=planner, expected_version=t.version)
    actions.lock_period(w.plan, "2021H1", actor=planner, reason="发布")
    actions.reopen_period(w.plan, "2021H1", actor=planner, reason="更正")
    actions.delete_record(w.v_housing, actor=planner, reason="重复")
    out = CliRunner().invoke(main, ["audit", "--format", "json"], catch_exceptions=False).output
    trail = json.loads(out)

    def entries(action):
        return [e for e in trail if e["action"] == action]

    update = [e for e in entries("value.update") if e["new"]["value"] == 52.0][0]
    assert update["old"]["value"] == 50.0 and update["actor"] == "finance" and update["reason"] == "更正"
    assert [(e["old"]["status"], e["new"]["status"]) for e in entries("value.submitted")] == \
        [("draft", "submitted"), ("draft", "submitted")]
    corrected = [e for e in entries("value.update") if e["new"]["value"] == 53.0][0]
    assert (corrected["old"]["status"], corrected["new"]["status"]) == ("returned", "draft")
    assert entries("value.returned")[0]["reason"] == "请附说明"
    assert entries("value.approved")[0]["new"]["status"] == "approved" and entries("value.approved")[0]["actor"] == "planner"
    assert entries("progress.update")[0]["old"]["percent"] == 40.0 and entries("progress.update")[0]["new"]["percent"] == 45.0
    assert (entries("target.update")[0]["old"]["value"], entries("target.update")[0]["new"]["value"]) == (100.0, 105.0)
    assert entries("period.lock")[0]["new"] == {"locked": True}
    assert entries("period.reopen")[0]["old"] == {"locked": True} and entries("period.reopen")[0]["reason"] == "更正"
    assert entries("value.delete")[0]["old"]["value"] == 7.0 and entries("value.delete")[0]["new"] is None


def test_plan_file_loads_are_audited(db):
    from planwatch.plans import demo

    r = CliRunner().invoke(main, ["plan", "load", str(demo.plan_file())], catch_exceptions=False)
    assert r.exit_code == 0
    trail = json.loads(CliRunner().invoke(main, ["audit", "--format", "json", "--model", "plans.plan"]).output)
    assert any(e["action"] == "plan.load" for e in trail)


def test_brute_force_lockout_through_the_login_page(db, client):
    from django.conf import settings
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("planner1", password="the-right-password-1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(settings.LOGIN_URL, {"username": "planner1", "password": "wrong"})
    r = client.post(settings.LOGIN_URL, {"username": "planner1", "password": "the-right-password-1"})
    assert r.status_code == 429 and "_auth_user_id" not in client.session


def test_reports_can_be_limited_to_approved_data(w):
    """What the reports helper needs: the approved figures only, by one filter."""
    actions.submit(w.v_finance)
    approved = DataValue.objects.filter(status=Status.APPROVED)
    assert not approved.exists()
    actions.approve(DataValue.objects.get(pk=w.v_finance.pk), actor=Actor.of(w.users["planner"]))
    assert list(approved.values_list("value", flat=True)) == [50.0]
