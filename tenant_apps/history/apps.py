from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "tenant_apps.history"
    label = "history"
    verbose_name = "Historique"
