"""Thin Celery wrappers; each runs in the schema named by its headers."""

from datetime import datetime

from celery import shared_task

from tenant_apps.catering.scheduling import catering_tick
from tenants.fanout import fan_out


@shared_task(acks_late=True)
def catering_tick_task(now: str | None = None) -> dict[str, int]:
    """One commune's tick: due orders, amendments, next cut-off (idempotent)."""
    result = catering_tick(now=datetime.fromisoformat(now) if now else None)
    return {"ran": len(result.ran), "failed": len(result.failed),
            "amendments": result.amendments, "skipped": int(result.skipped)}


@shared_task
def fan_out_catering_tick() -> int:
    """Beat, every minute: one tick per active commune."""
    from tenant_apps.reminders.tasks import reminders_tick_task

    fan_out(reminders_tick_task)  # booking reminders: their own task, same beat
    return fan_out(catering_tick_task)
