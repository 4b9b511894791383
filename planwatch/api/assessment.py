"""Assessment, dashboard and report endpoints: the engine's verdicts for a plan and period.

The numbers and sentences are the assessment engine's (via ``planwatch.web.overview``), the
report is the reports app's; these endpoints only choose the org unit and serialise.
"""
import gzip
import json
import re
from typing import Literal, Optional

from django.http import Http404, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from ninja.responses import NinjaJSONEncoder
from ninja import Router
from ninja.errors import HttpError

from planwatch.accounts import permissions as perms
from planwatch.api.lookups import period_code, plan_for
from planwatch.api.schemas import Code, PeriodCode, Problem
from planwatch.assess.load import LoadError
from planwatch.assess.model import RESULT_COLUMNS
from planwatch.plans.models import OrgUnit, Task
from planwatch.web import overview, views_scope
from planwatch.web.period_choices import default_period
from planwatch.web.downloads import report_response

router = Router(tags=["评估与报告 assessment"])


def _unit(plan, code: Optional[str], version: tuple | None = None) -> OrgUnit:
    if not code:
        return plan.org_unit
    unit, above = _unit_and_above(code, version)
    if unit is None or plan.org_unit_id not in above:
        raise Http404(f"单位 {code!r} 不在计划范围内")
    return unit


# Org units by code with the ids of the units above them, per process until the data changes
# (org units change through audited plan loads): the three or four look-ups of a request saved.
_UNITS = overview.Kept(4096)


def _unit_and_above(code: str, version: tuple | None) -> tuple[OrgUnit | None, set[int]]:
    def compute():
        unit = OrgUnit.objects.select_related("parent").filter(code=code).first() if "\x00" not in code else None
        return unit, (perms.unit_and_above(unit) if unit is not None else set())

    return compute() if version is None else _UNITS.get(code, version, compute)


def result_dict(r) -> dict | None:
    """A result as JSON: its fields and the inputs its rule looked at (flat, so no deep copy)."""
    if r is None:
        return None
    out = {name: getattr(r, name) for name in RESULT_COLUMNS}
    out["inputs"] = r.inputs
    return out


def _period(plan, period: Optional[str]) -> str:
    code = period_code(period) if period else default_period(plan)
    if not code.startswith(str(plan.year)):
        raise HttpError(422, f"报告期 {code} 不在计划年度 {plan.year} 内")
    return code


@router.get("/plans/{plan}/assessment", response={200: dict, 404: Problem, 422: Problem})
def assessment(request, plan: Code, period: Optional[PeriodCode] = None, org_unit: Optional[Code] = None):
    """Every indicator and task of ``org_unit`` (default: the plan's unit) and of its children:
    level, completion and time progress, rule and explanation."""
    p = plan_for(request.auth, plan)
    code = _period(p, period)
    unit = _unit(p, org_unit)
    try:
        results = overview.results_for(p, code, unit)
    except LoadError as exc:
        raise HttpError(404, str(exc)) from None
    wanted = [r for r in results if r.org_unit == unit.code or r.peer_group == unit.code]
    if not views_scope.sees_whole_plan(request.auth):
        # a reporter gets its own items of the unit asked for, not the plan's other figures
        codes = views_scope.visible_indicator_codes(request.auth, p, unit, code)
        tasks = set(Task.objects.filter(pk__in=views_scope.visible_task_ids(request.auth, p, unit))
                    .values_list("code", flat=True))
        wanted = [r for r in wanted if r.org_unit == unit.code
                  and (r.code in codes if r.item_type == "indicator" else r.code in tasks)]
    return {"plan": p.code, "period": code, "org_unit": unit.code,
            "results": [result_dict(r) for r in wanted]}


@router.get("/plans/{plan}/dashboard", response={200: dict, 404: Problem, 422: Problem})
def dashboard(request, plan: Code, period: Optional[PeriodCode] = None, org_unit: Optional[Code] = None):
    """What the dashboard shows: headline cards, the board by area, counts per level."""
    p = plan_for(request.auth, plan)
    code = _period(p, period)
    version = overview.data_version()
    unit = _unit(p, org_unit, version)
    # the same view for everyone who may see the plan: the serialised answer is kept per process
    # until the data changes (overview.data_version), since dashboards are read far more than written
    if not views_scope.sees_whole_plan(request.auth):
        # reporters: hidden items go before anything is counted (as on the web dashboard)
        ov = views_scope.restrict(overview.build(p, code, unit),
                                  views_scope.visible_indicator_codes(request.auth, p, unit, code),
                                  views_scope.visible_task_ids(request.auth, p, unit))
        return _dashboard(p, code, unit, ov)
    # (the language is in the key: a note or the "other" area may be translated)
    body, packed = _PAYLOADS.get((p.pk, code, unit.pk, get_language()), version, lambda: _payload(p, code, unit))
    # a county's answer is ~180 kB of JSON, ~10x smaller gzipped: compressed once, when kept
    if _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(packed, content_type="application/json; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


_ACCEPTS_GZIP = re.compile(r"\bgzip\b(?!\s*;\s*q=0(\.0*)?\s*(,|$))")


def _payload(p, code: str, unit) -> tuple[bytes, bytes]:
    body = json.dumps(_dashboard(p, code, unit), cls=NinjaJSONEncoder, ensure_ascii=False).encode("utf-8")
    return body, gzip.compress(body, compresslevel=6, mtime=0)


_PAYLOADS = overview.Kept(512)


def _dashboard(p, code: str, unit, ov=None) -> dict:
    ov = ov if ov is not None else overview.build(p, code, unit)
    return {
        "plan": p.code, "period": code, "org_unit": unit.code, "org_unit_name": unit.name,
        "time_progress_pct": ov.time_progress_pct, "counts": ov.counts, "note": ov.note,
        "cards": [{"code": c.code, "name": c.name, "unit": c.unit, "binding": c.binding, "level": c.level,
                   "result": result_dict(c.result)} for c in ov.cards],
        "board": [{"area": area, "items": [{"kind": i.kind, "code": i.code, "name": i.name, "level": i.level,
                                            "departments": i.departments, "deadline": i.deadline,
                                            "goal": i.goal, "result": result_dict(i.result)} for i in items]}
                  for area, items in ov.board.items()],
        "children": [{"code": c.code, "name": c.name} for c in ov.children],
    }


@router.get("/plans/{plan}/report", response={200: None, 403: Problem, 404: Problem, 422: Problem})
def report(request, plan: Code, period: Optional[PeriodCode] = None, org_unit: Optional[Code] = None,
           format: Literal["docx", "html", "md"] = "md"):
    """The execution report as a file (Word, HTML or Markdown)."""
    p = plan_for(request.auth, plan)
    if not views_scope.sees_whole_plan(request.auth):
        raise HttpError(403, "报告包含全区数据,仅计划编制、查看和管理人员可下载")
    return report_response(request.auth, p, _period(p, period), _unit(p, org_unit), format)
