"""The plan's records in the admin. Every save and delete there is audited like any other change.

The admin is for administrators only (see planwatch.accounts); even so, a target changed there
goes through the same action as everywhere else, and other edits leave an audit row with the
old and new values.
"""
from django.contrib import admin
from django.db import transaction

from planwatch.data.actions import Actor, audit, delete_target, set_target, snapshot
from planwatch.plans.models import Department, Indicator, OrgUnit, Plan, PlanArea, PlanIndicator, Target, Task


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit row (old and new values) for each save and delete made in the admin."""

    def save_model(self, request, obj, form, change):
        old = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        with transaction.atomic():
            if change and hasattr(obj, "version") and form.changed_data:
                obj.version += 1
            super().save_model(request, obj, form, change)
            if change and not form.changed_data:
                return
            audit("admin.update" if change else "admin.create", obj, actor=Actor.of(request.user), old=old,
                  new=snapshot(obj), reason="管理后台")

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit("admin.delete", obj, actor=Actor.of(request.user), old=snapshot(obj), reason="管理后台删除")
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            actor = Actor.of(request.user)
            for obj in formset.new_objects:
                audit("admin.create", obj, actor=actor, new=snapshot(obj), reason="管理后台")
            for obj, _fields in formset.changed_objects:
                audit("admin.update", obj, actor=actor, new=snapshot(obj), reason="管理后台")
            for obj in formset.deleted_objects:
                audit("admin.delete", obj, actor=actor, old=snapshot(obj), reason="管理后台删除")


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["code", "name", "org_unit"]
    search_fields = ["code", "name"]
    list_filter = ["org_unit"]


class PlanAreaInline(admin.TabularInline):
    model = PlanArea
    extra = 0


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ["code", "name", "year", "org_unit"]
    list_filter = ["year"]
    search_fields = ["code", "name"]
    inlines = [PlanAreaInline]


@admin.register(PlanArea)
class PlanAreaAdmin(AuditedAdmin):
    list_display = ["plan", "order", "code", "name"]
    list_filter = ["plan"]
    search_fields = ["code", "name"]


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["code", "name", "unit", "kind", "direction", "binding", "aggregation"]
    list_filter = ["kind", "direction", "binding", "aggregation"]
    search_fields = ["code", "name", "name_en", "aliases"]


@admin.register(PlanIndicator)
class PlanIndicatorAdmin(AuditedAdmin):
    list_display = ["plan", "indicator", "area", "headline", "rule"]
    list_filter = ["plan", "headline", "rule", "area"]
    search_fields = ["indicator__name", "indicator__code"]
    filter_horizontal = ["departments"]


@admin.register(Target)
class TargetAdmin(AuditedAdmin):
    list_display = ["plan", "indicator", "org_unit", "value", "growth_pct"]
    list_filter = ["plan", "org_unit__level"]
    search_fields = ["indicator__name", "indicator__code", "org_unit__name"]
    raw_id_fields = ["org_unit"]
    readonly_fields = ["version"]

    def save_model(self, request, obj, form, change):
        """Through the target action: version, plan-year lock and audit as in the app and API."""
        saved = set_target(obj.plan, obj.indicator, obj.org_unit, value=obj.value, growth_pct=obj.growth_pct,
                           note=obj.note, actor=Actor.of(request.user), reason="管理后台修改")
        obj.pk, obj.version = saved.pk, saved.version

    def delete_model(self, request, obj):
        delete_target(obj, actor=Actor.of(request.user), reason="管理后台删除")


@admin.register(Task)
class TaskAdmin(AuditedAdmin):
    list_display = ["plan", "code", "title", "target_quantity", "unit", "deadline", "deadline_text"]
    list_filter = ["plan", "area", "departments"]
    search_fields = ["code", "title", "text"]
    filter_horizontal = ["departments"]
    readonly_fields = ["version"]
