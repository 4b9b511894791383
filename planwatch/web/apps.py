from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "planwatch.web"
    verbose_name = "网页"
