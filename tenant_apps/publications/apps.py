from django.apps import AppConfig


class Config(AppConfig):
    name = "tenant_apps.publications"
    label = "publications"
