from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tenant_apps.exchange"
    label = "exchange"
    verbose_name = "Import et export"
