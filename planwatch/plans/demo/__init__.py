"""The bundled demo: Dongcheng District's 2021 plan and its first-half figures.

The first-half figures arrive the way a district's figures do: as a short bulletin of the main
indicators (written for planwatch in the style of such bulletins, carrying the figures of the
district's report), ingested through the extraction path and accepted because every figure of
it matches the plan with high confidence.

The bulletin gives only the district's figures. So that the 街道 breakdown and ranking have
something to show, ``dongcheng-2021h1-subdistricts.csv`` splits three indicators over the 17
街道: revenue and retail sales (additive: the 街道 add up to the district's figure, so the sum
check passes) and PM2.5 (a level, lower is better, where rounded figures tie). Those numbers are
invented for the demo and every one of them says so in its note.
"""
from __future__ import annotations

import csv
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


SUBDISTRICT_NOTE = "演示用虚构数据(街道分解)"


def subdistrict_file() -> Path:
    return Path(str(resources.files(__package__) / "dongcheng-2021h1-subdistricts.csv"))


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


def _number(text: str, where: str, column: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{where}:{column} 列的 {text!r} 不是数字") from None


def read_subdistrict_rows(path: Path | None = None) -> list[dict]:
    """The rows of the 街道 file, checked: each names a plan indicator, a 街道 of the plan's
    district and a period; a bad row raises ValueError naming the file and line."""
    from planwatch.periods import Period as PeriodValue
    from planwatch.plans.models import OrgUnit, Plan

    path = path or subdistrict_file()
    plan = Plan.objects.select_related("org_unit").get(code=PLAN_CODE)
    indicators = {u.indicator.code: u.indicator for u in plan.plan_indicators.select_related("indicator")}
    units = {u.code: u for u in OrgUnit.objects.filter(parent=plan.org_unit)}
    lines = path.read_text(encoding="utf-8").splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and not line.startswith("#")]
    reader = csv.DictReader([line for _, line in numbered])
    expected = ["indicator", "org_unit", "period", "value", "yoy_pct", "progress_pct"]
    if reader.fieldnames != expected:
        raise ValueError(f"{path.name}:{numbered[0][0] if numbered else 1}:表头应为 {','.join(expected)}")
    rows = []
    for (n, _), rec in zip(numbered[1:], reader):
        where = f"{path.name}:{n}"
        ind = indicators.get(rec["indicator"])
        if ind is None:
            raise ValueError(f"{where}:计划 {PLAN_CODE} 没有指标 {rec['indicator']!r}")
        unit = units.get(rec["org_unit"])
        if unit is None:
            raise ValueError(f"{where}:{rec['org_unit']!r} 不是{plan.org_unit.name}的街道")
        try:
            period = PeriodValue.parse(rec["period"]).code
        except ValueError as exc:
            raise ValueError(f"{where}:报告期 {rec['period']!r} 无法识别({exc})") from None
        numbers = {k: _number(rec[k] or "", where, k) for k in ("value", "yoy_pct", "progress_pct")}
        if all(v is None for v in numbers.values()):
            raise ValueError(f"{where}:没有任何数字")
        rows.append({"indicator": ind, "org_unit": unit, "period": period, "decimals": ind.decimals,
                     "note": SUBDISTRICT_NOTE, **numbers})
    return rows


def load_demo_subdistricts(actor=None, path: Path | None = None) -> int:
    """Record the demo's 街道 figures as approved values through ``actions.record_values``.

    The whole file is checked first and written in one transaction, all or nothing.  Idempotent:
    unchanged figures get no new version and no audit row.  Returns how many figures this run
    created or changed.
    """
    from planwatch.data.actions import SYSTEM, record_values
    from planwatch.data.models import AuditEntry, Source, Status

    rows = read_subdistrict_rows(path)
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    record_values(rows, actor=actor or SYSTEM, source=Source.IMPORTED, status=Status.APPROVED, reason="演示数据(街道)")
    return AuditEntry.objects.filter(pk__gt=last, action__startswith="value.").count()
