from django.apps import AppConfig


class Config(AppConfig):
    name = "shared_apps.console"
    label = "console"
