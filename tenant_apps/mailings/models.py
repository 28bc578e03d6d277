"""Mailings: one email composed by an agent, sent to the guardians of many households.

A draft keeps its audience as a filter; sending freezes the recipients (one row per
guardian) and writes one outbox message per recipient, so the delivery state of each
address is the state of its outbox row."""

from django.conf import settings
from django.db import models


class AudienceKind(models.TextChoices):
    ALL = "all", "Toutes les familles"
    SCHOOL = "school", "Les familles d'une école"
    SCHOOL_CLASS = "class", "Les familles d'une classe"
    SERVICE = "service", "Les familles inscrites à une prestation"


class MailingStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SENDING = "sending", "Envoi en cours"
    SENT = "sent", "Envoyé"


class Mailing(models.Model):
    subject = models.CharField("objet", max_length=200)
    # Sanitised on the way in (tenant_apps.mailings.sanitising): safe to render as is.
    body_html = models.TextField("message")
    audience_kind = models.CharField(
        "destinataires", max_length=10, choices=AudienceKind.choices, default=AudienceKind.ALL
    )
    school = models.ForeignKey(
        "schooling.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="école",
    )
    school_class = models.ForeignKey(
        "schooling.SchoolClass", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="classe",
    )
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="prestation",
    )
    status = models.CharField(
        max_length=10, choices=MailingStatus.choices, default=MailingStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # Frozen at send time: what the confirmation announced.
    household_count = models.PositiveIntegerField(default=0)
    recipient_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(audience_kind="all", school__isnull=True,
                             school_class__isnull=True, service__isnull=True)
                    | models.Q(audience_kind="school", school__isnull=False,
                               school_class__isnull=True, service__isnull=True)
                    | models.Q(audience_kind="class", school__isnull=True,
                               school_class__isnull=False, service__isnull=True)
                    | models.Q(audience_kind="service", school__isnull=True,
                               school_class__isnull=True, service__isnull=False)
                ),
                name="mailing_audience_target",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(sent_at__isnull=False),
                name="mailing_sent_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def audience_label(self) -> str:
        """The audience as agents read it: "Classe : CP de Mme Le Bihan (École du Port)"."""
        target = self.school or self.school_class or self.service
        if target is None:
            return str(AudienceKind.ALL.label)
        prefix = {"school": "École", "class": "Classe", "service": "Prestation"}
        return f"{prefix.get(self.audience_kind, '')} : {target}"


class MailingRecipient(models.Model):
    """One guardian reached by a sent mailing; names and address as they were then."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    guardian = models.ForeignKey(
        "families.Guardian", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    household = models.ForeignKey(
        "families.Household", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    guardian_name = models.CharField(max_length=210)
    household_name = models.CharField(max_length=150)
    email = models.EmailField()
    outbox_message = models.ForeignKey(
        "outbox.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["household_name", "guardian_name"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "guardian"], name="mailing_guardian_once"),
            models.UniqueConstraint(fields=["mailing", "email"], name="mailing_email_once"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_name} <{self.email}>"
