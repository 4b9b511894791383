"""A department reporter reading the API sees its own department's items, nothing else."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from planwatch.accounts.models import Membership
from planwatch.plans import demo
from planwatch.plans.models import Department
from planwatch.plans.planfile import load_plan_file

OWN = {"revenue", "tax-sources"}  # the finance bureau's indicators in the demo plan


@pytest.fixture
def finance_client(client, db):
    load_plan_file(demo.plan_file())
    demo.load_demo_values()
    user = get_user_model().objects.create_user("czj", password="a-long-password-1")
    Membership.objects.create(user=user, role="department", department=Department.objects.get(code="dc-czj"))
    client.force_login(user)
    return client


def test_assessment_lists_only_own_items(finance_client):
    response = finance_client.get("/api/v1/plans/dongcheng-2021/assessment?period=2021H1")
    assert response.status_code == 200
    codes = {r["code"] for r in response.json()["results"]}
    assert codes and codes <= OWN | {"tax-sources"}, codes
    assert "gdp" not in codes and "pm25" not in codes


def test_dashboard_counts_only_own_items(finance_client):
    body = finance_client.get("/api/v1/plans/dongcheng-2021/dashboard?period=2021H1").json()
    cards = {c["code"] for c in body["cards"]}
    assert cards == {"revenue"}  # the only headline indicator of the finance bureau
    items = [i["code"] for area in body["board"] for i in area["items"]]
    assert set(items) <= OWN
    assert sum(body["counts"].values()) == len(items)


def test_report_is_refused_to_a_reporter(finance_client):
    assert finance_client.get("/api/v1/plans/dongcheng-2021/report?period=2021H1&format=md").status_code == 403
    assert finance_client.get("/plans/dongcheng-2021/report.md?period=2021H1").status_code == 403
