"""Writing and delivering outbox messages."""

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from tenant_apps.outbox.attachments import message_attachments
from tenant_apps.outbox.backoff import retry_delay
from tenant_apps.outbox.models import OutboxMessage, OutboxStatus
from tenants.db import current_schema

logger = logging.getLogger(__name__)


def outbox_email_enqueue(
    *,
    recipients: Sequence[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    idempotency_key: str,
) -> OutboxMessage:
    """Record an email to send, in the caller's transaction; delivery starts after commit.

    Calling it again with the same key returns the existing message unchanged."""
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "recipients": list(recipients),
            "subject": subject,
            "body_text": body_text,
            "body_html": body_html,
        },
    )
    if created:
        from tenant_apps.outbox.tasks import deliver_outbox_message

        message_id, schema = message.pk, current_schema()
        # The schema is captured now: by commit time the connection may point elsewhere.
        transaction.on_commit(
            lambda: deliver_outbox_message.apply_async(
                args=[message_id], headers={"_schema_name": schema}
            )
        )
    return message


def _message_id_header(message: OutboxMessage) -> str:
    # A stable Message-ID lets receiving servers drop the rare duplicate of a crash
    # between SMTP acceptance and our commit.
    digest = hashlib.sha256(f"{current_schema()}:{message.idempotency_key}".encode()).hexdigest()[
        :32
    ]
    return f"<{digest}@{settings.BASE_HOSTNAME}>"


def _send(message: OutboxMessage) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=message.recipients,
        headers={"Message-ID": _message_id_header(message)},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for filename, content, mimetype in message_attachments(message.idempotency_key):
        email.attach(filename, content, mimetype)
    email.send(fail_silently=False)


def outbox_message_deliver(*, message_id: int, now: datetime | None = None) -> OutboxStatus:
    """Try to send one due message; on failure schedule the next try with backoff.

    The row stays locked while sending, so two workers never send it twice."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return OutboxStatus.PENDING
        message.attempts += 1
        try:
            _send(message)
        except Exception as exc:  # any transport error: keep the message and retry later
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
            else:
                message.next_attempt_at = now + retry_delay(
                    message.attempts, settings.OUTBOX_BASE_BACKOFF_S
                )
            logger.warning("outbox delivery failed", extra={"outbox_id": message.pk})
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save()
        return OutboxStatus(message.status)


def outbox_deliver_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Deliver every due message of the current schema, oldest first; returns how many sent."""
    now = now or timezone.now()
    due_ids = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(
        outbox_message_deliver(message_id=pk, now=now) == OutboxStatus.SENT for pk in due_ids
    )


def outbox_message_retry(*, message_id: int) -> None:
    """An agent or operator asks for a failed message to be tried again now."""
    OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
