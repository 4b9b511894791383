"""The plan as a planning office declares it: who, what is measured, what is aimed at, what is done.

A plan (东城区2021年国民经济和社会发展计划) belongs to one org unit and one year. Indicators are a
shared catalogue (地区生产总值 means the same thing in every district), so national-scale data
does not repeat them per plan; a plan takes indicators into its areas through ``PlanIndicator``
and sets ``Target``s per org unit. Key tasks (重点任务) carry their own quantity and deadline.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q



class OrgUnit(models.Model):
    """An administrative unit: city → district → 街道 → community."""

    class Level(models.TextChoices):
        COUNTRY = "country", "国家"
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        DISTRICT = "district", "区县级"
        SUBDISTRICT = "subdistrict", "街道乡镇"
        COMMUNITY = "community", "社区村"

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    name_en = models.CharField("英文名称", max_length=200, blank=True)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = "行政单位"
        verbose_name_plural = "行政单位"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Department(models.Model):
    """A responsible body (区发展改革委, 区财政局 ...) that owns indicators and tasks."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    aliases = models.JSONField("别名", default=list, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="departments"
    )

    class Meta:
        verbose_name = "责任部门"
        verbose_name_plural = "责任部门"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Plan(models.Model):
    """An annual national economic and social development plan of one org unit."""

    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    org_unit = models.ForeignKey(OrgUnit, verbose_name="编制单位", on_delete=models.PROTECT, related_name="plans")
    description = models.TextField("说明", blank=True)
    thresholds = models.JSONField(
        "预警阈值", default=dict, blank=True,
        help_text="例如 {\"yellow_band\": 5.0}:低于时间进度5个百分点以内为黄色",
    )
    source_file = models.CharField("计划文件", max_length=500, blank=True)

    class Meta:
        verbose_name = "年度计划"
        verbose_name_plural = "年度计划"
        ordering = ["-year", "code"]

    def __str__(self):
        return self.name


class PlanArea(models.Model):
    """A section of the plan and of its report (疫情防控, 城市面貌 ...)."""

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField("代码", max_length=64)
    name = models.CharField("名称", max_length=200)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "计划领域"
        verbose_name_plural = "计划领域"
        ordering = ["plan", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="area_code_unique_in_plan")]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    """A measured quantity, shared by every plan that measures it.

    ``kind`` decides how progress is read: a *flow* accumulates over the year (GDP, revenue,
    investment: the year-to-date figure is compared with the annual target), a *level* is a
    state at a time (a rate, a concentration, an income per head: compared with the target level).
    ``aggregation`` says whether 街道 figures add up to the district's.
    """

    class Kind(models.TextChoices):
        FLOW = "flow", "累计量"
        LEVEL = "level", "水平值"

    class Direction(models.TextChoices):
        HIGHER = "higher", "越高越好"
        LOWER = "lower", "越低越好"

    class Aggregation(models.TextChoices):
        SUM = "sum", "求和"
        NONE = "none", "不可加总"

    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=200)
    name_en = models.CharField("英文名称", max_length=200, blank=True)
    aliases = models.JSONField("别名", default=list, blank=True)
    unit = models.CharField("计量单位", max_length=32, blank=True)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices, default=Kind.FLOW)
    direction = models.CharField("方向", max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    binding = models.BooleanField("约束性", default=False, help_text="约束性指标缺数时不会显示为绿色")
    aggregation = models.CharField("汇总方式", max_length=8, choices=Aggregation.choices, default=Aggregation.NONE)
    decimals = models.PositiveSmallIntegerField("小数位数", null=True, blank=True)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}({self.unit})" if self.unit else self.name

    @property
    def binding_label(self) -> str:
        return "约束性" if self.binding else "预期性"


class PlanIndicator(models.Model):
    """An indicator as one plan uses it: its area, whether it heads the report, its warning rule."""

    class Rule(models.TextChoices):
        AUTO = "", "自动"
        TIME_PROGRESS = "time_progress", "时间进度"
        GROWTH = "growth", "增速对标"
        LEVEL_LIMIT = "level_limit", "限值"

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.CASCADE, related_name="plan_indicators")
    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="plan_uses")
    area = models.ForeignKey(PlanArea, verbose_name="领域", null=True, blank=True, on_delete=models.SET_NULL)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    headline = models.BooleanField("主要指标", default=False)
    rule = models.CharField("预警规则", max_length=16, choices=Rule.choices, blank=True, default="")
    departments = models.ManyToManyField(Department, verbose_name="责任部门", blank=True, related_name="plan_indicators")

    class Meta:
        verbose_name = "计划指标"
        verbose_name_plural = "计划指标"
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "indicator"], name="indicator_once_per_plan")]

    def __str__(self):
        return f"{self.plan.code}:{self.indicator.code}"


class Target(models.Model):
    """What the plan aims at for one indicator in one org unit: an annual value and/or a growth."""

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="targets")
    org_unit = models.ForeignKey(OrgUnit, verbose_name="单位", on_delete=models.PROTECT, related_name="targets")
    value = models.FloatField("年度目标值", null=True, blank=True)
    growth_pct = models.FloatField("目标增速(%)", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        ordering = ["plan", "indicator", "org_unit"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "indicator", "org_unit"], name="one_target_per_unit"),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(growth_pct__isnull=False), name="target_has_value_or_growth"
            ),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="target_value_not_negative"),
        ]

    def __str__(self):
        parts = []
        if self.value is not None:
            parts.append(f"{self.value:g}{self.indicator.unit}")
        if self.growth_pct is not None:
            parts.append(f"增长{self.growth_pct:g}%")
        return f"{self.indicator.name} {self.org_unit.name}:{'、'.join(parts)}"


class Task(models.Model):
    """A key task (重点任务) with a numeric goal: 1200 户 relocated by 年底前."""

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.CASCADE, related_name="tasks")
    area = models.ForeignKey(PlanArea, verbose_name="领域", null=True, blank=True, on_delete=models.SET_NULL)
    code = models.SlugField("代码", max_length=64)
    title = models.CharField("任务", max_length=200)
    text = models.TextField("任务内容", blank=True)
    org_unit = models.ForeignKey(OrgUnit, verbose_name="单位", on_delete=models.PROTECT, related_name="tasks")
    target_quantity = models.FloatField("目标数量", null=True, blank=True)
    unit = models.CharField("单位", max_length=32, blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    deadline_text = models.CharField("时限(原文)", max_length=32, blank=True)
    departments = models.ManyToManyField(Department, verbose_name="责任部门", blank=True, related_name="tasks")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "重点任务"
        verbose_name_plural = "重点任务"
        ordering = ["plan", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="task_code_unique_in_plan"),
            models.CheckConstraint(
                condition=Q(target_quantity__isnull=True) | Q(target_quantity__gte=0), name="task_quantity_not_negative"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def goal_label(self) -> str:
        if self.target_quantity is None:
            return ""
        return f"{self.target_quantity:g}{self.unit}"

