import pytest

from tests.api.conftest import admin_user, demo_plan, finance_reporter, viewer  # noqa: F401


@pytest.fixture
def planner(client, admin_user, demo_plan):  # noqa: F811
    """A client signed in as the planning office, with the demo plan loaded."""
    client.force_login(admin_user)
    return client
