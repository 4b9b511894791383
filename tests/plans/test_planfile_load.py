"""Loading plan files: idempotent, updates in place, all or nothing, audited."""
from __future__ import annotations

import pytest

from planwatch.data.actions import record_task_progress
from planwatch.data.models import AuditEntry
from planwatch.plans import demo
from planwatch.plans.models import Indicator, OrgUnit, Plan, PlanIndicator, Target, Task
from planwatch.plans.planfile import PlanFileError, load_plan_file

from .test_planfile_errors import GOOD


@pytest.fixture
def plan_path(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_load_creates_everything(plan_path):
    report = load_plan_file(plan_path)
    plan = report.plan
    assert plan.org_unit.code == "T1"
    assert OrgUnit.objects.get(code="T1-01").parent.code == "T1"
    assert Target.objects.get(plan=plan).value == 100
    task = Task.objects.get(plan=plan)
    assert (task.target_quantity, task.unit, task.deadline.isoformat()) == (1200, "户", "2021-11-30")
    assert list(PlanIndicator.objects.get(plan=plan).departments.values_list("code", flat=True)) == ["fgw"]


@pytest.mark.django_db
def test_loading_twice_changes_nothing(plan_path):
    load_plan_file(plan_path)
    audits = AuditEntry.objects.count()
    report = load_plan_file(plan_path)
    assert not report.changed, report.summary()
    assert AuditEntry.objects.count() == audits


@pytest.mark.django_db
def test_changed_file_updates_in_place(plan_path):
    first = load_plan_file(plan_path).plan
    target_pk = Target.objects.get(plan=first).pk
    plan_path.write_text(GOOD.replace("value: 100}", "value: 120}").replace("quantity: 1200", "quantity: 1300"), encoding="utf-8")
    report = load_plan_file(plan_path)
    assert report.updated == {"目标": 1, "任务": 1}
    target = Target.objects.get(pk=target_pk)
    assert target.value == 120 and target.version == 2
    change = AuditEntry.objects.filter(model="plans.target", action="plan.update").get()
    assert change.old["value"] == 100 and change.new["value"] == 120
    assert Plan.objects.count() == 1


@pytest.mark.django_db
def test_removed_target_is_deleted_and_audited(plan_path):
    load_plan_file(plan_path)
    plan_path.write_text(GOOD.replace("targets:\n  - {indicator: revenue, value: 100}\n", ""), encoding="utf-8")
    report = load_plan_file(plan_path)
    assert report.deleted == {"目标": 1}
    assert not Target.objects.exists()
    assert AuditEntry.objects.filter(action="plan.delete", model="plans.target").exists()


@pytest.mark.django_db
def test_task_with_progress_is_not_silently_deleted(plan_path):
    plan = load_plan_file(plan_path).plan
    record_task_progress(Task.objects.get(plan=plan), "2021H1", quantity_done=690)
    before = Task.objects.count()
    plan_path.write_text(GOOD.split("tasks:")[0], encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        load_plan_file(plan_path)
    assert "已有进展记录" in str(info.value)
    assert Task.objects.count() == before


@pytest.mark.django_db
def test_demo_plan_is_complete():
    report = load_plan_file(demo.plan_file())
    plan = report.plan
    assert plan.name == "东城区2021年国民经济和社会发展计划"
    assert OrgUnit.objects.filter(parent=plan.org_unit, level="subdistrict").count() == 17
    headline = set(PlanIndicator.objects.filter(plan=plan, headline=True).values_list("indicator__name", flat=True))
    assert {"地区生产总值", "区级一般公共预算收入", "固定资产投资", "社会消费品零售总额", "万元GDP能耗下降率",
            "居民人均可支配收入"} == headline
    # The revenue target is derived from 105.7亿元 at 55.5% completion.
    assert Target.objects.get(plan=plan, indicator__code="revenue").value == pytest.approx(105.7 / 0.555, abs=0.05)
    assert Target.objects.get(plan=plan, indicator__code="fai").value == pytest.approx(114.5 / 0.511, abs=0.05)
    goals = {(t.target_quantity, t.unit) for t in Task.objects.filter(plan=plan)}
    assert {(1200, "户"), (400, "张"), (339, "条"), (205, "户"), (15, "座")} <= goals
    assert Task.objects.get(plan=plan, code="olympic-routes").deadline.isoformat() == "2021-11-30"
    assert Indicator.objects.get(code="pm25").direction == "lower"
    assert Indicator.objects.get(code="pm25").binding is True


@pytest.mark.django_db
def test_demo_values_load_idempotently():
    load_plan_file(demo.plan_file())
    demo.load_demo_values()
    from planwatch.data.models import NOT_CURRENT, DataValue

    # The bulletin's proposal stays beside the current value (status accepted); one current value.
    revenue = DataValue.objects.exclude(status__in=NOT_CURRENT).get(indicator__code="revenue", period__code="2021H1")
    assert (revenue.value, revenue.yoy_pct, revenue.progress_pct) == (105.7, 9.1, 55.5)
    count, audits = DataValue.objects.count(), AuditEntry.objects.count()
    demo.load_demo_values()
    assert (DataValue.objects.count(), AuditEntry.objects.count()) == (count, audits)
