"""Reads of the mailing pages: past mailings with their counts, delivery per recipient."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from tenant_apps.mailings.models import Mailing, MailingRecipient
from tenant_apps.outbox.models import OutboxStatus


def mailing_list() -> QuerySet[Mailing]:
    """Every mailing, newest first, with delivery counts read from the outbox rows."""
    return (
        Mailing.objects.select_related("created_by", "sent_by", "school", "school_class__school",
                                       "service")
        .annotate(
            n_recipients=Count("recipients"),
            n_sent=Count("recipients", filter=Q(
                recipients__outbox_message__status=OutboxStatus.SENT)),
            n_failed=Count("recipients", filter=Q(
                recipients__outbox_message__status=OutboxStatus.FAILED)),
        )
        .order_by("-created_at")
    )


def mailing_get(*, pk: int) -> Mailing:
    """One mailing of this commune, or 404."""
    return get_object_or_404(
        Mailing.objects.select_related("school", "school_class__school", "service",
                                       "created_by", "sent_by"),
        pk=pk,
    )


@dataclass(frozen=True)
class DeliveryCounts:
    total: int
    queued: int  # recipients with an outbox row
    pending: int
    sent: int
    failed: int

    @property
    def preparing(self) -> int:
        """Recipients not yet handed to the outbox (a large mailing being fanned out)."""
        return self.total - self.queued

    @property
    def queued_percent(self) -> int:
        return round(100 * self.queued / self.total) if self.total else 100


def mailing_delivery_counts(*, mailing: Mailing) -> DeliveryCounts:
    """Where each recipient's email stands; one query."""
    row = MailingRecipient.objects.filter(mailing=mailing).aggregate(
        total=Count("pk"),
        queued=Count("pk", filter=Q(outbox_message__isnull=False)),
        pending=Count("pk", filter=Q(outbox_message__status=OutboxStatus.PENDING)),
        sent=Count("pk", filter=Q(outbox_message__status=OutboxStatus.SENT)),
        failed=Count("pk", filter=Q(outbox_message__status=OutboxStatus.FAILED)),
    )
    return DeliveryCounts(**row)


def mailing_recipients(*, mailing: Mailing, status: str = "") -> QuerySet[MailingRecipient]:
    """Recipients of a sent mailing with their outbox row; `status` keeps one state only
    ("pending" includes those not yet handed to the outbox)."""
    rows = MailingRecipient.objects.filter(mailing=mailing).select_related("outbox_message")
    if status == OutboxStatus.PENDING:
        rows = rows.filter(Q(outbox_message__isnull=True)
                           | Q(outbox_message__status=OutboxStatus.PENDING))
    elif status in (OutboxStatus.SENT, OutboxStatus.FAILED):
        rows = rows.filter(outbox_message__status=status)
    return rows
