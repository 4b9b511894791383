"""The dashboard reads a unit's peer group, not the whole plan, and keeps its answers per process.

A county's dashboard assesses only the county's siblings (its peer group) and its children; the
growth rule's peer averages are per peer group, so the results must be exactly those of the whole
plan assessed at once. The kept answers must follow edits and must never reach a reporter.
"""
from __future__ import annotations

import threading

import polars as pl
import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from planwatch.assess import batch
from planwatch.assess.load import load_items, load_unit_items
from planwatch.assess.model import Result
from planwatch.assess.synth import write_national
from planwatch.plans.models import OrgUnit, Plan
from planwatch.web import overview
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def whole_plan_results(plan: Plan, period: str, unit: OrgUnit) -> list[Result]:
    """What results_for gave before: the whole plan assessed, then the unit's and children's rows."""
    info, frame = load_items(plan.code, [period])
    out = batch.assess_frame(frame, info.thresholds)
    mine = out.filter((pl.col("org_unit") == unit.code) | (pl.col("peer_group") == unit.code))
    return [Result(**row, thresholds=info.thresholds) for row in mine.iter_rows(named=True)]


def ordered(results: list[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (r.item_type, r.code, r.org_unit, r.period))


def crowded_county() -> OrgUnit:
    """A county of the city with the most counties."""
    city = (OrgUnit.objects.filter(code__startswith="SYN", level="city").annotate(n=Count("children"))
            .order_by("-n", "code").first())
    assert city.n >= 3
    return city.children.order_by("code").first()


@pytest.fixture
def national(db) -> Plan:
    # enough counties that cities have several (a province's few counties each make a city of one)
    write_national("national-2021", units=400, indicators=16, months=2, seed=11)
    return Plan.objects.get(code="national-2021")


def test_a_units_scope_gives_the_whole_plans_results(national):
    units = OrgUnit.objects.filter(code__startswith="SYN")
    county = crowded_county()
    picked = [county, county.parent, county.parent.parent, units.get(level="country")]
    everyone = units.count()
    for unit in picked:
        scope = overview.peer_scope(unit)
        assert unit.pk in scope and len(scope) < everyone
        narrowed, whole = ordered(overview.results_for(national, "2021-02", unit)), \
            ordered(whole_plan_results(national, "2021-02", unit))
        assert narrowed == whole, unit.code
        # counties have figures, a city's are its counties'; provinces and the country have none
        assert bool(narrowed) == (unit.level in ("district", "city")), unit.code
    # the comparison means something: the county's growth items have peers, and without them the
    # peer averages (and so sentences, sometimes levels) would differ
    growth = [r for r in overview.results_for(national, "2021-02", county)
              if r.rule == "growth" and r.org_unit == county.code and r.yoy_pct is not None]
    assert growth
    info, alone = load_unit_items(national.code, ["2021-02"], [county.pk])
    by_code = {r["code"]: r for r in batch.assess_frame(alone, info.thresholds).iter_rows(named=True)}
    assert any(by_code[r.code]["peer_avg_yoy_pct"] != r.peer_avg_yoy_pct for r in growth)


def test_the_scope_reads_only_the_peer_group_and_children(national):
    county = crowded_county()
    siblings = set(OrgUnit.objects.filter(parent_id=county.parent_id).values_list("code", flat=True))
    _, frame = load_unit_items(national.code, ["2021-02"], overview.peer_scope(county))
    assert set(frame["org_unit"].cast(pl.String).unique()) == siblings
    _, whole = load_items(national.code, ["2021-02"])
    assert frame.height < whole.height


def test_demo_district_and_its_streets_match_the_whole_plan(demo_plan):
    root = demo_plan.org_unit
    for unit in [root, *OrgUnit.objects.filter(parent=root).order_by("code")[:3]]:
        assert ordered(overview.results_for(demo_plan, "2021H1", unit)) == \
            ordered(whole_plan_results(demo_plan, "2021H1", unit)), unit.code


def test_warm_dashboard_costs_three_queries(client, admin_user, demo_plan):
    headers = bearer(admin_user)
    url = "/api/v1/plans/dongcheng-2021/dashboard?period=2021H1&org_unit=110101"
    first = client.get(url, **headers)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, **headers)
    assert again.status_code == 200 and again.content == first.content
    # the token with its user, the plan the caller may see, the data version (on PostgreSQL inside
    # the test's transaction the version first refreshes the sessions list, which a request, in
    # autocommit, does not need)
    sent = [q["sql"] for q in queries.captured_queries if "pg_stat_clear_snapshot" not in q["sql"]]
    assert len(sent) == 3, sent


def test_a_kept_dashboard_never_reaches_a_reporter(client, admin_user, finance_reporter, demo_plan):
    url = "/api/v1/plans/dongcheng-2021/dashboard?period=2021H1"
    full = client.get(url, **bearer(admin_user)).json()
    assert {c["code"] for c in full["cards"]} > {"revenue"}
    mine = client.get(url, **bearer(finance_reporter)).json()
    assert {c["code"] for c in mine["cards"]} == {"revenue"}
    items = {i["code"] for area in mine["board"] for i in area["items"]}
    assert items <= {"revenue", "tax-sources"} and sum(mine["counts"].values()) == len(items)


def test_english_and_chinese_dashboards_are_kept_apart(client, admin_user, demo_plan):
    headers = bearer(admin_user)
    url = "/api/v1/plans/dongcheng-2021/dashboard?period=2021-11"  # no data: the note says so
    chinese = client.get(url, **headers).json()["note"]
    client.cookies["django_language"] = "en"
    english = client.get(url, **headers).json()["note"]
    assert chinese and english and chinese != english


