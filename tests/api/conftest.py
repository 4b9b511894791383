"""The demo plan in the test database, and callers with and without rights."""
import pytest
from django.contrib.auth import get_user_model

from planwatch.accounts.models import Membership
from planwatch.api.models import Token
from planwatch.plans import demo
from planwatch.plans.models import Department, Plan
from planwatch.plans.planfile import load_plan_file


@pytest.fixture
def demo_plan(db) -> Plan:
    report = load_plan_file(demo.plan_file())
    demo.load_demo_values()
    return report.plan


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("chief", "", "pw-for-tests-1")


def _user(name, role, **scope):
    user = get_user_model().objects.create_user(name, "", "pw-for-tests-1")
    Membership.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def viewer(demo_plan):
    return _user("reader", "viewer")


@pytest.fixture
def finance_reporter(demo_plan):
    """A reporter of 区财政局, responsible for revenue (and tax sources) only."""
    return _user("finance", "department", department=Department.objects.get(code="dc-czj"))


def bearer(user) -> dict:
    _, raw = Token.objects.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with nothing kept: a rolled-back test's ids can come back in the next one,
    and with them a data version that names other data."""
    from planwatch.web import overview

    overview.clear_caches()
    yield
    overview.clear_caches()
