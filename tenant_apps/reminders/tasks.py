"""Thin Celery wrapper; runs in the schema named by its headers."""

from datetime import datetime

from celery import shared_task

from tenant_apps.reminders.scheduling import reminders_tick


@shared_task(acks_late=True)
def reminders_tick_task(now: str | None = None) -> dict[str, int]:
    """One commune's reminders tick (idempotent). Fanned out with the catering tick."""
    result = reminders_tick(now=datetime.fromisoformat(now) if now else None)
    return {"ran": len(result.ran), "failed": len(result.failed),
            "households": result.households, "skipped": int(result.skipped)}
