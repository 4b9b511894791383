"""The REST API through Django's test client: auth, reading, entering, conflicts, permissions."""
import json

import pytest
from django.core.management import call_command

from planwatch.api.models import Token
from planwatch.data.models import NOT_CURRENT, AuditEntry, DataValue
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def get(client, url, headers):
    response = client.get(url, **headers)
    return response.status_code, response.json()


def send(client, method, url, body, headers):
    response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json", **headers)
    return response.status_code, response.json()


def test_requests_without_credentials_are_refused(client, demo_plan):
    assert client.get("/api/v1/plans").status_code == 401
    assert client.get("/api/v1/plans", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


def test_openapi_and_docs_are_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/plans/{plan}/indicators" in spec["paths"]
    assert "/api/v1/values/{value_id}" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_create_token_command_prints_a_token_that_works(client, admin_user, demo_plan, capsys):
    call_command("create_token", "chief")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("pw_")
    assert not Token.objects.filter(key_digest=raw).exists()  # only its digest is stored
    status, body = get(client, "/api/v1/plans", {"HTTP_AUTHORIZATION": f"Bearer {raw}"})
    assert status == 200 and body["items"][0]["code"] == "dongcheng-2021"


def test_revoked_token_is_refused(client, admin_user, demo_plan):
    headers = bearer(admin_user)
    Token.objects.update(revoked=True)
    assert client.get("/api/v1/plans", **headers).status_code == 401


def test_session_login_reads_the_api(client, admin_user, demo_plan):
    client.force_login(admin_user)
    assert client.get("/api/v1/plans/dongcheng-2021").json()["org_unit"] == "110101"


def test_values_are_filtered_and_paginated(client, admin_user, demo_plan):
    headers = bearer(admin_user)
    status, body = get(client, "/api/v1/values?period=2021H1&page_size=5", headers)
    assert status == 200 and body["count"] == DataValue.objects.filter(period__code="2021H1").exclude(status__in=NOT_CURRENT).count()
    assert len(body["items"]) == 5
    status, page4 = get(client, "/api/v1/values?period=2021H1&page_size=5&page=4", headers)
    assert len(page4["items"]) == body["count"] - 15
    _, revenue = get(client, "/api/v1/values?indicator=revenue&org_unit=110101&period=2021H1", headers)
    assert [v["value"] for v in revenue["items"]] == [105.7]


def test_bad_period_is_a_422_not_a_500(client, admin_user, demo_plan):
    assert client.get("/api/v1/values?period=2021H9", **bearer(admin_user)).status_code == 422


def test_enter_then_edit_with_versions_and_conflict(client, admin_user, demo_plan):
    headers = bearer(admin_user)
    body = {"plan": "dongcheng-2021", "indicator": "revenue", "org_unit": "110101001", "period": "2021H1",
            "value": 3.2, "yoy_pct": 4.0, "version": 0}
    status, created = send(client, "post", "/api/v1/values", body, headers)
    assert status == 200 and created["version"] == 1 and created["source"] == "entered"
    # a second "new" entry for the same cell is based on a stale picture
    status, conflict = send(client, "post", "/api/v1/values", body, headers)
    assert status == 409 and conflict["current"]["version"] == 1
    status, edited = send(client, "put", f"/api/v1/values/{created['id']}", {"value": 3.4, "version": 1}, headers)
    assert status == 200 and edited["version"] == 2 and edited["value"] == 3.4
    status, stale = send(client, "put", f"/api/v1/values/{created['id']}", {"value": 9.9, "version": 1}, headers)
    assert status == 409 and stale["current"]["value"] == 3.4 and stale["current"]["version"] == 2
    assert AuditEntry.objects.filter(model="data.datavalue", object_id=str(created["id"])).count() == 2


def test_entry_needs_a_number_and_a_known_indicator(client, admin_user, demo_plan):
    headers = bearer(admin_user)
    base = {"plan": "dongcheng-2021", "indicator": "revenue", "org_unit": "110101", "period": "2021Q3", "version": 0}
    status, problem = send(client, "post", "/api/v1/values", base, headers)
    assert status == 422 and "至少" in problem["detail"]
    status, _ = send(client, "post", "/api/v1/values", {**base, "indicator": "no-such", "value": 1}, headers)
    assert status == 404
    status, _ = send(client, "post", "/api/v1/values", {**base, "value": float("1e300")}, headers)
    assert status == 422


def test_department_reporter_may_enter_its_own_indicator_only(client, finance_reporter):
    headers = bearer(finance_reporter)
    base = {"plan": "dongcheng-2021", "org_unit": "110101", "period": "2021Q3", "value": 150.0, "version": 0}
    status, _ = send(client, "post", "/api/v1/values", {**base, "indicator": "revenue"}, headers)
    assert status == 200
    status, problem = send(client, "post", "/api/v1/values", {**base, "indicator": "gdp", "value": 2300.0}, headers)
    assert status == 403
    # and it sees only its department's figures
    _, listed = get(client, "/api/v1/values?period=2021H1", headers)
    assert {v["indicator"] for v in listed["items"]} <= {"revenue", "tax-sources"}


def test_viewer_reads_but_cannot_write(client, viewer):
    headers = bearer(viewer)
    assert client.get("/api/v1/tasks?plan=dongcheng-2021", **headers).json()["count"] == 23
    body = {"plan": "dongcheng-2021", "indicator": "revenue", "org_unit": "110101", "period": "2021Q3",
            "value": 150.0, "version": 0}
    assert send(client, "post", "/api/v1/values", body, headers)[0] == 403


def test_task_progress_entry_and_conflict(client, admin_user, demo_plan):
    headers = bearer(admin_user)
    _, tasks = get(client, "/api/v1/tasks?plan=dongcheng-2021&page_size=1", headers)
    task_id = tasks["items"][0]["id"]
    body = {"task_id": task_id, "period": "2021Q3", "quantity_done": 12, "narrative": "新增完成两项", "version": 0}
    status, created = send(client, "post", "/api/v1/task-progress", body, headers)
    assert status == 200 and created["quantity_done"] == 12
    status, stale = send(client, "put", f"/api/v1/task-progress/{created['id']}",
                         {"quantity_done": 13, "version": 5}, headers)
    assert status == 409 and stale["current"]["version"] == 1


def test_unknown_ids_are_404(client, admin_user, demo_plan):
    headers = bearer(admin_user)
    assert client.get("/api/v1/plans/999999", **headers).status_code == 404
    assert client.get("/api/v1/tasks/99999999", **headers).status_code == 404
    assert client.get("/api/v1/values/99999999", **headers).status_code == 404
    assert client.get("/api/v1/documents/99999999", **headers).status_code == 404


def test_assessment_and_dashboard_endpoints(client, admin_user, demo_plan):
    headers = bearer(admin_user)
    status, body = get(client, "/api/v1/plans/dongcheng-2021/assessment?period=2021H1", headers)
    assert status == 200
    revenue = next(r for r in body["results"] if r["code"] == "revenue" and r["org_unit"] == "110101")
    assert revenue["time_progress_pct"] == 50.0 and revenue["level"] in {"green", "yellow", "red"}
    assert revenue["explanation"]
    status, dash = get(client, f"/api/v1/plans/{demo_plan.pk}/dashboard?period=2021H1", headers)
    assert status == 200 and {c["code"] for c in dash["cards"]} >= {"gdp", "revenue"}
    assert sum(dash["counts"].values()) == sum(len(a["items"]) for a in dash["board"])
    assert client.get(f"/api/v1/plans/{demo_plan.pk}/dashboard?period=2030H1", **headers).status_code == 422
    response = client.get("/api/v1/plans/dongcheng-2021/report?period=2021H1&format=md", **headers)
    assert response.status_code == 200 and "东城区" in response.content.decode()


def test_dashboard_follows_an_edit(client, admin_user, demo_plan):
    """The dashboard answer is kept between requests; an edit must show at once all the same."""
    headers = bearer(admin_user)
    url = "/api/v1/plans/dongcheng-2021/dashboard?period=2021H1"

    def revenue_card():
        return next(c for c in get(client, url, headers)[1]["cards"] if c["code"] == "revenue")["result"]["value"]

    assert revenue_card() == 105.7
    _, current = get(client, "/api/v1/values?indicator=revenue&org_unit=110101&period=2021H1", headers)
    row = current["items"][0]
    status, _ = send(client, "put", f"/api/v1/values/{row['id']}", {"value": 108.8, "version": row["version"]}, headers)
    assert status == 200
    assert revenue_card() == 108.8
