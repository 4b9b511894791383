"""The Dongcheng demo in the test database: the plan file and its first-half values."""
from __future__ import annotations

import pytest


@pytest.fixture
def demo(db):
    from planwatch.plans import demo as demo_pkg
    from planwatch.plans.models import Plan
    from planwatch.plans.planfile import load_plan_file

    load_plan_file(demo_pkg.plan_file())
    demo_pkg.load_demo_values()
    return Plan.objects.get(code=demo_pkg.PLAN_CODE)


@pytest.fixture
def report_of():
    """Build a report of the demo plan (charts off unless asked: they are tested on their own)."""
    from planwatch.reports.build import build_report

    def build(period="2021H1", **kw):
        kw.setdefault("charts", False)
        return build_report("dongcheng-2021", period, **kw)

    return build
