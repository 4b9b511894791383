"""Numbers as they arrive: values per indicator × org unit × period, task progress, their sources.

Every value knows where it came from (typed in, imported from a workbook, or proposed from a
span of a document) and where it stands (proposed → draft → submitted → approved). Only one value
per indicator × org unit × period is *current*; proposals read out of documents wait beside it
until someone accepts or rejects them, so an extraction never overwrites a reviewed figure.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from planwatch.periods import Period as PeriodValue
from planwatch.plans.models import Indicator, OrgUnit, Plan, Task


class Period(models.Model):
    """A reporting period: 2021, 2021H1, 2021Q3, 2021-06 (see planwatch.periods)."""

    code = models.CharField("代码", max_length=16, unique=True)
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类型", max_length=8, choices=[
        ("year", "年"), ("half", "半年"), ("quarter", "季度"), ("month", "月")])
    number = models.PositiveSmallIntegerField("序号", default=1)
    start = models.DateField("起始日")
    end = models.DateField("截止日")

    class Meta:
        verbose_name = "报告期"
        verbose_name_plural = "报告期"
        ordering = ["year", "end", "kind"]

    def __str__(self):
        return self.value.zh_name

    @property
    def value(self) -> PeriodValue:
        return PeriodValue(self.year, self.kind, self.number)

    @classmethod
    def get(cls, code: str) -> "Period":
        """The stored period for a code, created on first use (codes are validated)."""
        p = PeriodValue.parse(code)
        obj, _ = cls.objects.get_or_create(
            code=p.code, defaults={"year": p.year, "kind": p.kind, "number": p.number, "start": p.start, "end": p.end}
        )
        return obj


class Source(models.TextChoices):
    ENTERED = "entered", "填报"
    IMPORTED = "imported", "导入"
    EXTRACTED = "extracted", "文档抽取"


class Status(models.TextChoices):
    PROPOSED = "proposed", "待审核(抽取)"
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "已退回"
    REJECTED = "rejected", "已驳回"
    ACCEPTED = "accepted", "已采纳"


# Values in these states are not the current figure: a proposal waiting for review, one turned
# down, or one whose numbers were taken into the current value.
NOT_CURRENT = [Status.PROPOSED, Status.REJECTED, Status.ACCEPTED]


class Document(models.Model):
    """A report read into planwatch; its decoded text is kept so every fact can point into it."""

    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    name = models.CharField("文件名", max_length=300)
    format = models.CharField("格式", max_length=16)
    encoding = models.CharField("编码", max_length=32, blank=True)
    size = models.PositiveBigIntegerField("字节数", default=0)
    text = models.TextField("正文")
    plan = models.ForeignKey(Plan, verbose_name="计划", null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    period = models.ForeignKey(Period, verbose_name="报告期", null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "文档"
        verbose_name_plural = "文档"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class Fact(models.Model):
    """A quantity stated in a document, with the span it was read from."""

    document = models.ForeignKey(Document, verbose_name="文档", on_delete=models.CASCADE, related_name="facts")
    start = models.PositiveIntegerField("起始位置")
    end = models.PositiveIntegerField("结束位置")
    quote = models.CharField("原文", max_length=200)
    subject = models.CharField("主体", max_length=200, blank=True)
    value = models.FloatField("数值")
    unit = models.CharField("单位", max_length=32, blank=True)
    yoy_pct = models.FloatField("同比(%)", null=True, blank=True)
    progress_pct = models.FloatField("完成进度(%)", null=True, blank=True)
    approx = models.BooleanField("约数", default=False)
    indicator = models.ForeignKey(Indicator, verbose_name="匹配指标", null=True, blank=True, on_delete=models.SET_NULL)
    task = models.ForeignKey(Task, verbose_name="匹配任务", null=True, blank=True, on_delete=models.SET_NULL)
    confidence = models.FloatField("匹配置信度", null=True, blank=True)

    class Meta:
        verbose_name = "抽取事实"
        verbose_name_plural = "抽取事实"
        ordering = ["document", "start"]
        constraints = [
            models.UniqueConstraint(fields=["document", "start", "end"], name="fact_span_unique"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="fact_span_not_empty"),
        ]

    def __str__(self):
        return f"{self.subject} {self.quote}"


class Reviewed(models.Model):
    """Fields shared by everything that is reported, reviewed and versioned."""

    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.ENTERED)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    document = models.ForeignKey(Document, verbose_name="来源文档", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    fact = models.ForeignKey(Fact, verbose_name="来源事实", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("说明", max_length=500, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_comment = models.CharField("审核意见", max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.status not in NOT_CURRENT


class DataValue(Reviewed):
    """The figure of one indicator for one org unit in one period (year-to-date for flows)."""

    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="values")
    org_unit = models.ForeignKey(OrgUnit, verbose_name="单位", on_delete=models.PROTECT, related_name="values")
    period = models.ForeignKey(Period, verbose_name="报告期", on_delete=models.PROTECT, related_name="values")
    value = models.FloatField("数值", null=True, blank=True)
    decimals = models.PositiveSmallIntegerField("小数位数", null=True, blank=True)
    yoy_pct = models.FloatField("同比(%)", null=True, blank=True)
    progress_pct = models.FloatField("报告完成进度(%)", null=True, blank=True)

    class Meta:
        verbose_name = "指标数据"
        verbose_name_plural = "指标数据"
        ordering = ["period", "indicator", "org_unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "period"], condition=~Q(status__in=NOT_CURRENT),
                name="one_current_value",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(yoy_pct__isnull=False) | Q(progress_pct__isnull=False),
                name="value_says_something",
            ),
        ]
        indexes = [models.Index(fields=["period", "indicator"], name="value_period_indicator")]

    def __str__(self):
        return f"{self.indicator.name} {self.org_unit.name} {self.period.code}: {self.value}"


class TaskProgress(Reviewed):
    """How far a key task has come by the end of a period."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="progress")
    period = models.ForeignKey(Period, verbose_name="报告期", on_delete=models.PROTECT, related_name="task_progress")
    quantity_done = models.FloatField("完成数量", null=True, blank=True)
    percent = models.FloatField("完成比例(%)", null=True, blank=True)
    narrative = models.TextField("进展情况", blank=True)

    class Meta:
        verbose_name = "任务进展"
        verbose_name_plural = "任务进展"
        ordering = ["period", "task"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "period"], condition=~Q(status__in=NOT_CURRENT), name="one_current_progress"
            ),
            models.CheckConstraint(
                condition=Q(quantity_done__isnull=True) | Q(quantity_done__gte=0), name="progress_quantity_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.task.title} {self.period.code}"


class AuditQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused too, so no code path can rewrite the trail."""

    def update(self, **kwargs):
        raise RuntimeError("audit entries are append-only")

    def delete(self):
        raise RuntimeError("audit entries are append-only")

    def for_object(self, obj):
        """The history of one record, newest first."""
        return self.filter(model=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEntry(models.Model):
    """One change of state: who did what to which record, the old and new values, and why.

    Written only by the action functions in ``planwatch.data.actions``; nothing in the app
    updates or deletes an entry (the admin shows them read-only; the queryset refuses bulk
    update/delete; on PostgreSQL a trigger refuses UPDATE and DELETE in the database itself).
    """

    objects = AuditQuerySet.as_manager()

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.CharField("操作者", max_length=150, blank=True, help_text="用户名,或 cli / system")
    action = models.CharField("操作", max_length=32)
    model = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=300, blank=True)
    old = models.JSONField("原值", null=True, blank=True)
    new = models.JSONField("新值", null=True, blank=True)
    reason = models.CharField("原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")


class PeriodLock(models.Model):
    """A planner's seal on one period of one plan: while locked, its values and progress stay as they are.

    One row per plan × period keeps the current state; every lock and reopen (with its reason)
    is in the audit trail, so the row itself only needs the latest.
    """

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.CASCADE, related_name="period_locks")
    period = models.ForeignKey(Period, verbose_name="报告期", on_delete=models.PROTECT, related_name="locks")
    locked = models.BooleanField("已锁定", default=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField("操作时间", auto_now=True)
    reason = models.CharField("原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "报告期锁定"
        verbose_name_plural = "报告期锁定"
        ordering = ["plan", "period"]
        constraints = [models.UniqueConstraint(fields=["plan", "period"], name="one_lock_per_plan_period")]

    def __str__(self):
        return f"{self.plan.code} {self.period.code}:{'已锁定' if self.locked else '已重新开放'}"


class ReportingDeadline(models.Model):
    """When a reporter owes its figures for a period: one department or one org unit, one due date."""

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.CASCADE, related_name="deadlines")
    period = models.ForeignKey(Period, verbose_name="报告期", on_delete=models.PROTECT, related_name="deadlines")
    department = models.ForeignKey("plans.Department", verbose_name="责任部门", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    org_unit = models.ForeignKey(OrgUnit, verbose_name="报送单位", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    due = models.DateField("截止日期")

    class Meta:
        verbose_name = "报送期限"
        verbose_name_plural = "报送期限"
        ordering = ["plan", "period", "due"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(department__isnull=False) & Q(org_unit__isnull=True))
                | (Q(department__isnull=True) & Q(org_unit__isnull=False)),
                name="deadline_for_one_reporter",
            ),
            models.UniqueConstraint(fields=["plan", "period", "department"], condition=Q(department__isnull=False),
                                    name="one_deadline_per_department"),
            models.UniqueConstraint(fields=["plan", "period", "org_unit"], condition=Q(org_unit__isnull=False),
                                    name="one_deadline_per_org_unit"),
        ]

    def __str__(self):
        return f"{self.plan.code} {self.period.code} {self.reporter}:{self.due:%Y-%m-%d}"

    @property
    def reporter(self):
        return self.department or self.org_unit
