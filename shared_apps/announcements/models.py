"""Messages from the operations team to communes' back offices (and portals if chosen)."""

from django.db import models


class AnnouncementKind(models.TextChoices):
    INFORMATION = "information", "Information"
    INCIDENT = "incident", "Incident"
    MAINTENANCE = "maintenance", "Maintenance"


class Announcement(models.Model):
    kind = models.CharField(
        "type",
        max_length=20,
        choices=AnnouncementKind.choices,
        default=AnnouncementKind.INFORMATION,
    )
    title = models.CharField("titre", max_length=150)
    body = models.TextField("message")
    all_communes = models.BooleanField("toutes les communes", default=True)
    communes = models.ManyToManyField("tenants.Commune", blank=True, verbose_name="communes")
    show_on_portal = models.BooleanField(
        "afficher aussi sur le portail des familles", default=False
    )
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    created_by_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="announcement_ends_after",
            )
        ]

    def __str__(self) -> str:
        return self.title
