from django.urls import path, re_path

from planwatch.web import downloads, review, views, views_entry, views_owed

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:plan_code>/", views.dashboard, name="dashboard"),
    path("plans/<slug:plan_code>/indicators/<slug:indicator_code>/", views.indicator, name="indicator"),
    path("plans/<slug:plan_code>/entry/", views_entry.entry, name="entry"),
    path("plans/<slug:plan_code>/period/", views_entry.period_lock, name="period_lock"),
    path("plans/<slug:plan_code>/owed/", views_owed.owed, name="owed"),
    path("plans/<slug:plan_code>/report.<str:fmt>", downloads.report, name="report"),
    path("documents/", review.documents, name="documents"),
    path("documents/<int:document_id>/", review.document, name="document"),
    re_path(r"^proposals/(?P<kind>value|progress)/(?P<proposal_id>[0-9]{1,15})/(?P<decision>accept|reject)/$", review.decide,
            name="decide"),
]
