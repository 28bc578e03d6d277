from django.apps import AppConfig


class CateringConfig(AppConfig):
    name = "tenant_apps.catering"
    label = "catering"
    verbose_name = "Commandes de repas"

    def ready(self) -> None:
        # The PDF and CSV of an order travel with its outbox email (rendered at sending).
        from tenant_apps.catering.documents import register_order_attachments

        register_order_attachments()
