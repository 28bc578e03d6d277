from django.apps import AppConfig


class CommuneSettingsConfig(AppConfig):
    name = "tenant_apps.commune_settings"
    label = "commune_settings"
    verbose_name = "Paramètres de la commune"
