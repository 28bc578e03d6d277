"""Caterers (prestataires de repas), the sites they deliver, and the orders sent to them.

An order is one caterer × one delivery day. What was sent is immutable: each sending
state is a `CatererOrderVersion` (version 1 is the order, the next ones are amendments,
"rectificatifs") with its lines; every email of a version is a `CatererOrderDispatch`
pointing at its outbox message."""

from typing import TYPE_CHECKING

from django.contrib.postgres.fields import ArrayField
from django.db import models

from tenant_apps.sorting import FRENCH

if TYPE_CHECKING:
    from tenant_apps.schooling.models import School


class CutoffDayCount(models.TextChoices):
    CALENDAR = "calendar", "jours calendaires"
    WORKING = "working", "jours ouvrés"


class Caterer(models.Model):
    name = models.CharField("nom", max_length=150, unique=True, db_collation=FRENCH)
    emails = ArrayField(models.EmailField(), verbose_name="courriels", default=list)
    sites: "models.ManyToManyField[School, CatererSite]" = models.ManyToManyField(
        "schooling.School", through="CatererSite", related_name="caterers",
        verbose_name="sites livrés",
    )
    services = models.ManyToManyField(
        "catalog.Service", related_name="caterers", verbose_name="prestations comptées",
    )
    # Order cut-off: "HH:MM, N days before the delivery day" (0 = the same day).
    cutoff_time = models.TimeField("heure limite de commande")
    cutoff_days_before = models.PositiveSmallIntegerField("jours avant", default=0)
    cutoff_day_count = models.CharField(
        "décompte", max_length=10, choices=CutoffDayCount.choices,
        default=CutoffDayCount.WORKING,
    )
    active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def cutoff_label(self) -> str:
        hhmm = self.cutoff_time.strftime("%H:%M")
        if self.cutoff_days_before == 0:
            return f"le jour même à {hhmm}"
        suffix = " (jours ouvrés)" if self.cutoff_day_count == CutoffDayCount.WORKING else ""
        return f"J-{self.cutoff_days_before} à {hhmm}{suffix}"


class CatererSite(models.Model):
    """A school or centre the caterer delivers, with the adults' meals ordered there daily."""

    caterer = models.ForeignKey(Caterer, on_delete=models.CASCADE, related_name="site_links")
    school = models.ForeignKey(
        "schooling.School", on_delete=models.PROTECT, related_name="caterer_links"
    )
    adult_meals = models.PositiveSmallIntegerField("repas adultes par jour", default=0)

    class Meta:
        ordering = ["school__name"]
        constraints = [
            models.UniqueConstraint(fields=["caterer", "school"], name="caterer_site_unique")
        ]

    def __str__(self) -> str:
        return f"{self.caterer} → {self.school}"


class CatererOrder(models.Model):
    caterer = models.ForeignKey(Caterer, on_delete=models.PROTECT, related_name="orders")
    day = models.DateField("jour de livraison")
    cutoff_at = models.DateTimeField("heure limite")
    created_at = models.DateTimeField(auto_now_add=True)
    # Last time the bookings were compared with what was sent (amendments).
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "caterer__name"]
        constraints = [
            models.UniqueConstraint(fields=["caterer", "day"], name="caterer_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.caterer} {self.day}"

    @property
    def latest_version(self) -> "CatererOrderVersion | None":
        """The last version sent (uses the prefetched versions when there are)."""
        versions = list(self.versions.all())
        return max(versions, key=lambda v: v.number) if versions else None


class CatererOrderVersion(models.Model):
    """One sent state of an order: number 1 is the order, the next ones amendments."""

    order = models.ForeignKey(CatererOrder, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("version")
    total = models.PositiveIntegerField("repas")
    # Amendments: {"site|meal|diet": delta} against the previous version.
    changes = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    computed_at = models.DateTimeField()
    created_by_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="order_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order} v{self.number}"

    @property
    def is_amendment(self) -> bool:
        return self.number > 1


class CatererOrderLine(models.Model):
    version = models.ForeignKey(
        CatererOrderVersion, on_delete=models.CASCADE, related_name="lines"
    )
    site = models.CharField("site", max_length=150)
    meal = models.CharField("repas", max_length=150)
    diet = models.CharField("régime", max_length=20)
    quantity = models.PositiveIntegerField("nombre")

    class Meta:
        ordering = ["site", "meal", "diet"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "site", "meal", "diet"], name="order_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.meal} {self.diet}: {self.quantity}"


class DispatchReason(models.TextChoices):
    INITIAL = "initial", "Envoi"
    RESEND = "resend", "Renvoi"


class CatererOrderDispatch(models.Model):
    """One email of a version; its delivery state is its outbox message's."""

    version = models.ForeignKey(
        CatererOrderVersion, on_delete=models.CASCADE, related_name="dispatches"
    )
    reason = models.CharField(max_length=10, choices=DispatchReason.choices)
    idempotency_key = models.CharField(max_length=200, unique=True)
    outbox_message = models.ForeignKey(
        "outbox.OutboxMessage", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.idempotency_key
