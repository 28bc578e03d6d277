"""The backup catalogue, in the public schema: one row per attempt to back up a commune."""

from django.db import models
from django.utils import timezone


class BackupReason(models.TextChoices):
    SCHEDULED = "scheduled", "Planifiée"
    MANUAL = "manual", "Manuelle"
    ARCHIVE = "archive", "Avant archivage"


class BackupStatus(models.TextChoices):
    RUNNING = "running", "En cours"
    SUCCEEDED = "succeeded", "Réussie"
    FAILED = "failed", "Échec"


class BackupRecord(models.Model):
    """One backup of one commune's schema: where the encrypted dump lives, how to check it.

    The slug and schema are copied so the row still names its commune after the commune
    itself has been deleted (the foreign key is then null)."""

    commune = models.ForeignKey(
        "tenants.Commune",
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backups",
    )
    commune_slug = models.SlugField("identifiant de la commune", max_length=40)
    schema_name = models.CharField("schéma", max_length=63)
    reason = models.CharField(
        "motif", max_length=20, choices=BackupReason.choices, default=BackupReason.MANUAL
    )
    status = models.CharField(
        "état", max_length=20, choices=BackupStatus.choices, default=BackupStatus.RUNNING
    )
    started_at = models.DateTimeField("début", default=timezone.now)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    object_key = models.CharField("objet S3", max_length=255, blank=True)
    manifest_key = models.CharField("manifeste S3", max_length=255, blank=True)
    size_bytes = models.BigIntegerField("taille (octets)", null=True, blank=True)
    sha256 = models.CharField("empreinte SHA-256 (fichier chiffré)", max_length=64, blank=True)
    key_id = models.CharField("clé de chiffrement", max_length=64, blank=True)
    manifest = models.JSONField("manifeste", default=dict, blank=True)
    error = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "sauvegarde"
        verbose_name_plural = "sauvegardes"
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(
                fields=["commune", "status", "-finished_at"], name="backup_commune_status"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["running", "succeeded", "failed"]),
                name="backup_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(reason__in=["scheduled", "manual", "archive"]),
                name="backup_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune_slug} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def succeeded(self) -> bool:
        return self.status == BackupStatus.SUCCEEDED
