"""Thin Celery wrappers around the backup services; all run in the public schema."""

import logging

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from backups.models import BackupReason
from backups.services import backup_commune
from tenants.models import Commune

logger = logging.getLogger(__name__)
PUBLIC = {"_schema_name": "public"}


@shared_task(acks_late=True)
def backup_commune_task(commune_id: int, reason: str = BackupReason.SCHEDULED) -> str:
    """Back up one commune; returns the record's status ("missing" if the commune is gone).

    A redelivered task takes one more backup, which is harmless."""
    with schema_context(get_public_schema_name()):
        commune = Commune.objects.filter(pk=commune_id).first()
        if commune is None:
            logger.warning("backup skipped: commune %s no longer exists", commune_id)
            return "missing"
        return str(backup_commune(commune=commune, reason=reason).status)


def backup_enqueue(*, commune: Commune, reason: str = BackupReason.MANUAL) -> None:
    """Ask a worker to back up the commune now (the console's button, the API)."""
    backup_commune_task.apply_async(args=[commune.pk, str(reason)], headers=PUBLIC)


@shared_task
def schedule_backups() -> int:
    """Beat, every five minutes: one backup task per active commune that is due."""
    from backups.selectors import communes_due_for_backup

    with schema_context(get_public_schema_name()):
        due = communes_due_for_backup(now=timezone.now())
        for commune in due:
            backup_enqueue(commune=commune, reason=BackupReason.SCHEDULED)
    return len(due)


@shared_task(acks_late=True)
def restore_run_task(record_id: int) -> str:
    from backups.restore import restore_run

    with schema_context(get_public_schema_name()):
        return str(restore_run(record_id=record_id).status)


@shared_task
def retention_task() -> int:
    from backups.expiry import retention_apply
    from backups.restore import side_schemas_purge

    with schema_context(get_public_schema_name()):
        side_schemas_purge()
        return len(retention_apply().expired)


@shared_task
def drill_task() -> str:
    from backups.restore import drill_run

    with schema_context(get_public_schema_name()):
        record = drill_run()
        return "none" if record is None else str(record.status)
