from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tenant_apps.catalog"
    label = "catalog"
    verbose_name = "Prestations"
