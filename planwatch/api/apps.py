from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "planwatch.api"
    verbose_name = "接口"
