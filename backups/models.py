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
    EXPIRED = "expired", "Expirée (supprimée)"


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
                condition=models.Q(status__in=["running", "succeeded", "failed", "expired"]),
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


class RestoreKind(models.TextChoices):
    RESTORE = "restore", "Restauration (remplacement)"
    INSPECTION = "inspection", "Restauration comme commune séparée"
    DRILL = "drill", "Exercice de restauration"


class RestoreStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    SUCCEEDED = "succeeded", "Réussie"
    FAILED = "failed", "Échec"


class RestoreRecord(models.Model):
    """One restore, inspection copy or drill of one backup: its progress, its checks and
    its outcome. Like BackupRecord, it keeps the slug when the commune row is gone."""

    kind = models.CharField("type", max_length=20, choices=RestoreKind.choices)
    commune = models.ForeignKey(
        "tenants.Commune",
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="restores",
    )
    commune_slug = models.SlugField("identifiant de la commune", max_length=40)
    backup = models.ForeignKey(
        BackupRecord,
        verbose_name="sauvegarde",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="restores",
    )
    target_slug = models.SlugField("identifiant de la copie", max_length=40, blank=True)
    restored_commune = models.ForeignKey(
        "tenants.Commune",
        verbose_name="commune restaurée",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="restored_from",
    )
    previous_schema = models.CharField("ancien schéma conservé", max_length=63, blank=True)
    drop_previous = models.BooleanField("supprimer l'ancien schéma", default=False)
    requested_by = models.CharField("demandée par", max_length=254, blank=True)
    status = models.CharField(
        "état", max_length=20, choices=RestoreStatus.choices, default=RestoreStatus.PENDING
    )
    step = models.CharField("étape", max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    started_at = models.DateTimeField("début", null=True, blank=True)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    duration_s = models.FloatField("durée (s)", null=True, blank=True)
    checks = models.JSONField("vérifications", default=dict, blank=True)
    error = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "restauration"
        verbose_name_plural = "restaurations"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"], name="restore_kind_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "running", "succeeded", "failed"]),
                name="restore_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["restore", "inspection", "drill"]),
                name="restore_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.commune_slug} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (RestoreStatus.SUCCEEDED, RestoreStatus.FAILED)

    @property
    def succeeded(self) -> bool:
        return self.status == RestoreStatus.SUCCEEDED
