"""The commune (tenant) and its domains, in the public schema."""

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class BillingMode(models.TextChoices):
    REGIE = "regie", "Régie"
    PERCEPTION = "perception", "Perception (DGFiP)"
    PREPAID = "prepaid", "Prépaiement"


class PaymentMode(models.TextChoices):
    CASH = "cash", "Espèces"
    CHEQUE = "cheque", "Chèque"
    CESU = "cesu", "CESU"
    CARD = "card", "Carte au guichet"
    PAYFIP = "payfip", "Paiement en ligne (PayFiP)"
    SEPA = "sepa", "Prélèvement SEPA"
    TRANSFER = "transfer", "Virement"


class Module(models.TextChoices):
    CANTINE = "cantine", "Restauration scolaire"
    PERISCOLAIRE = "periscolaire", "Périscolaire"
    ALSH = "alsh", "ALSH (centre de loisirs)"
    PORTAL = "portal", "Portail des familles"
    CATERING = "catering", "Commandes de repas"


class CommuneStatus(models.TextChoices):
    PROVISIONING = "provisioning", "En création"
    FAILED = "failed", "Création échouée"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspendue"
    ARCHIVED = "archived", "Archivée"


class Commune(TenantMixin):
    """A town's children's service; its data lives in its own schema."""

    name = models.CharField("nom", max_length=120)
    slug = models.SlugField("identifiant", max_length=40, unique=True)
    insee_code = models.CharField("code INSEE", max_length=5)
    address = models.TextField("adresse", blank=True)
    contact_name = models.CharField("contact", max_length=120, blank=True)
    contact_email = models.EmailField("courriel du contact")
    contact_phone = models.CharField("téléphone", max_length=30, blank=True)
    billing_mode = models.CharField(
        "mode de facturation", max_length=20, choices=BillingMode.choices, default=BillingMode.REGIE
    )
    payment_modes = models.JSONField("moyens de paiement", default=list, blank=True)
    modules = models.JSONField("modules", default=list, blank=True)
    brand_colour = models.CharField("couleur", max_length=7, default="#1d4e89")
    backup_interval_minutes = models.PositiveIntegerField(
        "intervalle des sauvegardes (minutes)", default=60
    )
    status = models.CharField(
        "état", max_length=20, choices=CommuneStatus.choices, default=CommuneStatus.PROVISIONING
    )
    status_changed_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Schemas are cloned from the template by provisioning, never migrated on save.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["provisioning", "failed", "active", "suspended", "archived"]
                ),
                name="commune_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def serves_requests(self) -> bool:
        return self.status == CommuneStatus.ACTIVE


class Domain(DomainMixin):
    """A hostname that routes to a commune (lowercase, no port)."""

    def __str__(self) -> str:
        return self.domain
