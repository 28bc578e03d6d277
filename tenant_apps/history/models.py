"""Who changed what, when, on families and children (append-only)."""

from django.db import models


class ChangeAction(models.TextChoices):
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    DELETE = "delete", "Suppression"


class ChangeRecord(models.Model):
    entity = models.CharField(max_length=40)  # e.g. "household", "child"
    entity_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    # Field name -> [old, new], as displayable strings.
    changes = models.JSONField(default=dict, blank=True)
    summary = models.CharField(max_length=250, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_email = models.EmailField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity", "entity_id", "-at"], name="history_entity_idx")]

    def __str__(self) -> str:
        return f"{self.entity}#{self.entity_id} {self.action}"
