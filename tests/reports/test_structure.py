"""The standard structure of an execution report, the verdicts in part 二, the open tasks in part 三."""
from __future__ import annotations

import pytest

from planwatch.reports.model import Paragraph, Table


def headings(report, level=None):
    return [s.heading for s in report.sections if level is None or s.level == level]


def section(report, heading):
    return next(s for s in report.sections if s.heading == heading)


def part(report, number_prefix):
    """The sections of one part: its level-1 section and the subsections up to the next part."""
    out, inside = [], False
    for s in report.sections:
        if s.level == 1:
            inside = s.heading.startswith(number_prefix)
        if inside:
            out.append(s)
    return out


@pytest.mark.django_db
def test_title_and_parts(demo, report_of):
    report = report_of()
    assert report.title == "关于东城区2021年国民经济和社会发展计划上半年执行情况的报告"
    assert headings(report, 1) == ["一、上半年计划执行情况", "二、需要关注的主要问题", "三、下半年工作安排"]


@pytest.mark.django_db
def test_one_subsection_per_plan_area_in_part_one(demo, report_of):
    areas = [a.name for a in demo.areas.order_by("order", "code")]
    subs = [s.heading for s in part(report_of(), "一、")[1:]]
    assert subs == [f"({n}){name}" for n, name in zip("一二三四", areas)]
    economy = section(report_of(), "(一)推动经济较快增长")
    tables = [b for b in economy.blocks if isinstance(b, Table)]
    assert [t.caption for t in tables] == ["推动经济较快增长指标完成情况", "推动经济较快增长重点任务进展"]


@pytest.mark.django_db
def test_part_two_lists_red_and_yellow_items_with_the_engines_explanation(demo, report_of):
    from planwatch.reports.assessment import assess_report
    from planwatch.reports.load import load

    results = assess_report(load("dongcheng-2021", "2021H1"))
    flagged = {r.name: r for r in [*results.indicators.values(), *results.tasks.values()] if r.level in ("red", "yellow")}
    assert flagged, "the demo has items behind time progress"
    items = [b.plain for s in part(report_of(), "二、") for b in s.blocks if isinstance(b, Paragraph)]
    for name, r in flagged.items():
        tag = "红色预警" if r.level == "red" else "黄色预警"
        assert any(x.startswith(f"{name}({tag}):") and r.explanation in x for x in items), name
    # red before yellow inside an area
    city = next(s for s in part(report_of(), "二、") if s.heading.endswith("提升城市品质"))
    tags = ["红" if "红色预警" in b.plain else "黄" for b in city.blocks]
    assert tags == sorted(tags, key=lambda t: t != "红")


@pytest.mark.django_db
def test_part_three_lists_open_tasks_with_targets_and_deadlines(demo, report_of):
    items = [b.plain for s in part(report_of(), "三、") for b in s.blocks]
    assert any(x.startswith("申请式退租:") and "年度目标1200户" in x and "上半年已完成690户" in x
               and "年底前完成" in x for x in items)
    assert any(x.startswith("冬奥会场馆及赛区道路沿线环境整治提升:") and "11月底前完成" in x for x in items)
    # done in full (95 of 95) is not an open task
    assert not any(x.startswith("冬奥会相关环境整治:") for x in items)


@pytest.mark.django_db
def test_narratives_go_where_they_were_written_for(demo, report_of):
    from planwatch.plans.models import PlanArea, Task
    from planwatch.reports.narratives import set_narrative

    city = PlanArea.objects.get(plan=demo, code="city")
    set_narrative(demo, "2021H1", "开篇:统筹推进各项工作。", part="execution")
    set_narrative(demo, "2021H1", "城市面貌持续改善的概述。", part="execution", area=city)
    set_narrative(demo, "2021H1", "城市更新资金缺口较大。", part="issues", area=city)
    set_narrative(demo, "2021H1", "加快背街小巷整治的安排。", part="next",
                  task=Task.objects.get(plan=demo, code="back-alleys"))
    report = report_of()
    assert report.sections[0].blocks[0].plain == "开篇:统筹推进各项工作。"
    assert section(report, "(三)提升城市品质").blocks[0].plain == "城市面貌持续改善的概述。"
    issues = next(s for s in part(report, "二、") if s.heading.endswith("提升城市品质"))
    assert issues.blocks[0].plain == "城市更新资金缺口较大。"
    nxt = [b.plain for s in part(report, "三、") for b in s.blocks]
    assert any(x.startswith("背街小巷环境精细化整治提升:") and x.endswith("加快背街小巷整治的安排。") for x in nxt)
    # a task's progress narrative lands in the task's paragraph of part 一
    from planwatch.data.models import NOT_CURRENT, TaskProgress

    narrative = (TaskProgress.objects.exclude(status__in=NOT_CURRENT)
                 .get(task__code="application-based-relocation").narrative)
    assert narrative
    city_one = [b.plain for b in section(report, "(三)提升城市品质").blocks if isinstance(b, Paragraph)]
    assert any(x.startswith("申请式退租。") and narrative in x for x in city_one)


@pytest.mark.django_db
def test_set_narrative_is_audited_and_empty_text_removes_it(demo):
    from planwatch.data.models import AuditEntry
    from planwatch.reports.models import Narrative
    from planwatch.reports.narratives import set_narrative

    n = set_narrative(demo, "2021H1", "第一稿", part="issues")
    set_narrative(demo, "2021H1", "第二稿", part="issues")
    n.refresh_from_db()
    assert (n.text, n.version) == ("第二稿", 2)
    assert set_narrative(demo, "2021H1", "  ", part="issues") is None
    assert not Narrative.objects.exists()
    assert [e.action for e in AuditEntry.objects.filter(model="reports.narrative").order_by("id")] == [
        "narrative.create", "narrative.update", "narrative.delete"]
    with pytest.raises(ValueError):
        set_narrative(demo, "2021H1", "x", part="preface")


@pytest.mark.django_db
def test_approved_only_leaves_out_figures_not_yet_approved(demo, report_of):
    from planwatch.data.actions import record_value
    from planwatch.data.models import Status
    from planwatch.plans.models import Indicator, OrgUnit

    record_value(Indicator.objects.get(code="gdp"), OrgUnit.objects.get(code="110101"), "2021H1",
                 value=1500.2, yoy_pct=11.6, decimals=1, status=Status.SUBMITTED)
    assert "1500.2" in report_of().sections[0].blocks[0].plain
    filed = report_of(approved_only=True)
    assert filed.approved_only
    assert "地区生产总值" not in filed.sections[0].blocks[0].plain
    assert any("地区生产总值" in w for w in filed.warnings)


@pytest.mark.django_db
def test_unknown_plan_or_period_is_a_clear_error(demo):
    from planwatch.reports.build import ReportError, build_report

    with pytest.raises(ReportError, match="nope"):
        build_report("nope", "2021H1")
    with pytest.raises(ReportError, match="2020H1"):
        build_report("dongcheng-2021", "2020H1")
    with pytest.raises(ReportError, match="2021X9"):
        build_report("dongcheng-2021", "2021X9")
