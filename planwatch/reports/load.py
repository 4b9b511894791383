"""Reading what a report needs out of the database, in a fixed number of queries.

One report reads: the plan and its areas, the plan's indicators with targets and responsible
departments, the current values of the report's org unit and of its children (for ranking),
the tasks with their progress, the planner's narratives, and the audit entries of every value
and progress row used (who entered it, who approved it). ``approved_only`` keeps only values
and progress that have been approved, for a report that is filed.
"""
from __future__ import annotations

from collections import defaultdict

from planwatch.data.models import NOT_CURRENT, AuditEntry, DataValue, Period, Status, TaskProgress
from planwatch.periods import Period as PeriodValue
from planwatch.plans.models import OrgUnit, Plan, PlanIndicator, Target, Task
from planwatch.reports.model import Source
from planwatch.reports.models import Narrative
from planwatch.reports.rows import AreaRow, IndicatorRow, NarrativeRow, ReportData, TaskRow, ValueRow
from planwatch.reports.text import clean


class ReportError(ValueError):
    """A report that cannot be drafted: unknown plan, period or org unit."""


def _fmt_num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def _user(u) -> str:
    return u.get_username() if u is not None else ""


def _audit_by_object(model: str, ids: list[int]) -> dict[str, list[AuditEntry]]:
    out: dict[str, list[AuditEntry]] = defaultdict(list)
    if not ids:
        return out
    for e in AuditEntry.objects.filter(model=model, object_id__in=[str(i) for i in ids]).order_by("at", "id"):
        out[e.object_id].append(e)
    return out


def _provenance(row, entries: list[AuditEntry], departments: list[str]) -> list[str]:
    """Lines saying where a value or progress row came from and who stood behind it."""
    lines = [f"方式:{row.get_source_display()};状态:{row.get_status_display()};第{row.version}版"]
    if departments:
        lines.append("责任部门:" + "、".join(departments))
    if row.document_id:
        lines.append(f"文档:《{row.document.name}》")
    if row.fact_id:
        f = row.fact
        lines.append(f"原文:“{f.quote}”(第{f.start}–{f.end}字)")
    entered = _user(row.created_by)
    if not entered:
        created = [e for e in entries if e.action.endswith(".create") or e.action.endswith(".propose")]
        entered = created[0].actor if created else ""
    if entered:
        lines.append(f"填报:{entered}")
    approvals = [e for e in entries if isinstance(e.new, dict) and e.new.get("status") == Status.APPROVED]
    if approvals:
        a = approvals[-1]
        lines.append(f"审核:{a.actor}({a.at:%Y-%m-%d %H:%M})" + (f",{a.reason}" if a.reason else ""))
    if row.updated_by_id and _user(row.updated_by) != entered:
        lines.append(f"最后修改:{_user(row.updated_by)}")
    if row.note:
        lines.append(f"说明:{row.note}")
    return lines


