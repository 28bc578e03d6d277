"""Reads of the backup catalogue, for the ops console, the scheduler and the restore."""

from datetime import datetime, timedelta

from django.db.models import F

from backups.models import BackupRecord, BackupStatus, RestoreKind, RestoreRecord
from tenants.models import Commune, CommuneStatus

# Beat asks every BEAT_PERIOD whether a commune is due; a backup counts as due half a
# period early, so an hourly schedule does not drift to 65 minutes.
BEAT_PERIOD = timedelta(minutes=5)
# A backup still "running" after this long died with its worker: it no longer blocks.
RUNNING_STALE_AFTER = timedelta(hours=2)


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


def backup_overdue(commune: Commune, last_backup: BackupRecord | None, now: datetime) -> bool:
    """True when an active commune's last good backup is older than twice its interval
    (or it has none, and it has existed for longer than that)."""
    if commune.status != CommuneStatus.ACTIVE:
        return False
    limit = now - timedelta(minutes=2 * commune.backup_interval_minutes)
    if last_backup is None:
        return commune.created_at < limit
    return (last_backup.finished_at or last_backup.started_at) < limit


def communes_due_for_backup(*, now: datetime) -> list[Commune]:
    """Active communes whose last successful backup started at least one interval ago
    (or that have none), leaving out those with a backup under way; three queries."""
    last = {cid: b.started_at for cid, b in last_successful_backups().items()}
    running = set(
        BackupRecord.objects.filter(
            status=BackupStatus.RUNNING, started_at__gte=now - RUNNING_STALE_AFTER
        ).values_list("commune_id", flat=True)
    )
    due = []
    for commune in Commune.objects.filter(status=CommuneStatus.ACTIVE).order_by("pk"):
        if commune.pk in running:
            continue
        previous = last.get(commune.pk)
        interval = timedelta(minutes=commune.backup_interval_minutes)
        if previous is None or previous <= now - interval + BEAT_PERIOD / 2:
            due.append(commune)
    return due


def restore_get(*, record_id: int) -> RestoreRecord | None:
    return (
        RestoreRecord.objects.select_related("backup", "commune", "restored_commune")
        .filter(pk=record_id)
        .first()
    )


def restores_for(commune: Commune, limit: int = 20) -> list[RestoreRecord]:
    return list(
        RestoreRecord.objects.filter(commune=commune)
        .select_related("backup", "restored_commune")
        .order_by("-created_at", "-id")[:limit]
    )


def drill_latest() -> RestoreRecord | None:
    """The latest finished or running drill, whatever its commune."""
    return (
        RestoreRecord.objects.filter(kind=RestoreKind.DRILL).order_by("-created_at", "-id").first()
    )
