"""Provisioning jobs: the console shows their progress."""

from django.db import models


class JobStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    SUCCEEDED = "succeeded", "Terminée"
    FAILED = "failed", "Échec"


class ProvisioningJob(models.Model):
    commune = models.ForeignKey("tenants.Commune", on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING)
    step = models.CharField(max_length=120, default="En attente du traitement")
    progress = models.PositiveSmallIntegerField(default=0)
    admin_email = models.EmailField()
    admin_name = models.CharField(max_length=150, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.status} {self.progress}%"
