from django.apps import AppConfig


class SchoolingConfig(AppConfig):
    name = "tenant_apps.schooling"
    label = "schooling"
    verbose_name = "Scolarité"
