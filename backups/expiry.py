"""Apply the retention rule: delete expired backups from S3, mark them in the catalogue."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from backups.models import BackupRecord, BackupStatus
from backups.retention import DEFAULT_POLICY, RetentionPolicy, backups_to_keep
from backups.storage import BackupStorageError, backup_objects_delete

logger = logging.getLogger(__name__)
FAILED_KEPT_FOR = timedelta(weeks=5)


@dataclass
class RetentionResult:
    expired: list[int] = field(default_factory=list)
    failed_removed: int = 0
    errors: list[str] = field(default_factory=list)


def retention_apply(
    *, now: datetime | None = None, policy: RetentionPolicy = DEFAULT_POLICY
) -> RetentionResult:
    """For each commune (by slug, so a deleted commune's backups expire too): delete the
    objects of the succeeded backups the policy no longer keeps, then mark them expired;
    remove failed attempts older than five weeks. An object S3 refuses to delete (object
    lock, outage) keeps its row, and is retried on the next run."""
    now = now or timezone.now()
    result = RetentionResult()
    by_slug: dict[str, list[BackupRecord]] = defaultdict(list)
    for record in BackupRecord.objects.filter(status=BackupStatus.SUCCEEDED).only(
        "pk", "commune_slug", "started_at", "object_key", "manifest_key"
    ):
        by_slug[record.commune_slug].append(record)
    for records in by_slug.values():
        keep = backups_to_keep([r.started_at for r in records], now, policy)
        for record in records:
            if record.started_at in keep:
                continue
            try:
                backup_objects_delete([record.object_key, record.manifest_key])
            except BackupStorageError as exc:
                result.errors.append(str(exc))
                continue
            BackupRecord.objects.filter(pk=record.pk).update(status=BackupStatus.EXPIRED)
            result.expired.append(record.pk)
    old_failed = BackupRecord.objects.filter(
        status=BackupStatus.FAILED, started_at__lt=now - FAILED_KEPT_FOR
    )
    for record in old_failed:
        keys = [k for k in (record.object_key, record.manifest_key) if k]
        try:
            backup_objects_delete(keys)
        except BackupStorageError as exc:
            result.errors.append(str(exc))
            continue
        record.delete()
        result.failed_removed += 1
    logger.info(
        "retention: %d expired, %d failed attempts removed, %d errors",
        len(result.expired),
        result.failed_removed,
        len(result.errors),
    )
    return result
