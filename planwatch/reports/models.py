"""A planner's own text for the report: what the figures cannot say.

Tasks carry their progress narrative in ``TaskProgress.narrative``; everything else a planner
writes (the opening of part 一, an area's summary, the issues of part 二, the plans of part 三)
is a ``Narrative`` for one plan and period, placed by ``part`` and optionally by area or task.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from planwatch.data.models import Period
from planwatch.plans.models import Plan, PlanArea, Task


class Narrative(models.Model):
    class Part(models.TextChoices):
        EXECUTION = "execution", "计划执行情况"
        ISSUES = "issues", "需要关注的主要问题"
        NEXT = "next", "下一阶段工作安排"

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.CASCADE, related_name="narratives")
    period = models.ForeignKey(Period, verbose_name="报告期", on_delete=models.PROTECT, related_name="narratives")
    part = models.CharField("部分", max_length=16, choices=Part.choices, default=Part.EXECUTION)
    area = models.ForeignKey(PlanArea, verbose_name="领域", null=True, blank=True, on_delete=models.CASCADE)
    task = models.ForeignKey(Task, verbose_name="任务", null=True, blank=True, on_delete=models.CASCADE)
    text = models.TextField("文字")
    version = models.PositiveIntegerField("版本", default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "报告文字"
        verbose_name_plural = "报告文字"
        ordering = ["plan", "period", "part", "area", "task"]
        # one text per place; area and task may be empty, which a unique constraint cannot hold
        # portably (NULLs are distinct), so ``narratives.set_narrative`` keeps it one.

    def __str__(self):
        where = self.task or self.area or self.get_part_display()
        return f"{self.plan.code} {self.period.code} {where}"

    def clean(self):
        if self.area_id and self.area.plan_id != self.plan_id:
            raise ValidationError({"area": "领域不属于该计划"})
        if self.task_id and self.task.plan_id != self.plan_id:
            raise ValidationError({"task": "任务不属于该计划"})
