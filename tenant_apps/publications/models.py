"""Documents the commune publishes to families (menus, activity programmes)."""

import datetime

from django.conf import settings
from django.db import models

from tenant_apps.audiences.models import AudienceFields


class PublicationState(models.TextChoices):
    UPCOMING = "upcoming", "À venir"
    ONLINE = "online", "En ligne"
    EXPIRED = "expired", "Expiré"
    WITHDRAWN = "withdrawn", "Retiré"


class Publication(AudienceFields):
    title = models.CharField("titre", max_length=150)
    description = models.TextField("description", blank=True)
    file = models.FileField("fichier", upload_to="publications/%Y/")
    original_name = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField("type", max_length=50)
    size = models.PositiveIntegerField("taille (octets)")
    visible_from = models.DateField("visible à partir du")
    visible_until = models.DateField("visible jusqu'au", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    published_by_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField("retiré le", null=True, blank=True)
    withdrawn_by_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["-visible_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visible_until__isnull=True)
                | models.Q(visible_until__gte=models.F("visible_from")),
                name="publication_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def state_on(self, day: datetime.date) -> PublicationState:
        if self.withdrawn_at is not None:
            return PublicationState.WITHDRAWN
        if day < self.visible_from:
            return PublicationState.UPCOMING
        if self.visible_until is not None and day > self.visible_until:
            return PublicationState.EXPIRED
        return PublicationState.ONLINE
