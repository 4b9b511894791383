"""Governance on the web pages: reporters see their own items only, the workflow buttons go through
the actions with version checks, the reporting calendar page, and per-record history."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from planwatch.data import actions
from planwatch.data.actions import Actor, record_task_progress, record_value
from planwatch.data.models import AuditEntry, DataValue, PeriodLock, Status
from planwatch.plans.models import Target
from tests.governance.world import make_world


@pytest.fixture
def w(db):
    w = make_world()
    Target.objects.create(plan=w.plan, indicator=w.revenue, org_unit=w.district, value=100.0)
    Target.objects.create(plan=w.plan, indicator=w.housing_area, org_unit=w.district, value=10.0)
    w.v_finance = record_value(w.revenue, w.district, "2021H1", value=50.0)
    w.v_housing = record_value(w.housing_area, w.district, "2021H1", value=7.0)
    return w


def login(w, name) -> Client:
    c = Client()
    c.force_login(w.users[name])
    return c


def board_and_cards(html: str) -> str:
    return html.split('id="cards"')[1]


# -- 1. content filtering ---------------------------------------------------------------------

def test_department_reporter_sees_its_own_indicator_on_the_dashboard_and_not_another(w):
    html = board_and_cards(login(w, "finance").get("/plans/p1/?period=2021H1").content.decode())
    assert "一般公共预算收入" in html
    assert "住房面积" not in html
    # the planner sees both
    html = board_and_cards(login(w, "planner").get("/plans/p1/?period=2021H1").content.decode())
    assert "一般公共预算收入" in html and "住房面积" in html


def test_hidden_items_do_not_count(w):
    def total(client):
        html = client.get("/plans/p1/?period=2021H1").content.decode()
        return sum(int(n) for n in re.findall(r'id="count-\w+">(\d+)<', html))

    # planner: two indicators and the district's one task; finance: its indicator and its task
    assert total(login(w, "planner")) == 3
    assert total(login(w, "finance")) == 2


def test_department_reporter_sees_only_its_own_rows_on_the_entry_page(w):
    html = login(w, "finance").get("/plans/p1/entry/?period=2021H1&org=D1").content.decode()
    assert 'data-indicator="revenue"' in html
    assert 'data-indicator="housing"' not in html and "住房面积" not in html
    assert "减税降费" in html  # its own task


def test_posting_to_a_hidden_row_is_refused_not_ignored(w):
    pk = w.housing_area.pk
    r = login(w, "finance").post("/plans/p1/entry/", {
        "kind": "value", "row": f"v{pk}", "period": "2021H1", "org": "D1", "op": "submit",
        "version": str(w.v_housing.version)})
    assert r.status_code == 403
    assert DataValue.objects.get(pk=w.v_housing.pk).status == Status.DRAFT


def test_subdistrict_reporter_starts_on_its_own_street_and_sees_no_district_figures(w):
    record_value(w.housing_area, w.street1, "2021H1", value=2.5)
    street = login(w, "street1")
    html = street.get("/plans/p1/?period=2021H1").content.decode()
    assert "一街道 · 2021H1" in html
    district = board_and_cards(street.get("/plans/p1/?period=2021H1&org=D1").content.decode())
    assert "一般公共预算收入" not in district and "住房面积" not in district
    entry = street.get("/plans/p1/entry/?period=2021H1&org=D1").content.decode()
    assert 'data-indicator="revenue"' not in entry


def test_indicator_page_hides_the_verdict_of_a_hidden_figure(w):
    html = login(w, "finance").get("/plans/p1/indicators/housing/?period=2021H1&org=D1").content.decode()
    assert "7.0" not in html
    html = login(w, "planner").get("/plans/p1/indicators/housing/?period=2021H1&org=D1").content.decode()
    assert "7.0" in html


# -- 2. workflow buttons ------------------------------------------------------------------------

def step(client, row, op, version, org="D1", **extra):
    return client.post("/plans/p1/entry/", {"kind": "value", "row": row, "period": "2021H1", "org": org,
                                            "op": op, "version": str(version), **extra})


def test_reporter_submits_a_draft(w):
    finance = login(w, "finance")
    page = finance.get("/plans/p1/entry/?period=2021H1&org=D1").content.decode()
    assert 'name="op" value="submit"' in page and 'value="approve"' not in page
    r = step(finance, f"v{w.revenue.pk}", "submit", w.v_finance.version)
    assert r.status_code == 302
    v = DataValue.objects.get(pk=w.v_finance.pk)
    assert v.status == Status.SUBMITTED and v.submitted_by == w.users["finance"]
    assert AuditEntry.objects.filter(action="value.submitted", actor="finance").count() == 1


def test_planner_approves_and_a_reporter_may_not(w):
    v = actions.submit(w.v_finance)
    assert step(login(w, "finance"), f"v{w.revenue.pk}", "approve", v.version).status_code == 403
    planner = login(w, "planner")
    assert 'value="approve"' in planner.get("/plans/p1/entry/?period=2021H1&org=D1").content.decode()
    assert step(planner, f"v{w.revenue.pk}", "approve", v.version).status_code == 302
    assert DataValue.objects.get(pk=v.pk).status == Status.APPROVED


def test_planner_returns_with_a_comment_and_the_reporter_sees_it(w):
    v = actions.submit(w.v_finance)
    planner = login(w, "planner")
    html = step(planner, f"v{w.revenue.pk}", "return", v.version, comment="").content.decode()
    assert "审核意见" in html and DataValue.objects.get(pk=v.pk).status == Status.SUBMITTED
    assert step(planner, f"v{w.revenue.pk}", "return", v.version, comment="请附<b>口径</b>说明").status_code == 302
    v = DataValue.objects.get(pk=v.pk)
    assert v.status == Status.RETURNED and v.review_comment == "请附<b>口径</b>说明"
    page = login(w, "finance").get("/plans/p1/entry/?period=2021H1&org=D1").content.decode()
    assert "请附&lt;b&gt;口径&lt;/b&gt;说明" in page and 'value="submit"' in page


def test_stale_step_is_refused_and_shows_the_newer_value(w):
    based_on = w.v_finance.version
    record_value(w.revenue, w.district, "2021H1", value=61.5, expected_version=based_on, reason="他人先改")
    r = step(login(w, "finance"), f"v{w.revenue.pk}", "submit", based_on)
    html = r.content.decode()
    assert r.status_code == 200 and "已被他人修改" in html and "61.5" in html
    assert DataValue.objects.get(pk=w.v_finance.pk).status == Status.DRAFT


def test_step_on_a_locked_period_is_a_form_error(w):
    actions.lock_period(w.plan, "2021H1", reason="发布")
    r = step(login(w, "finance"), f"v{w.revenue.pk}", "submit", w.v_finance.version)
    assert r.status_code == 200 and "已锁定" in r.content.decode()
    assert DataValue.objects.get(pk=w.v_finance.pk).status == Status.DRAFT


def test_task_progress_goes_through_the_same_buttons(w):
    p = record_task_progress(w.task_finance, "2021H1", percent=30.0)
    r = login(w, "finance").post("/plans/p1/entry/", {"kind": "task", "row": f"t{w.task_finance.pk}",
                                                     "period": "2021H1", "org": "D1", "op": "submit",
                                                     "version": str(p.version)})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == Status.SUBMITTED


def test_planner_locks_and_reopens_with_a_reason(w):
    planner = login(w, "planner")
    assert 'value="lock"' in planner.get("/plans/p1/entry/?period=2021H1").content.decode()
    r = planner.post("/plans/p1/period/", {"period": "2021H1", "op": "lock", "reason": "上半年数据发布"})
    assert r.status_code == 302 and PeriodLock.objects.get().locked
    page = planner.get(r["Location"]).content.decode()
    assert "已锁定" in page and 'value="reopen"' in page
    # reopening needs a reason
    planner.post("/plans/p1/period/", {"period": "2021H1", "op": "reopen", "reason": " "})
    assert PeriodLock.objects.get().locked
    planner.post("/plans/p1/period/", {"period": "2021H1", "op": "reopen", "reason": "更正财政数据"})
    assert not PeriodLock.objects.get().locked
    assert AuditEntry.objects.get(action="period.reopen").reason == "更正财政数据"


def test_reporters_may_not_lock(w):
    for name in ("finance", "street1", "viewer"):
        c = login(w, name)
        assert 'value="lock"' not in c.get("/plans/p1/entry/?period=2021H1").content.decode()
        assert c.post("/plans/p1/period/", {"period": "2021H1", "op": "lock", "reason": "x"}).status_code == 403
    assert not PeriodLock.objects.exists()


# -- 3. reporting calendar ------------------------------------------------------------------------

@pytest.fixture
def deadlines(w):
    past, future = dt.date.today() - dt.timedelta(days=3), dt.date.today() + dt.timedelta(days=30)
    actions.set_deadline(w.plan, "2021H1", past, department=w.finance)
    actions.set_deadline(w.plan, "2021H1", future, department=w.housing)
    actions.set_deadline(w.plan, "2021H1", past, org_unit=w.street1)
    actions.submit(w.v_housing)  # housing has handed in its one figure
    return w


def test_planner_sees_who_submitted_who_is_late_and_what_is_owed(deadlines):
    w = deadlines
    html = login(w, "planner").get("/plans/p1/owed/?period=2021H1").content.decode()
    assert 'id="count-submitted">1<' in html and 'id="count-late">2<' in html
    rows = html.split('id="owed"')[1]
    assert "区住建委" in rows and "区财政局" in rows and "一街道" in rows
    finance_row = rows.split("区财政局")[1].split("</tr>")[0]
    assert "一般公共预算收入" in finance_row and "减税降费" in finance_row and "逾期" in finance_row


def test_reporter_sees_only_its_own_open_items(deadlines):
    w = deadlines
    html = login(w, "finance").get("/plans/p1/owed/?period=2021H1").content.decode()
    rows = html.split('id="owed"')[1]
    assert "区财政局" in rows and "一般公共预算收入" in rows
    assert "区住建委" not in rows and "一街道" not in rows and "count-late" not in html
    # once handed in, nothing is left
    actions.submit(DataValue.objects.get(pk=w.v_finance.pk))
    record_task_progress(w.task_finance, "2021H1", percent=50.0, status=Status.SUBMITTED)
    html = login(w, "finance").get("/plans/p1/owed/?period=2021H1").content.decode()
    assert "一般公共预算收入" not in html.split('id="owed"')[1]


def test_dashboard_links_to_the_calendar(w):
    html = login(w, "finance").get("/plans/p1/?period=2021H1").content.decode()
    assert 'href="/plans/p1/owed/?period=2021H1"' in html


# -- 4. per-record history ----------------------------------------------------------------------

def test_indicator_page_shows_the_escaped_history_of_each_value(w):
    finance = Actor.of(w.users["finance"])
    v = record_value(w.revenue, w.district, "2021H1", value=52.0, expected_version=w.v_finance.version,
                     actor=finance, reason="<script>alert(1)</script>更正")
    actions.submit(v, actor=finance)
    html = login(w, "planner").get("/plans/p1/indicators/revenue/?period=2021H1&org=D1").content.decode()
    history = html.split('id="history"')[1]
    assert "value.update" in history and "value.submitted" in history and "finance" in history
    assert "value=50.0" in history and "value=52.0" in history
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;更正" in history
    # a reporter sees the history of its own figure; a viewer sees figures, not the trail
    assert 'id="history"' in login(w, "finance").get("/plans/p1/indicators/revenue/?period=2021H1&org=D1").content.decode()
    assert 'id="history"' not in login(w, "viewer").get("/plans/p1/indicators/revenue/?period=2021H1&org=D1").content.decode()


def test_htmx_save_also_refreshes_the_workflow_buttons(w):
    pk = w.revenue.pk
    html = login(w, "planner").post("/plans/p1/entry/", {
        "kind": "value", "row": f"v{pk}", "period": "2021H1", "org": "D1", f"v{pk}-value": "55",
        f"v{pk}-version": str(w.v_finance.version)}, HTTP_HX_REQUEST="true").content.decode()
    saved = DataValue.objects.get(pk=w.v_finance.pk)
    assert saved.value == 55.0 and saved.status == Status.SUBMITTED
    slot = html.split(f'id="step-v{pk}" hx-swap-oob="true"')[1]
    assert f'name="version" value="{saved.version}"' in slot and 'value="approve"' in slot