def load(plan: Plan | str, period: Period | str, org_unit: OrgUnit | str | None = None, *,
         approved_only: bool = False) -> ReportData:
    if isinstance(plan, str):
        try:
            plan = Plan.objects.select_related("org_unit").get(code=plan)
        except Plan.DoesNotExist:
            raise ReportError(f"没有代码为 {plan!r} 的计划") from None
    if isinstance(period, str):
        try:
            PeriodValue.parse(period)
        except ValueError as exc:
            raise ReportError(f"报告期 {period!r} 无法识别:{exc}") from None
        period = Period.get(period)
    if period.year != plan.year:
        raise ReportError(f"报告期 {period.code} 不在计划年度 {plan.year} 内")
    if org_unit is None:
        org_unit = plan.org_unit
    elif isinstance(org_unit, str):
        try:
            org_unit = OrgUnit.objects.get(code=org_unit)
        except OrgUnit.DoesNotExist:
            raise ReportError(f"没有代码为 {org_unit!r} 的单位") from None

    sources: dict[str, Source] = {}
    period_name = PeriodValue.parse(period.code).zh_name

    areas = [AreaRow(a.code, a.name, a.order) for a in plan.areas.all()]
    area_code = {a.pk: a.code for a in plan.areas.all()}

    # indicators, targets ------------------------------------------------------------------
    pis = list(PlanIndicator.objects.filter(plan=plan).select_related("indicator").prefetch_related("departments"))
    ind_ids = [pi.indicator_id for pi in pis]
    children = list(OrgUnit.objects.filter(parent=org_unit))
    child_codes = {c.pk: c.code for c in children}
    targets = {(t.indicator_id, t.org_unit_id): t
               for t in Target.objects.filter(plan=plan, indicator_id__in=ind_ids,
                                              org_unit_id__in=[org_unit.pk, *child_codes])}
    values = (DataValue.objects.filter(period=period, indicator_id__in=ind_ids,
                                       org_unit_id__in=[org_unit.pk, *child_codes])
              .exclude(status__in=NOT_CURRENT)
              .select_related("org_unit", "document", "fact", "created_by", "updated_by"))
    if approved_only:
        values = values.filter(status=Status.APPROVED)
    values = list(values)
    value_audit = _audit_by_object("data.datavalue", [v.pk for v in values])
    by_cell = {(v.indicator_id, v.org_unit_id): v for v in values}

    indicators = []
    for pi in pis:
        ind = pi.indicator
        depts = [d.name for d in pi.departments.all()]
        row = IndicatorRow(
            code=ind.code, name=ind.name, unit=ind.unit, kind=ind.kind, direction=ind.direction, binding=ind.binding,
            aggregation=ind.aggregation, decimals=ind.decimals, rule=pi.rule, headline=pi.headline, order=pi.order,
            area=area_code.get(pi.area_id), departments=depts,
        )
        t = targets.get((ind.pk, org_unit.pk))
        if t is not None:
            row.target, row.target_growth = t.value, t.growth_pct
            row.target_source = f"t{t.pk}"
            said = []
            if t.value is not None:
                said.append(f"年度目标{_fmt_num(t.value)}{ind.unit}")
            if t.growth_pct is not None:
                said.append(f"目标增速{_fmt_num(t.growth_pct)}%")
            lines = [f"计划:《{plan.name}》(代码 {plan.code},第{t.version}版)", ";".join(said)]
            if t.note:
                lines.append(f"说明:{t.note}")
            sources[row.target_source] = Source(row.target_source, f"{ind.name} {org_unit.name} {plan.year}年目标", tuple(lines))
        for unit_pk in [org_unit.pk, *child_codes]:
            v = by_cell.get((ind.pk, unit_pk))
            if v is None:
                continue
            sid = f"v{v.pk}"
            sources[sid] = Source(sid, f"{ind.name} {v.org_unit.name} {period_name}",
                                  tuple(_provenance(v, value_audit.get(str(v.pk), []), depts)))
            vr = ValueRow(v.org_unit.code, v.org_unit.name, v.value, v.decimals, v.yoy_pct, v.progress_pct, v.status, sid,
                          clean(v.note))
            if unit_pk == org_unit.pk:
                row.value = vr
            else:
                row.children.append(vr)
                ct = targets.get((ind.pk, unit_pk))
                if ct is not None:
                    row.child_targets[vr.org_code] = (ct.value, ct.growth_pct)
        indicators.append(row)

    # tasks ----------------------------------------------------------------------------------
    task_objs = list(Task.objects.filter(plan=plan, org_unit=org_unit).prefetch_related("departments"))
    progress = (TaskProgress.objects.filter(period=period, task__in=task_objs).exclude(status__in=NOT_CURRENT)
                .select_related("document", "fact", "created_by", "updated_by"))
    if approved_only:
        progress = progress.filter(status=Status.APPROVED)
    progress = {p.task_id: p for p in progress}
    progress_audit = _audit_by_object("data.taskprogress", [p.pk for p in progress.values()])
    tasks = []
    for t in task_objs:
        depts = [d.name for d in t.departments.all()]
        plan_sid = f"task{t.pk}"
        goal = f"目标{_fmt_num(t.target_quantity)}{t.unit}" if t.target_quantity is not None else "无数量目标"
        sources[plan_sid] = Source(plan_sid, f"{t.title}(计划任务)",
                                   (f"计划:《{plan.name}》(代码 {plan.code});任务 {t.code},第{t.version}版",
                                    f"{goal};时限:{t.deadline_text or (t.deadline.isoformat() if t.deadline else '未定')}",
                                    *(["责任部门:" + "、".join(depts)] if depts else [])))
        row = TaskRow(t.code, t.title, clean(t.text), area_code.get(t.area_id), t.order, t.target_quantity, t.unit,
                      t.deadline, t.deadline_text, depts, plan_sid)
        p = progress.get(t.pk)
        if p is not None:
            sid = f"p{p.pk}"
            sources[sid] = Source(sid, f"{t.title} {period_name}进展",
                                  tuple(_provenance(p, progress_audit.get(str(p.pk), []), depts)))
            row.quantity_done, row.percent, row.narrative = p.quantity_done, p.percent, clean(p.narrative)
            row.status, row.progress_source = p.status, sid
        tasks.append(row)

    # narratives -------------------------------------------------------------------------------
    narratives = []
    task_code = {t.pk: t.code for t in task_objs}
    for n in Narrative.objects.filter(plan=plan, period=period).select_related("updated_by"):
        if n.task_id and n.task_id not in task_code:
            continue  # a task of another org unit
        sid = f"n{n.pk}"
        who = _user(n.updated_by)
        sources[sid] = Source(sid, f"{n.get_part_display()}文字",
                              (f"计划处撰写,第{n.version}版" + (f",最后修改:{who}" if who else ""),
                               f"更新时间:{n.updated_at:%Y-%m-%d %H:%M}"))
        narratives.append(NarrativeRow(n.part, area_code.get(n.area_id), task_code.get(n.task_id), n.text, sid))

    return ReportData(
        plan_code=plan.code, plan_name=plan.name, year=plan.year, org_code=org_unit.code, org_name=org_unit.name,
        org_level=org_unit.level, period_code=period.code, thresholds=dict(plan.thresholds or {}), areas=areas,
        indicators=indicators, tasks=tasks, narratives=narratives, sources=sources, approved_only=approved_only,
    )
