from django.contrib import admin

from planwatch.plans.models import Department, Indicator, OrgUnit, Plan, PlanArea, PlanIndicator, Target, Task


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "org_unit"]
    search_fields = ["code", "name"]
    list_filter = ["org_unit"]


class PlanAreaInline(admin.TabularInline):
    model = PlanArea
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "year", "org_unit"]
    list_filter = ["year"]
    search_fields = ["code", "name"]
    inlines = [PlanAreaInline]


@admin.register(PlanArea)
class PlanAreaAdmin(admin.ModelAdmin):
    list_display = ["plan", "order", "code", "name"]
    list_filter = ["plan"]
    search_fields = ["code", "name"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "kind", "direction", "binding", "aggregation"]
    list_filter = ["kind", "direction", "binding", "aggregation"]
    search_fields = ["code", "name", "name_en", "aliases"]


@admin.register(PlanIndicator)
class PlanIndicatorAdmin(admin.ModelAdmin):
    list_display = ["plan", "indicator", "area", "headline", "rule"]
    list_filter = ["plan", "headline", "rule", "area"]
    search_fields = ["indicator__name", "indicator__code"]
    filter_horizontal = ["departments"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["plan", "indicator", "org_unit", "value", "growth_pct"]
    list_filter = ["plan", "org_unit__level"]
    search_fields = ["indicator__name", "indicator__code", "org_unit__name"]
    raw_id_fields = ["org_unit"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["plan", "code", "title", "target_quantity", "unit", "deadline", "deadline_text"]
    list_filter = ["plan", "area", "departments"]
    search_fields = ["code", "title", "text"]
    filter_horizontal = ["departments"]
