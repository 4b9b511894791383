"""The bundled demo: Dongcheng District's 2021 plan and its first-half figures."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

PLAN_CODE = "dongcheng-2021"


def plan_file() -> Path:
    return Path(str(resources.files(__package__) / "dongcheng-2021.yaml"))


def values_file() -> Path:
    return Path(str(resources.files(__package__) / "dongcheng-2021h1-values.yaml"))


def load_demo_values(actor=None) -> int:
    """Record the first-half values of the demo (idempotent: unchanged values stay untouched)."""
    from django.db import transaction

    from planwatch.data.actions import SYSTEM, record_task_progress, record_value
    from planwatch.data.models import Period, Source, Status
    from planwatch.plans.models import Indicator, OrgUnit, Plan, Task

    actor = actor or SYSTEM
    spec = yaml.safe_load(values_file().read_text(encoding="utf-8"))
    plan = Plan.objects.get(code=PLAN_CODE)
    n = 0
    with transaction.atomic():
        period = Period.get(spec["period"])
        org = OrgUnit.objects.get(code=spec["org_unit"])
        for v in spec["values"]:
            ind = Indicator.objects.get(code=v["indicator"])
            record_value(ind, org, period, value=v.get("value"), yoy_pct=v.get("yoy"), progress_pct=v.get("progress"),
                         decimals=ind.decimals, source=Source.IMPORTED, status=Status.APPROVED, actor=actor,
                         reason="演示数据")
            n += 1
        for t in spec["tasks"]:
            task = Task.objects.get(plan=plan, code=t["task"])
            record_task_progress(task, period, quantity_done=t.get("done"), percent=t.get("percent"),
                                 narrative=t.get("narrative", ""), source=Source.IMPORTED, status=Status.APPROVED,
                                 actor=actor, reason="演示数据")
            n += 1
    return n
