"""Thin Celery wrappers; each runs in the schema named by its headers."""

from celery import shared_task

from tenant_apps.outbox.services import outbox_deliver_due, outbox_message_deliver
from tenants.fanout import fan_out


@shared_task(acks_late=True)
def deliver_outbox_message(message_id: int) -> str:
    return str(outbox_message_deliver(message_id=message_id))


@shared_task(acks_late=True)
def deliver_due_outbox() -> int:
    return outbox_deliver_due()


@shared_task
def fan_out_outbox_delivery() -> int:
    """Beat entry point: one sweep per active commune, plus the control plane's own."""
    deliver_due_outbox.apply_async(headers={"_schema_name": "public"})
    return fan_out(deliver_due_outbox)
