"""Thin Celery wrapper around the backup service; runs in the public schema."""

import logging

from celery import shared_task
from django_tenants.utils import get_public_schema_name, schema_context

from backups.models import BackupReason
from backups.services import backup_commune
from tenants.models import Commune

logger = logging.getLogger(__name__)


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
