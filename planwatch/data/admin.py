"""The data in the admin: for looking up and tracing, not for editing numbers.

Values, task progress and period locks change only through ``planwatch.data.actions`` (the web
entry and review pages, the API, the CLI, the importers), which check versions, locks and roles
and write the audit trail.  Here they are read-only and each shows its own history; reporting
deadlines are edited here but saved through the audited action.
"""
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from planwatch.data import actions
from planwatch.data.models import (AuditEntry, DataValue, Document, Fact, Period, PeriodLock, ReportingDeadline,
                                   TaskProgress)


def history_table(obj) -> str:
    """The audit entries of one record, newest first, as an escaped HTML table."""
    if obj is None or obj.pk is None:
        return "—"
    entries = AuditEntry.objects.for_object(obj)[:200]
    if not entries:
        return "(无记录)"
    rows = format_html_join(
        "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor, e.action, _short(e.old), _short(e.new), e.reason) for e in entries),
    )
    return format_html(
        "<table><thead><tr><th>时间</th><th>操作者</th><th>操作</th><th>原值</th><th>新值</th><th>原因</th></tr></thead>"
        "<tbody>{}</tbody></table>", rows)


def _short(data) -> str:
    if not data:
        return ""
    return ",".join(f"{k}={v}" for k, v in data.items() if v not in (None, ""))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by administrators; every change goes through an action function."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="修改记录")
    def history(self, obj):
        return history_table(obj)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["history"]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "start", "end"]
    list_filter = ["kind", "year"]
    search_fields = ["code"]


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "org_unit", "period", "value", "yoy_pct", "progress_pct", "source", "status", "version", "updated_at"]
    list_filter = ["period", "status", "source", "indicator"]
    search_fields = ["indicator__name", "indicator__code", "org_unit__name"]
    list_select_related = ["indicator", "org_unit", "period"]


@admin.register(TaskProgress)
class TaskProgressAdmin(ReadOnlyAdmin):
    list_display = ["task", "period", "quantity_done", "percent", "source", "status", "version", "updated_at"]
    list_filter = ["period", "status", "source"]
    search_fields = ["task__title", "task__code", "narrative"]
    list_select_related = ["task", "period"]


@admin.register(PeriodLock)
class PeriodLockAdmin(ReadOnlyAdmin):
    """Locks are set and lifted with ``planwatch lock`` / ``planwatch reopen`` or on the web, with reasons."""

    list_display = ["plan", "period", "locked", "changed_by", "changed_at", "reason"]
    list_filter = ["locked", "plan", "period"]


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(admin.ModelAdmin):
    list_display = ["plan", "period", "department", "org_unit", "due"]
    list_filter = ["plan", "period"]
    readonly_fields = ["history"]

    @admin.display(description="修改记录")
    def history(self, obj):
        return history_table(obj)

    def save_model(self, request, obj, form, change):
        """Save through the audited action (a changed reporter replaces the old deadline)."""
        if change:
            self.delete_model(request, ReportingDeadline.objects.get(pk=obj.pk), reason="在管理后台修改报送单位")
        saved = actions.set_deadline(obj.plan, obj.period, obj.due, department=obj.department, org_unit=obj.org_unit,
                                     actor=actions.Actor.of(request.user), reason="管理后台")
        obj.pk = saved.pk

    def delete_model(self, request, obj, reason="管理后台删除"):
        old = {"due": str(obj.due), "reporter": str(obj.reporter)}
        actions.audit("deadline.delete", obj, actor=actions.Actor.of(request.user), old=old, reason=reason)
        obj.delete()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class FactInline(admin.TabularInline):
    model = Fact
    extra = 0
    fields = ["start", "end", "quote", "subject", "value", "unit", "yoy_pct", "progress_pct", "indicator", "task", "confidence"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Documents arrive through ingestion (audited); their text is shown on the review page."""

    list_display = ["name", "format", "encoding", "plan", "period", "created_at"]
    list_filter = ["format", "plan", "period"]
    search_fields = ["name", "sha256"]
    exclude = ["text"]
    inlines = [FactInline]

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "text"]


@admin.register(Fact)
class FactAdmin(ReadOnlyAdmin):
    list_display = ["document", "quote", "subject", "value", "unit", "yoy_pct", "progress_pct", "indicator", "task", "confidence"]
    list_filter = ["document", "unit"]
    search_fields = ["quote", "subject"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is appended to by action functions, never edited by hand."""

    list_display = ["at", "actor", "action", "model", "object_repr", "reason"]
    list_filter = ["action", "model"]
    search_fields = ["object_repr", "actor", "reason", "object_id"]
    readonly_fields = ["at", "user", "actor", "action", "model", "object_id", "object_repr", "old", "new", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
