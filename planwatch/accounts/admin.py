"""Accounts in the admin: a user's role is edited on the user's own page.

The admin site is for administrators only: a role other than 系统管理员 never has ``is_staff``
(kept in step by ``Membership.save``), so planners and reporters work in the web app, where every
page asks ``planwatch.accounts.permissions``.
"""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from planwatch.accounts.models import Membership

User = get_user_model()


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    extra = 1
    max_num = 1
    fields = ["role", "department", "org_unit"]
    autocomplete_fields = ["department", "org_unit"]
    verbose_name = verbose_name_plural = "角色"


class PlanwatchUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "role", "scope", "is_active", "last_login"]
    list_filter = ["membership__role", "is_active"]
    list_select_related = ["membership", "membership__department", "membership__org_unit"]

    @admin.display(description="角色", ordering="membership__role")
    def role(self, user):
        from planwatch.accounts.permissions import role_of

        return dict(Membership._meta.get_field("role").choices).get(role_of(user), "—")

    @admin.display(description="范围")
    def scope(self, user):
        m = getattr(user, "membership", None)
        return (m.department or m.org_unit or "全部") if m else "—"


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PlanwatchUserAdmin)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "department", "org_unit"]
    list_filter = ["role", "department"]
    search_fields = ["user__username", "department__name", "org_unit__name"]
    autocomplete_fields = ["user", "department", "org_unit"]
