from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "tenant_apps.reminders"
    label = "reminders"
    verbose_name = "Rappels de réservation"
