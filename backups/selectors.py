"""Reads of the backup catalogue, for the ops console and the restore."""

from django.db.models import F

from backups.models import BackupRecord, BackupStatus
from tenants.models import Commune


def last_successful_backups() -> dict[int, BackupRecord]:
    """{commune id: its newest succeeded backup}, in one query (DISTINCT ON).

    Communes never backed up successfully are absent; records whose commune was deleted
    are left out."""
    records = (
        BackupRecord.objects.filter(status=BackupStatus.SUCCEEDED, commune__isnull=False)
        .order_by("commune_id", F("finished_at").desc(nulls_last=True), "-id")
        .distinct("commune_id")
    )
    return {record.commune_id: record for record in records if record.commune_id is not None}


def backups_for(commune: Commune, limit: int = 50) -> list[BackupRecord]:
    """The commune's latest backup attempts, whatever their outcome, newest first."""
    return list(BackupRecord.objects.filter(commune=commune).order_by("-started_at", "-id")[:limit])
