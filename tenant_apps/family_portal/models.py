"""The commune's choice of what parents may change on the portal, and the changes they
proposed that an agent must validate."""

from django.conf import settings
from django.db import models

from tenant_apps.family_portal.policy import EditMode, category_get


class FamilyEditPolicy(models.Model):
    """One field's mode, where the commune departs from the default (policy.DEFAULT_POLICY):
    a missing row means the default."""

    field = models.CharField("champ", max_length=60, unique=True)  # policy key, "child.diet"
    mode = models.CharField("choix", max_length=10, choices=EditMode.CHOICES)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["field"]
        verbose_name = "champ du portail"

    def __str__(self) -> str:
        return f"{self.field}: {self.mode}"


class ChangeTarget(models.TextChoices):
    HOUSEHOLD = "household", "Foyer"
    GUARDIAN = "guardian", "Responsable légal"
    CHILD = "child", "Enfant"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"


class ChangeRequest(models.Model):
    """A parent's proposed change of one card (household, guardian or child), waiting for an
    agent. `changes` maps a field name to {"before": ..., "after": ...} as JSON values
    (dates in ISO form); `after` is applied through the families services on acceptance."""

    household = models.ForeignKey(
        "families.Household", on_delete=models.CASCADE, related_name="change_requests",
        verbose_name="foyer demandeur",
    )
    target = models.CharField("objet", max_length=10, choices=ChangeTarget.choices)
    guardian = models.ForeignKey(
        "families.Guardian", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(
        "families.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField("rubrique", max_length=20)
    changes = models.JSONField(default=dict)
    status = models.CharField("état", max_length=10, choices=ChangeStatus.choices,
                              default=ChangeStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_email = models.EmailField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by_email = models.EmailField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField("motif", blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "-requested_at"], name="changerequest_status")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(target="household", guardian__isnull=True, child__isnull=True)
                    | models.Q(target="guardian", guardian__isnull=False, child__isnull=True)
                    | models.Q(target="child", guardian__isnull=True, child__isnull=False)
                ),
                name="changerequest_target_matches",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(decided_at__isnull=False),
                name="changerequest_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()} {self.category} ({self.get_status_display()})"

    @property
    def category_title(self) -> str:
        category = category_get(self.target, self.category)
        return category.title if category else self.category
