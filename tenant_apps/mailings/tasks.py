"""Thin Celery wrappers; each runs in the schema named by its headers."""

from celery import shared_task

from tenant_apps.mailings.services import mailing_outbox_fill


@shared_task(acks_late=True)
def mailing_fan_out(mailing_id: int) -> int:
    """Write the outbox rows of a large mailing; idempotent, so a redelivery is harmless."""
    return mailing_outbox_fill(mailing_id=mailing_id)
