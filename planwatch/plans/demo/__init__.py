"""The bundled demo: Dongcheng District's 2021 plan and its first-half figures.

The first-half figures arrive the way a district's figures do: as a short bulletin of the main
indicators (written for planwatch in the style of such bulletins, carrying the figures of the
district's report), ingested through the extraction path and accepted because every figure of
it matches the plan with high confidence.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

PLAN_CODE = "dongcheng-2021"
PERIOD = "2021H1"
# Every figure of the bulletin matches at 0.85 or better; unrelated figures stay far below.
ACCEPT_CONFIDENT = 0.8


def plan_file() -> Path:
    return Path(str(resources.files(__package__) / "dongcheng-2021.yaml"))


def bulletin_file() -> Path:
    return Path(str(resources.files(__package__) / "dongcheng-2021h1-bulletin.txt"))


def load_demo_values(actor=None) -> int:
    """Ingest the first-half bulletin and accept its sure matches as approved figures.

    Idempotent: the bulletin is known by its hash, so a second run adds no rows and no audit
    entries.  Returns how many values and task progress records this run made current.
    """
    from planwatch.data.actions import SYSTEM
    from planwatch.data.models import Status
    from planwatch.extract.ingest import ingest_document
    from planwatch.plans.models import Plan

    plan = Plan.objects.get(code=PLAN_CODE)
    report = ingest_document(bulletin_file(), plan, PERIOD, actor=actor or SYSTEM,
                             accept_confident=ACCEPT_CONFIDENT, accept_status=Status.APPROVED, reason="演示数据")
    return len(report.accepted)
