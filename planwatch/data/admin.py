from django.contrib import admin

from planwatch.data.models import AuditEntry, DataValue, Document, Fact, Period, TaskProgress


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "start", "end"]
    list_filter = ["kind", "year"]
    search_fields = ["code"]


@admin.register(DataValue)
class DataValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "org_unit", "period", "value", "yoy_pct", "progress_pct", "source", "status", "updated_at"]
    list_filter = ["period", "status", "source", "indicator"]
    search_fields = ["indicator__name", "indicator__code", "org_unit__name"]
    raw_id_fields = ["org_unit", "document", "fact"]


@admin.register(TaskProgress)
class TaskProgressAdmin(admin.ModelAdmin):
    list_display = ["task", "period", "quantity_done", "percent", "source", "status", "updated_at"]
    list_filter = ["period", "status", "source"]
    search_fields = ["task__title", "task__code", "narrative"]
    raw_id_fields = ["document", "fact"]


class FactInline(admin.TabularInline):
    model = Fact
    extra = 0
    fields = ["start", "end", "quote", "subject", "value", "unit", "yoy_pct", "progress_pct", "indicator", "task", "confidence"]
    readonly_fields = fields
    can_delete = False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["name", "format", "encoding", "plan", "period", "created_at"]
    list_filter = ["format", "plan", "period"]
    search_fields = ["name", "sha256"]
    exclude = ["text"]
    inlines = [FactInline]


@admin.register(Fact)
class FactAdmin(admin.ModelAdmin):
    list_display = ["document", "quote", "subject", "value", "unit", "yoy_pct", "progress_pct", "indicator", "task", "confidence"]
    list_filter = ["document", "unit"]
    search_fields = ["quote", "subject"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is appended to by action functions, never edited by hand."""

    list_display = ["at", "actor", "action", "model", "object_repr", "reason"]
    list_filter = ["action", "model"]
    search_fields = ["object_repr", "actor", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
