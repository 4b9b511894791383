from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "planwatch.plans"
    verbose_name = "计划与指标"
