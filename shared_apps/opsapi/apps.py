from django.apps import AppConfig


class Config(AppConfig):
    name = "shared_apps.opsapi"
    label = "opsapi"
