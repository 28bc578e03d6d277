"""Transactional outbox: a side effect is first a row, written with the change that causes it."""

from django.db import models
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "En échec"


class OutboxKind(models.TextChoices):
    EMAIL = "email", "Courriel"


class OutboxMessage(models.Model):
    kind = models.CharField(max_length=20, choices=OutboxKind.choices, default=OutboxKind.EMAIL)
    # Same key, same message: a retried caller or a replayed job never sends twice.
    idempotency_key = models.CharField(max_length=200, unique=True)
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)}"
