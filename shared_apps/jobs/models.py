"""Scheduled jobs of every commune, recorded in the public schema (the control plane).

A `JobRun` is one due run of one job kind for one commune: the row is written before the
work starts, and its unique key (commune, kind, due_at) makes a due run happen once,
however many workers or replayed beat ticks ask for it. A `JobSchedule` is what a commune
expects next (published by the commune's own task), so operators see a run that is late."""

from django.db import models


class JobKind(models.TextChoices):
    CATERER_ORDER = "caterer_order", "Commande de repas"
    CATERER_AMENDMENT = "caterer_amendment", "Rectificatif de commande de repas"
    BOOKING_REMINDER = "booking_reminder", "Rappel de réservation"


class JobRunStatus(models.TextChoices):
    RUNNING = "running", "En cours"
    SUCCEEDED = "succeeded", "Réussie"
    FAILED = "failed", "En échec"


class JobRun(models.Model):
    commune = models.ForeignKey("tenants.Commune", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=JobKind.choices)
    due_at = models.DateTimeField("prévue à")
    status = models.CharField(
        max_length=10, choices=JobRunStatus.choices, default=JobRunStatus.RUNNING
    )
    attempts = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField("démarrée à")
    finished_at = models.DateTimeField("terminée à", null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-due_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "kind", "due_at"], name="jobrun_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in JobRunStatus]),
                name="jobrun_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="jobrun_status_due"),
            models.Index(fields=["commune", "kind", "-due_at"], name="jobrun_last"),
        ]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def late_by_s(self) -> float:
        """How long after its due time the run started (seconds)."""
        return max(0.0, (self.started_at - self.due_at).total_seconds())


class JobSchedule(models.Model):
    """The next run a commune expects for one job kind (None: nothing planned)."""

    commune = models.ForeignKey("tenants.Commune", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=JobKind.choices)
    next_due_at = models.DateTimeField("prochaine échéance", null=True, blank=True)
    label = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "kind"], name="jobschedule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.kind} → {self.next_due_at}"
