from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "planwatch.reports"
    label = "reports"
    verbose_name = "报告"
