"""Authorization matrix: every URL of the URL configuration × every role, allowed or denied.

The list of URLs is generated from ``django.urls.get_resolver()``, so a new view or API
endpoint without a rule in ``RULES`` (or, for the admin, without a line in ``ADMIN_MODELS``)
fails ``test_every_url_has_a_rule``.  Each rule names the roles that are allowed; every other
role must be denied.  "Denied" is a 401/403/404/429 answer or a redirect to a login page;
"allowed" is any other 2xx/3xx answer.  Objects are chosen so that roles differ: another
department's value, another district's plan, a 街道's task.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from planwatch.data.actions import propose_value, record_task_progress, record_value
from planwatch.data.models import Document, Fact
from tests.governance.world import make_world

ROLES = ["anonymous", "admin", "planner", "department", "subdistrict", "viewer"]
USER_OF_ROLE = {"admin": "admin", "planner": "planner", "department": "finance", "subdistrict": "street1",
                "viewer": "viewer"}
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
NOBODY: set[str] = set()
PLANNING = {"admin", "planner"}  # the planning office
READERS_OF_ALL = {"admin", "planner", "viewer"}  # roles that see every plan


@dataclass
class Case:
    allow: set[str]
    args: Callable = lambda w: {}
    method: str = "get"
    body: Callable | None = None
    json: bool = False
    query: str = ""
    note: str = ""


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name


ALL_URLS = sorted(set(walk()), key=lambda rn: (rn[0], rn[1] or ""))


def fill(route: str, args: dict) -> str:
    """A concrete path for a route, its placeholders filled from ``args``."""
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(args[m.group(1)]), path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(args[m.group(1)]), path)
    return "/" + path


# -- the world every request runs against ------------------------------------------------------

@pytest.fixture
def w(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    w = make_world()
    w.v_finance = record_value(w.revenue, w.district, "2021H1", value=50.0)  # finance's indicator, district
    w.v_street = record_value(w.housing_area, w.street1, "2021H1", value=2.0)  # housing indicator, 一街道
    w.p_finance = record_task_progress(w.task_finance, "2021H1", percent=10.0)
    w.p_street = record_task_progress(w.task_street1, "2021H1", percent=20.0)
    w.doc = Document.objects.create(sha256="a" * 64, name="上半年报告.txt", format="txt", plan=w.plan,
                                    period=w.v_finance.period, text="区级财政收入55亿元。")
    w.other_doc = Document.objects.create(sha256="b" * 64, name="乙区报告.txt", format="txt", plan=w.other_plan,
                                          period=w.v_finance.period, text="收入8亿元。")
    fact = Fact.objects.create(document=w.doc, start=6, end=11, quote="55亿元", subject="财政收入", value=55.0,
                               unit="亿元", indicator=w.revenue)
    w.proposal = propose_value(fact, w.revenue, w.district, w.v_finance.period)
    return w


def _plan(code):
    return lambda w: {"plan": code, "plan_code": code}


# -- rules for every non-admin URL ------------------------------------------------------------
# Keyed by (route, url name).  A route that serves several methods appears once per name.

RULES: dict[tuple[str, str | None], list[Case]] = {
    # Django's login pages are public; changing one's own password needs a login.
    ("accounts/login/", "login"): [Case(EVERYONE)],
    ("accounts/logout/", "logout"): [Case(EVERYONE, method="post")],
    ("accounts/password_change/", "password_change"): [Case(SIGNED_IN)],
    ("accounts/password_change/done/", "password_change_done"): [Case(SIGNED_IN)],
    ("accounts/password_reset/", "password_reset"): [Case(EVERYONE)],
    ("accounts/password_reset/done/", "password_reset_done"): [Case(EVERYONE)],
    ("accounts/reset/<uidb64>/<token>/", "password_reset_confirm"): [
        Case(EVERYONE, args=lambda w: {"uidb64": "MQ", "token": "set-password"})],
    ("accounts/reset/done/", "password_reset_complete"): [Case(EVERYONE)],
    ("i18n/setlang/", "set_language"): [Case(EVERYONE, method="post", body=lambda w: {"language": "en"})],

    # web pages
    ("", "home"): [Case(SIGNED_IN)],
    ("plans/<slug:plan_code>/", "dashboard"): [
        Case(SIGNED_IN, _plan("p1")),
        Case(READERS_OF_ALL, _plan("p2"), note="reporters of 甲区 do not see 乙区's plan")],
    ("plans/<slug:plan_code>/indicators/<slug:indicator_code>/", "indicator"): [
        Case(SIGNED_IN, lambda w: {"plan_code": "p1", "indicator_code": "revenue"}),
        Case(READERS_OF_ALL, lambda w: {"plan_code": "p2", "indicator_code": "revenue"})],
    ("plans/<slug:plan_code>/entry/", "entry"): [
        Case(SIGNED_IN, _plan("p1")),
        Case(READERS_OF_ALL, _plan("p2")),
        Case(PLANNING | {"department"}, _plan("p1"), method="post", note="finance's indicator, district figure",
             body=lambda w: {"kind": "value", "row": f"v{w.revenue.pk}", "period": "2021H1", "org": "D1",
                             f"v{w.revenue.pk}-value": "51", f"v{w.revenue.pk}-version": str(w.v_finance.version)}),
        Case(PLANNING | {"subdistrict"}, _plan("p1"), method="post", note="一街道's own figure",
             body=lambda w: {"kind": "value", "row": f"v{w.housing_area.pk}", "period": "2021H1", "org": "D1S1",
                             f"v{w.housing_area.pk}-value": "3",
                             f"v{w.housing_area.pk}-version": str(w.v_street.version)}),
        Case(PLANNING | {"department"}, _plan("p1"), method="post", note="submit button on finance's draft",
             body=lambda w: {"kind": "value", "row": f"v{w.revenue.pk}", "period": "2021H1", "org": "D1",
                             "op": "submit", "version": str(w.v_finance.version)}),
        Case(PLANNING, _plan("p1"), method="post", note="approve button (a draft: a form error for planners)",
             body=lambda w: {"kind": "value", "row": f"v{w.revenue.pk}", "period": "2021H1", "org": "D1",
                             "op": "approve", "version": str(w.v_finance.version)})],
    ("plans/<slug:plan_code>/owed/", "owed"): [
        Case(SIGNED_IN, _plan("p1"), query="?period=2021H1", note="reporters see their own open items"),
        Case(READERS_OF_ALL, _plan("p2"), query="?period=2021H1")],
    ("plans/<slug:plan_code>/period/", "period_lock"): [
        Case(PLANNING, _plan("p1"), method="post", body=lambda w: {"period": "2021H1", "op": "lock", "reason": "发布"}),
        Case(PLANNING, _plan("p2"), method="post", body=lambda w: {"period": "2021H1", "op": "lock", "reason": "发布"})],
    ("plans/<slug:plan_code>/report.<str:fmt>", "report"): [
        Case(READERS_OF_ALL, lambda w: {"plan_code": "p1", "fmt": "docx"}, query="?period=2021H1",
             note="the report carries the whole district: not for reporters"),
        Case(READERS_OF_ALL, lambda w: {"plan_code": "p2", "fmt": "docx"}, query="?period=2021H1")],
    ("documents/", "documents"): [Case(SIGNED_IN)],
    ("documents/<int:document_id>/", "document"): [
        Case(SIGNED_IN, lambda w: {"document_id": w.doc.pk}),
        Case(READERS_OF_ALL, lambda w: {"document_id": w.other_doc.pk})],
    ("^proposals/(?P<kind>value|progress)/(?P<proposal_id>[0-9]{1,15})/(?P<decision>accept|reject)/$", "decide"): [
        Case(PLANNING | {"department"}, method="post",
             args=lambda w: {"kind": "value", "proposal_id": w.proposal.pk, "decision": "accept"}),
        Case(PLANNING | {"department"}, method="post",
             args=lambda w: {"kind": "value", "proposal_id": w.proposal.pk, "decision": "reject"})],

    # REST API (session authentication here; bearer tokens are the API's own tests)
    ("api/v1/", "api-root"): [Case(NOBODY, note="ninja's root answers 404 to everyone")],
    ("api/v1/openapi.json", "openapi-json"): [Case(EVERYONE, note="the schema, no data")],
    ("api/v1/docs", "openapi-view"): [Case(EVERYONE, note="the schema viewer, no data")],
    ("api/v1/plans", "list_plans"): [Case(SIGNED_IN)],
    ("api/v1/plans/<plan>", "get_plan"): [Case(SIGNED_IN, _plan("p1")), Case(READERS_OF_ALL, _plan("p2"))],
    ("api/v1/plans/<plan>/indicators", "plan_indicators"): [Case(SIGNED_IN, _plan("p1")),
                                                           Case(READERS_OF_ALL, _plan("p2"))],
    ("api/v1/org-units", "list_org_units"): [Case(SIGNED_IN)],
    ("api/v1/org-units/<code>", "get_org_unit"): [Case(SIGNED_IN, lambda w: {"code": "D1S1"})],
    ("api/v1/indicators", "list_indicators"): [Case(SIGNED_IN)],
    ("api/v1/indicators/<code>", "get_indicator"): [Case(SIGNED_IN, lambda w: {"code": "revenue"})],
    ("api/v1/targets", "list_targets"): [Case(SIGNED_IN)],
    ("api/v1/tasks", "list_tasks"): [Case(SIGNED_IN)],
    ("api/v1/tasks/<task_id>", "get_task"): [
        Case(READERS_OF_ALL | {"subdistrict"}, lambda w: {"task_id": w.task_street1.pk}),
        Case(READERS_OF_ALL | {"department"}, lambda w: {"task_id": w.task_finance.pk})],
    ("api/v1/values", "list_values"): [Case(SIGNED_IN)],
    ("api/v1/values", "enter_value"): [
        Case(PLANNING | {"department"}, method="post", json=True,
             body=lambda w: {"plan": "p1", "indicator": "revenue", "org_unit": "D1", "period": "2021H1",
                             "value": 51.0, "version": w.v_finance.version}),
        Case(PLANNING, method="post", json=True, note="housing is not finance's; district is not 一街道's",
             body=lambda w: {"plan": "p1", "indicator": "housing", "org_unit": "D1", "period": "2021H1",
                             "value": 7.0, "version": 0})],
    ("api/v1/values/<value_id>", "get_value"): [
        Case(READERS_OF_ALL | {"subdistrict"}, lambda w: {"value_id": w.v_street.pk}),
        Case(READERS_OF_ALL | {"department"}, lambda w: {"value_id": w.v_finance.pk})],
    ("api/v1/values/<value_id>", "edit_value"): [
        Case(PLANNING | {"subdistrict"}, lambda w: {"value_id": w.v_street.pk}, method="put", json=True,
             body=lambda w: {"value": 3.0, "version": w.v_street.version}),
        Case(PLANNING | {"department"}, lambda w: {"value_id": w.v_finance.pk}, method="put", json=True,
             body=lambda w: {"value": 52.0, "version": w.v_finance.version})],
    ("api/v1/task-progress", "list_progress"): [Case(SIGNED_IN)],
    ("api/v1/task-progress", "enter_progress"): [
        Case(PLANNING | {"subdistrict"}, method="post", json=True,
             body=lambda w: {"task_id": w.task_street1.pk, "period": "2021Q3", "percent": 30.0, "version": 0})],
    ("api/v1/task-progress/<progress_id>", "get_progress"): [
        Case(READERS_OF_ALL | {"department"}, lambda w: {"progress_id": w.p_finance.pk}),
        Case(READERS_OF_ALL | {"subdistrict"}, lambda w: {"progress_id": w.p_street.pk})],
    ("api/v1/task-progress/<progress_id>", "edit_progress"): [
        Case(PLANNING | {"department"}, lambda w: {"progress_id": w.p_finance.pk}, method="put", json=True,
             body=lambda w: {"percent": 15.0, "version": w.p_finance.version})],
    ("api/v1/documents", "list_documents"): [Case(SIGNED_IN)],
    ("api/v1/documents/<document_id>", "get_document"): [
        Case(SIGNED_IN, lambda w: {"document_id": w.doc.pk}),
        Case(READERS_OF_ALL, lambda w: {"document_id": w.other_doc.pk})],
    ("api/v1/documents/<document_id>/facts", "document_facts"): [
        Case(SIGNED_IN, lambda w: {"document_id": w.doc.pk}),
        Case(READERS_OF_ALL, lambda w: {"document_id": w.other_doc.pk})],
    ("api/v1/documents/<document_id>/proposals", "document_proposals"): [
        Case(SIGNED_IN, lambda w: {"document_id": w.doc.pk}),
        Case(READERS_OF_ALL, lambda w: {"document_id": w.other_doc.pk})],
    ("api/v1/proposals/<kind>/<proposal_id>/accept", "accept"): [
        Case(PLANNING | {"department"}, lambda w: {"kind": "value", "proposal_id": w.proposal.pk}, method="post",
             json=True, body=lambda w: {})],
    ("api/v1/proposals/<kind>/<proposal_id>/reject", "reject"): [
        Case(PLANNING | {"department"}, lambda w: {"kind": "value", "proposal_id": w.proposal.pk}, method="post",
             json=True, body=lambda w: {"reason": "口径不同"})],
    ("api/v1/plans/<plan>/assessment", "assessment"): [
        Case(SIGNED_IN, _plan("p1"), query="?period=2021H1"), Case(READERS_OF_ALL, _plan("p2"), query="?period=2021H1")],
    ("api/v1/plans/<plan>/dashboard", "dashboard"): [
        Case(SIGNED_IN, _plan("p1"), query="?period=2021H1"), Case(READERS_OF_ALL, _plan("p2"), query="?period=2021H1")],
    ("api/v1/plans/<plan>/report", "report"): [
        Case(READERS_OF_ALL, _plan("p1"), query="?period=2021H1&format=docx"),
        Case(READERS_OF_ALL, _plan("p2"), query="?period=2021H1&format=docx")],
}

# -- the admin: administrators only -----------------------------------------------------------
# Every model registered in the admin needs a line here: "rw" (administrators may add, change,
# delete) or "ro" (read-only even for administrators: changes go through the audited actions).
ADMIN_MODELS = {
    "auth.group": "rw", "auth.user": "rw",
    "accounts.membership": "rw",
    "plans.orgunit": "rw", "plans.department": "rw", "plans.plan": "rw", "plans.planarea": "rw",
    "plans.indicator": "rw", "plans.planindicator": "rw", "plans.target": "rw", "plans.task": "rw",
    "data.period": "rw", "data.reportingdeadline": "rw",
    "data.datavalue": "ro", "data.taskprogress": "ro", "data.periodlock": "ro", "data.document": "ro",
    "data.fact": "ro", "data.auditentry": "ro",
    "axes.accessattempt": "ro-delete", "axes.accesslog": "ro-delete", "axes.accessfailurelog": "ro-delete",
    "api.token": "rw",
    "reports.reportsection": "rw",
}
ADMIN_SPECIAL = {
    "admin/": [Case({"admin"})],
    "admin/login/": [Case(EVERYONE, note="the admin's login form itself")],
    "admin/logout/": [Case(EVERYONE, method="post", note="logging out is harmless")],
    "admin/password_change/": [Case({"admin"})],
    "admin/password_change/done/": [Case({"admin"})],
    "admin/autocomplete/": [Case({"admin"}, query="?app_label=plans&model_name=plan&field_name=org_unit")],
    "admin/jsi18n/": [Case({"admin"})],
    "admin/r/<path:content_type_id>/<path:object_id>/": [Case(NOBODY, args=lambda w: {
        "content_type_id": _content_type_id("plans", "plan"), "object_id": w.plan.pk},
        note="no model has get_absolute_url: 404 for everyone")],
    "admin/^(?P<app_label>auth|axes|plans|data|accounts)/$": [Case({"admin"}, args=lambda w: {"app_label": "data"})],
    "admin/(?P<url>.*)$": [Case({"admin"}, args=lambda w: {"url": "data"}, note="catch-all adds the slash")],
}


def _content_type_id(app, model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get(app_label=app, model=model).pk


ADMIN_MODEL_ROUTE = re.compile(r"^admin/(\w+)/(\w+)/(.*)$")


def admin_cases(route: str) -> list[Case] | None:
    if route in ADMIN_SPECIAL:
        return ADMIN_SPECIAL[route]
    if re.match(r"^admin/\^\(\?P<app_label>", route):
        return ADMIN_SPECIAL.get("admin/^(?P<app_label>auth|axes|plans|data|accounts)/$")
    m = ADMIN_MODEL_ROUTE.match(route)
    if not m:
        return None
    label = f"{m.group(1)}.{m.group(2)}"
    mode = ADMIN_MODELS.get(label)
    if mode is None:
        return None
    rest = m.group(3)

    def args(w, label=label):
        return {"object_id": _some_pk(label), "id": w.users["viewer"].pk}

    if rest in ("add/",) and mode != "rw":
        return [Case(NOBODY, args)]
    if rest.endswith("/delete/") and mode == "ro":
        return [Case(NOBODY, args)]
    return [Case({"admin"}, args)]


def _some_pk(label: str):
    from django.apps import apps

    model = apps.get_model(label)
    obj = model.objects.order_by("pk").first()
    return obj.pk if obj is not None else 999999


def rule_for(route: str, name: str | None) -> list[Case] | None:
    if route.startswith("admin/"):
        return admin_cases(route)
    return RULES.get((route, name))


# -- the tests ----------------------------------------------------------------------------------

def test_every_url_has_a_rule():
    missing = [f"{route}  (name={name})" for route, name in ALL_URLS if rule_for(route, name) is None]
    assert not missing, "URLs without an authorization rule — add them to RULES/ADMIN_MODELS:\n" + "\n".join(missing)


def test_rules_name_only_existing_urls():
    present = set(ALL_URLS)
    stale = [k for k in RULES if k not in present]
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def outcome(response) -> str:
    code = response.status_code
    if code in (401, 403, 404, 429):
        return "deny"
    if 300 <= code < 400:
        location = response.get("Location", "")
        login_pages = (settings.LOGIN_URL, "/admin/login/")
        return "deny" if any(location.startswith(p) or f"//testserver{p}" in location for p in login_pages) else "allow"
    if 200 <= code < 300:
        return "allow"
    return f"unexpected HTTP {code}"


def send(client: Client, w, route: str, case: Case):
    path = fill(route, case.args(w)) + case.query
    method = getattr(client, case.method)
    if case.method == "get":
        return method(path)
    body = case.body(w) if case.body else {}
    if case.json:
        return method(path, data=json.dumps(body), content_type="application/json")
    return method(path, data=body)


@pytest.mark.parametrize("route,name", ALL_URLS, ids=[f"{r}|{n}" for r, n in ALL_URLS])
def test_url_authorization(w, route, name):
    from django.db import transaction

    cases = rule_for(route, name)
    if cases is None:
        pytest.fail(f"no authorization rule for {route} (name={name}); add one to RULES")
    problems = []
    for i, case in enumerate(cases):
        for role in ROLES:
            with transaction.atomic():
                client = Client()
                if role != "anonymous":
                    client.force_login(w.users[USER_OF_ROLE[role]])
                response = send(client, w, route, case)
                got = outcome(response)
                want = "allow" if role in case.allow else "deny"
                if got != want:
                    detail = getattr(response, "content", b"")[:300].decode("utf-8", "replace")
                    problems.append(f"case {i} {case.method.upper()} {role}: expected {want}, got {got} "
                                    f"(HTTP {response.status_code}) {case.note} {detail!r}")
                transaction.set_rollback(True)
    assert not problems, "\n".join(problems)
