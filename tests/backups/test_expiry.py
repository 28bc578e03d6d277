"""Retention applied to the catalogue and the (versioned) bucket on the moto server."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backups.expiry import retention_apply
from backups.models import BackupRecord, BackupStatus
from backups.services import backup_commune
from backups.storage import backups_bucket_ensure
from config.s3 import s3_client

pytestmark = pytest.mark.django_db


def versions(bucket: str) -> set[str]:
    listing = s3_client().list_object_versions(Bucket=bucket)
    return {v["Key"] for group in ("Versions", "DeleteMarkers") for v in listing.get(group, [])}


def test_backups_bucket_is_versioned_with_object_lock_where_supported(backup_bucket):
    capabilities = backups_bucket_ensure()

    assert capabilities["versioning"] is True
    status = s3_client().get_bucket_versioning(Bucket=backup_bucket)["Status"]
    assert status == "Enabled"
    assert isinstance(capabilities["object_lock"], bool)


def test_expired_backups_leave_s3_and_are_marked(commune_alpha, backup_keys, backup_bucket):
    now = timezone.now()
    records = [backup_commune(commune=commune_alpha) for _ in range(3)]
    assert all(r.succeeded for r in records)
    # Two backups the same day three weeks ago (only the newer stays), one just now.
    ages = [timedelta(days=21, hours=2), timedelta(days=21, hours=1), timedelta(0)]
    for record, age in zip(records, ages, strict=True):
        BackupRecord.objects.filter(pk=record.pk).update(started_at=now - age)
    failed = BackupRecord.objects.create(
        commune=commune_alpha,
        commune_slug="alpha",
        schema_name="c_alpha",
        status=BackupStatus.FAILED,
        started_at=now - timedelta(weeks=6),
    )

    result = retention_apply(now=now)

    assert result.expired == [records[0].pk] and result.errors == []
    assert result.failed_removed == 1 and not BackupRecord.objects.filter(pk=failed.pk).exists()
    assert BackupRecord.objects.get(pk=records[0].pk).status == BackupStatus.EXPIRED
    left = versions(backup_bucket)
    assert records[0].object_key not in left and records[0].manifest_key not in left
    assert {records[1].object_key, records[2].object_key} <= left
    assert retention_apply(now=now).expired == []  # idempotent
