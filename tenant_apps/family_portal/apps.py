from django.apps import AppConfig


class FamilyPortalConfig(AppConfig):
    name = "tenant_apps.family_portal"
    label = "family_portal"
    verbose_name = "Portail : profil et enfants"
