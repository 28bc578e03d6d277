"""The scheduled drill restores a commune's latest backup into a scratch schema, checks
it, drops it and records the result."""

import pytest

from backups.models import RestoreKind, RestoreRecord
from backups.restore import drill_run
from backups.selectors import drill_latest
from backups.tasks import drill_task
from tests.backups.restore.test_restore import add_guardians, backed_up, emails, side_schemas

pytestmark = pytest.mark.django_db


def test_drill_restores_verifies_and_records(throwaway, backup_keys, backup_bucket):
    commune = throwaway()
    add_guardians(commune, "exercice")
    backup = backed_up(commune)
    before = emails(commune)

    record = drill_run(choose=lambda candidates: next(b for b in candidates if b.pk == backup.pk))

    assert record is not None and record.succeeded, record and record.error
    assert (record.kind, record.commune, record.backup) == (RestoreKind.DRILL, commune, backup)
    assert record.checks["row_counts_match"] and record.checks["rows"] >= 2
    assert record.duration_s > 0
    assert side_schemas(commune, "__rs_") == [] and emails(commune) == before
    assert drill_latest() == record


def test_drill_of_a_broken_backup_records_the_failure(throwaway, backup_keys, backup_bucket):
    from config.s3 import s3_client

    commune = throwaway()
    backup = backed_up(commune)
    s3_client().delete_object(Bucket=backup_bucket, Key=backup.object_key)

    record = drill_run(choose=lambda candidates: next(b for b in candidates if b.pk == backup.pk))

    assert record is not None and record.status == "failed"
    assert "introuvable" in record.error
    assert drill_latest() == record


def test_drill_task_reports_its_outcome(throwaway, backup_keys, backup_bucket):
    backed_up(throwaway())
    outcome = drill_task()
    assert outcome in {"succeeded", "failed"}
    assert RestoreRecord.objects.filter(kind=RestoreKind.DRILL).exists()
