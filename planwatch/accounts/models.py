"""Who may do what: one role per account, tied to a department or an org unit where it matters.

The roles mirror how plan monitoring is organised in a district: the planning office (发展改革委)
owns the plan; each responsible department reports the indicators and tasks assigned to it; each
街道 reports its own figures; leaders and the public read. Keeping the role on a separate record
(not on the user) lets the admin change a person's role without touching their login.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from planwatch.plans.models import Department, OrgUnit


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    PLANNER = "planner", "计划编制部门"
    DEPARTMENT = "department", "责任部门填报人"
    SUBDISTRICT = "subdistrict", "街道填报人"
    VIEWER = "viewer", "只读用户"


class Membership(models.Model):
    """The role of one account, with the department or org unit it acts for.

    A planner's or viewer's ``org_unit`` (optional) narrows them to the plans of that unit and
    the units below it; a department reporter needs a ``department``; a 街道 reporter an
    ``org_unit``.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                                related_name="membership")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    department = models.ForeignKey(Department, verbose_name="责任部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="members")
    org_unit = models.ForeignKey(OrgUnit, verbose_name="所属单位", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="members")

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(condition=~Q(role="department") | Q(department__isnull=False),
                                   name="department_reporter_has_department"),
            models.CheckConstraint(condition=~Q(role="subdistrict") | Q(org_unit__isnull=False),
                                   name="subdistrict_reporter_has_org_unit"),
        ]

    def __str__(self):
        scope = self.department or self.org_unit
        return f"{self.user} · {self.get_role_display()}" + (f" · {scope}" if scope else "")

    def save(self, *args, **kwargs):
        """Keep the admin site to administrators: only the admin role is staff (and superuser)."""
        super().save(*args, **kwargs)
        admin_role = self.role == Role.ADMIN
        if self.user.is_staff != admin_role or self.user.is_superuser != admin_role:
            self.user.is_staff = self.user.is_superuser = admin_role
            self.user.save(update_fields=["is_staff", "is_superuser"])

    def clean(self):
        if self.role == Role.DEPARTMENT and self.department_id is None:
            raise ValidationError({"department": "责任部门填报人必须指定责任部门"})
        if self.role == Role.SUBDISTRICT and self.org_unit_id is None:
            raise ValidationError({"org_unit": "街道填报人必须指定所属单位"})
