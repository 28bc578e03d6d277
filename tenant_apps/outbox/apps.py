from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "tenant_apps.outbox"
    label = "outbox"
    verbose_name = "Envois"
