"""The period switcher lists the plan year's reporting periods, marks those with data, and reading
a page for a period never stores a Period row (web pages and the API's read endpoints)."""
import re

import pytest

from planwatch.data.actions import record_value
from planwatch.data.models import Period, Status
from planwatch.plans.models import Indicator, OrgUnit
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

DASH = "/plans/dongcheng-2021/"


def options(html: str, select: str = "period") -> list[tuple[str, bool, bool]]:
    """(code, marked as having data, selected) of the period select's options."""
    block = html.split(f'<select name="{select}"')[1].split("</select>")[0]
    return [(code, "data-has-data" in attrs, "selected" in attrs)
            for code, attrs in re.findall(r'<option value="([^"]+)"([^>]*)>', block)]


def test_dashboard_lists_the_plan_years_halves_and_year_with_data_marked(planner):
    html = planner.get(DASH, {"period": "2021H1"}).content.decode()
    assert options(html) == [("2021H1", True, True), ("2021H2", False, False), ("2021", False, False)]
    assert "2021H1 · 有数据" in html


def test_quarters_are_listed_once_the_plan_reports_by_quarter(planner):
    record_value(Indicator.objects.get(code="fai"), OrgUnit.objects.get(code="110101"), "2021Q3", value=170.2,
                 decimals=1, status=Status.SUBMITTED)
    html = planner.get(DASH + "indicators/fai/", {"period": "2021Q3"}).content.decode()
    codes = [(c, d) for c, d, _ in options(html)]
    assert codes == [("2021Q1", False), ("2021Q2", False), ("2021H1", True), ("2021Q3", True), ("2021Q4", False),
                     ("2021H2", False), ("2021", False)]


def test_a_period_asked_for_outside_the_list_is_shown_selected(planner):
    html = planner.get(DASH, {"period": "2021-05"}).content.decode()
    assert ("2021-05", False, True) in options(html)


@pytest.mark.parametrize("page", ["entry/", "owed/"])
def test_entry_and_reporting_status_pages_offer_the_periods_as_suggestions(planner, page):
    html = planner.get(DASH + page, {"period": "2021H2"}).content.decode()
    assert 'name="period" value="2021H2"' in html and 'list="period-list"' in html
    datalist = html.split('<datalist id="period-list">')[1].split("</datalist>")[0]
    assert re.findall(r'<option value="([^"]+)"([^>]*)>', datalist) == [
        ("2021H1", ' data-has-data="1"'), ("2021H2", ""), ("2021", "")]


def test_reading_pages_for_a_new_period_stores_no_period(planner):
    before = set(Period.objects.values_list("code", flat=True))
    for url in [DASH, DASH + "indicators/revenue/", DASH + "entry/", DASH + "owed/"]:
        for period in ("2021Q3", "2021-10", "2021H2"):
            assert planner.get(url, {"period": period}).status_code == 200, (url, period)
    report = planner.get(DASH + "report.md", {"period": "2021Q3"})
    assert report.status_code == 422 and "2021Q3" in report.content.decode()
    assert set(Period.objects.values_list("code", flat=True)) == before
    # writing is what stores a period
    ind = Indicator.objects.get(code="revenue")
    planner.post(DASH + "entry/", {"kind": "value", "row": f"v{ind.pk}", "period": "2021Q3", "org": "110101",
                                   f"v{ind.pk}-value": "150.2", f"v{ind.pk}-version": "0"})
    assert set(Period.objects.values_list("code", flat=True)) == before | {"2021Q3"}


def test_api_reads_store_no_period_and_writes_do(client, admin_user, demo_plan):
    auth = bearer(admin_user)
    before = Period.objects.count()
    assert client.get("/api/v1/values", {"period": "2021Q3"}, **auth).status_code == 200
    assert client.get("/api/v1/task-progress", {"period": "2021-11"}, **auth).status_code == 200
    client.get("/api/v1/plans/dongcheng-2021/assessment", {"period": "2021Q4"}, **auth)
    assert client.get("/api/v1/values", {"period": "2021X9"}, **auth).status_code == 422
    assert Period.objects.count() == before
    body = {"plan": "dongcheng-2021", "indicator": "fai", "org_unit": "110101", "period": "2021Q3",
            "value": 170.2, "version": 0}
    assert client.post("/api/v1/values", body, content_type="application/json", **auth).status_code == 200
    assert Period.objects.filter(code="2021Q3").exists()


def test_another_units_figures_do_not_mark_this_plans_periods(planner):
    xicheng = OrgUnit.objects.create(code="110102", name="西城区", level="district",
                                     parent=OrgUnit.objects.get(code="110000"))
    record_value(Indicator.objects.get(code="revenue"), xicheng, "2021Q3", value=80.1, decimals=1)
    html = planner.get(DASH, {"period": "2021H1"}).content.decode()
    assert [c for c, _, _ in options(html)] == ["2021H1", "2021H2", "2021"]


def test_without_a_period_the_pages_open_the_latest_with_data(planner):
    assert "东城区 · 2021H1" in planner.get(DASH).content.decode()
    record_value(Indicator.objects.get(code="fai"), OrgUnit.objects.get(code="110101"), "2021Q3", value=170.2,
                 decimals=1, status=Status.SUBMITTED)
    assert "东城区 · 2021Q3" in planner.get(DASH).content.decode()
    assert planner.get(DASH + "entry/").content.decode().count('name="period" value="2021Q3"') >= 1