def test_kept_values_are_computed_once_and_follow_the_version():
    kept = overview.Kept(2)
    calls = []

    def compute(value):
        def run():
            calls.append(value)
            return value
        return run

    assert kept.get("a", 1, compute("a1")) == "a1"
    assert kept.get("a", 1, compute("never")) == "a1"
    assert kept.get("a", 2, compute("a2")) == "a2"  # the data changed
    kept.get("b", 2, compute("b2"))
    kept.get("c", 2, compute("c2"))  # two at most: the oldest, a, goes
    assert kept.get("a", 2, compute("a2 again")) == "a2 again"
    assert calls == ["a1", "a2", "b2", "c2", "a2 again"]


def test_threads_asking_at_once_compute_once():
    kept = overview.Kept(8)
    started, release, calls = threading.Event(), threading.Event(), []

    def slow():
        calls.append(1)
        started.set()
        release.wait(5)
        return "value"

    got = []
    threads = [threading.Thread(target=lambda: got.append(kept.get("k", 1, slow))) for _ in range(4)]
    threads[0].start()
    started.wait(5)
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(5)
    assert got == ["value"] * 4 and calls == [1]


def test_a_failed_computation_is_not_kept():
    kept = overview.Kept(8)

    def fail():
        raise LookupError("no such period")

    with pytest.raises(LookupError):
        kept.get("k", 1, fail)
    assert kept.get("k", 1, lambda: "now") == "now"


def test_a_kept_token_user_follows_revocation_role_and_deactivation(client, admin_user, demo_plan):
    from django.contrib.auth import get_user_model

    from planwatch.accounts.models import Membership
    from planwatch.api.models import Token
    from planwatch.plans.models import Department

    url = "/api/v1/plans/dongcheng-2021/dashboard?period=2021H1"
    user = get_user_model().objects.create_user("watcher", "", "pw-for-tests-1")
    membership = Membership.objects.create(user=user, role="viewer")
    headers = bearer(user)
    assert {c["code"] for c in client.get(url, **headers).json()["cards"]} > {"revenue"}
    # the same token after the role changed: the reporter's view at once
    membership.role, membership.department = "department", Department.objects.get(code="dc-czj")
    membership.save()
    assert {c["code"] for c in client.get(url, **headers).json()["cards"]} == {"revenue"}
    user.is_active = False
    user.save()
    assert client.get(url, **headers).status_code == 401
    user.is_active = True
    user.save()
    assert client.get(url, **headers).status_code == 200
    Token.objects.filter(user=user).update(revoked=True)
    assert client.get(url, **headers).status_code == 401


def test_token_last_use_is_recorded(client, admin_user, demo_plan):
    from planwatch.api.models import Token

    headers = bearer(admin_user)
    assert Token.objects.get(user=admin_user).last_used is None
    assert client.get("/api/v1/plans/dongcheng-2021", **headers).status_code == 200
    first = Token.objects.get(user=admin_user).last_used
    assert first is not None
    assert client.get("/api/v1/plans/dongcheng-2021", **headers).status_code == 200
    assert Token.objects.get(user=admin_user).last_used == first  # not written again within a minute


def test_dashboard_is_sent_gzipped_to_a_client_that_takes_it(client, admin_user, demo_plan):
    import gzip
    import json

    headers = bearer(admin_user)
    url = "/api/v1/plans/dongcheng-2021/dashboard?period=2021H1"
    plain = client.get(url, **headers)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br", **headers)
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert len(packed.content) * 4 < len(plain.content)
    refused = client.get(url, HTTP_ACCEPT_ENCODING="gzip;q=0, identity", **headers)
    assert "Content-Encoding" not in refused and refused.json() == plain.json()


@pytest.fixture
def other_connection(db):
    """A second PostgreSQL session on the test database, as another worker's would be."""
    if connection.vendor != "postgresql":
        pytest.skip("ids handed out before commit is a PostgreSQL matter; SQLite has one writer")
    import psycopg

    s = connection.settings_dict
    conn = psycopg.connect(dbname=s["NAME"], user=s["USER"] or None, password=s["PASSWORD"] or None,
                           host=s["HOST"] or None, port=s["PORT"] or None)
    yield conn
    conn.close()


def test_a_write_in_flight_when_kept_undoes_the_kept_value_once_it_commits(other_connection):
    other_connection.execute("SELECT pg_current_xact_id()")  # a writer, not yet committed
    before = overview.data_version()
    assert before.in_flight
    kept = overview.Kept(4)
    assert kept.get("k", before, lambda: "old") == "old"
    assert kept.get("k", overview.data_version(), lambda: "never") == "old"  # still running
    other_connection.commit()  # its rows (had it written any below the ids) are visible now
    assert overview.data_version().ids == before.ids
    assert kept.get("k", overview.data_version(), lambda: "new") == "new"


def test_a_write_in_flight_that_rolls_back_changes_nothing(other_connection):
    other_connection.execute("SELECT pg_current_xact_id()")
    before = overview.data_version()
    kept = overview.Kept(4)
    kept.get("k", before, lambda: "kept")
    other_connection.rollback()
    assert kept.get("k", overview.data_version(), lambda: "never") == "kept"
    # and, nothing left unresolved, no more questions to the database
    with CaptureQueriesContext(connection) as queries:
        assert kept.get("k", before, lambda: "never") == "kept"
    assert not queries.captured_queries
