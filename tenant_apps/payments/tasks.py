"""Thin Celery wrappers: each runs in the schema named by its headers."""

from celery import shared_task

from tenants.fanout import fan_out


@shared_task(acks_late=True)
def payfip_reconcile_task() -> dict[str, int]:
    from tenant_apps.payments.services import payfip_reconcile_pending

    return payfip_reconcile_pending()


@shared_task
def fan_out_payfip_reconcile() -> int:
    """Beat entry point (every 5 minutes): one reconciliation per active commune."""
    return fan_out(payfip_reconcile_task)
