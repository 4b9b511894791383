from tests.api.conftest import admin_user, demo_plan, finance_reporter, viewer  # noqa: F401
