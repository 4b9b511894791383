from django.contrib import admin
from django.urls import include, path

from planwatch.api.api import api

admin.site.site_header = "planwatch 计划执行监测"
admin.site.site_title = "planwatch"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("planwatch.web.urls")),
]
