"""Saving a figure as a draft on the entry page: it goes through the actions as ``draft``, may be
changed again, is handed in with the 报送 step, and a figure already handed in is not taken back."""
import pytest
from django.test import Client

from planwatch.data.models import AuditEntry, DataValue, Status
from planwatch.plans.models import Indicator

pytestmark = pytest.mark.django_db

DASH = "/plans/dongcheng-2021/"


def post_row(client, indicator="revenue", period="2021Q3", org="110101", save=None, headers=None, **fields):
    ind = Indicator.objects.get(code=indicator)
    prefix = f"v{ind.pk}"
    data = {"kind": "value", "row": prefix, "period": period, "org": org}
    data.update({f"{prefix}-{k}": v for k, v in fields.items()})
    if save:
        data["save"] = save
    return client.post(DASH + "entry/", data, **(headers or {}))


def current(indicator="revenue", period="2021Q3", org="110101") -> DataValue:
    return DataValue.objects.exclude(status__in=["proposed", "rejected", "accepted"]).get(
        indicator__code=indicator, period__code=period, org_unit__code=org)


@pytest.fixture
def reporter(finance_reporter) -> Client:
    c = Client()
    c.force_login(finance_reporter)
    return c


def test_a_reporter_saves_a_draft_changes_it_and_then_submits(reporter):
    page = reporter.get(DASH + "entry/", {"period": "2021Q3"}).content.decode()
    assert 'name="save" value="draft"' in page and "暂存草稿" in page and "保存并报送" in page
    assert post_row(reporter, save="draft", value="150.2", version="0").status_code == 302
    row = current()
    assert (row.status, row.value, row.version) == (Status.DRAFT, 150.2, 1)
    assert AuditEntry.objects.filter(action="value.create", object_id=str(row.pk), reason="网页填报(草稿)").exists()
    # a draft stays the reporter's to change
    assert post_row(reporter, save="draft", value="150.4", version="1").status_code == 302
    row = current()
    assert (row.status, row.value, row.version) == (Status.DRAFT, 150.4, 2)
    page = reporter.get(DASH + "entry/", {"period": "2021Q3"}).content.decode()
    assert 'name="op" value="submit"' in page
    response = reporter.post(DASH + "entry/", {"kind": "value", "row": f"v{row.indicator_id}", "period": "2021Q3",
                                               "org": "110101", "op": "submit", "version": "2"})
    assert response.status_code == 302
    row = current()
    assert (row.status, row.version, row.submitted_by.username) == (Status.SUBMITTED, 3, "finance")


def test_htmx_draft_save_says_draft_and_keeps_the_buttons(reporter):
    html = post_row(reporter, save="draft", value="150.2", version="0",
                    headers={"HTTP_HX_REQUEST": "true"}).content.decode()
    assert "已存为草稿" in html and 'name="op" value="submit"' in html and 'hx-swap-oob="true"' in html
    assert current().status == Status.DRAFT


def test_a_figure_handed_in_is_not_taken_back_into_draft(client, admin_user, demo_plan):
    client.force_login(admin_user)
    approved = current(period="2021H1")
    assert approved.status == Status.APPROVED
    page = client.get(DASH + "entry/", {"period": "2021H1"}).content.decode()
    row_html = page.split('data-indicator="revenue"')[1].split("</form>")[0]
    assert 'value="draft"' not in row_html
    html = post_row(client, period="2021H1", save="draft", value="99.9", version=str(approved.version)).content.decode()
    assert "不能改存为草稿" in html
    assert current(period="2021H1").value == approved.value and current(period="2021H1").status == Status.APPROVED


def test_plain_save_still_submits(client, admin_user, demo_plan):
    client.force_login(admin_user)
    assert post_row(client, value="150.2", version="0").status_code == 302
    assert current().status == Status.SUBMITTED


def test_a_draft_is_still_owed_on_the_reporting_calendar(reporter, finance_reporter):
    import datetime as dt

    from planwatch.data.actions import set_deadline
    from planwatch.plans.models import Department, Plan

    set_deadline(Plan.objects.get(code="dongcheng-2021"), "2021Q3", dt.date(2021, 10, 15),
                 department=Department.objects.get(code="dc-czj"))
    post_row(reporter, save="draft", value="150.2", version="0")
    html = reporter.get(DASH + "owed/", {"period": "2021Q3"}).content.decode()
    owed = html.split('id="owed"')[1].split("</table>")[0]
    assert "区级一般公共预算收入(东城区) <small>草稿</small>" in owed  # a draft is not handed in
    row = current()
    reporter.post(DASH + "entry/", {"kind": "value", "row": f"v{row.indicator_id}", "period": "2021Q3",
                                    "org": "110101", "op": "submit", "version": str(row.version)})
    owed = reporter.get(DASH + "owed/", {"period": "2021Q3"}).content.decode().split('id="owed"')[1]
    assert "区级一般公共预算收入(东城区)" not in owed.split("</table>")[0]
    assert "税源引进(东城区) <small>未填报</small>" in owed
