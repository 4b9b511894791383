"""Schemathesis fuzzes every operation of /api/v1/openapi.json in-process (the WSGI app, the test
database with the demo loaded) and fails on any 5xx. Bounded: a fixed number of examples per
operation, no deadline (the first call of an operation warms caches)."""
import pytest
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from django.core import signals
from django.db import close_old_connections

from planwatch.wsgi import application
from tests.api.conftest import bearer

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Schemathesis calls the WSGI app directly; like Django's test client, keep the request
    signals from closing the connection that holds the test's transaction (PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_headers(demo_plan, admin_user):
    return {"Authorization": bearer(admin_user)["HTTP_AUTHORIZATION"]}


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_server_error(case, api_headers):
    case.call_and_validate(headers=api_headers, checks=[not_a_server_error])
