from django.apps import AppConfig


class DataConfig(AppConfig):
    name = "planwatch.data"
    verbose_name = "数据采集"
