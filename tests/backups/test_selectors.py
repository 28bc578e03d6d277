"""The catalogue reads the ops console uses."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backups.models import BackupRecord, BackupStatus
from backups.selectors import backups_for, last_successful_backups

pytestmark = pytest.mark.django_db


def record(commune, status, minutes_ago):
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return BackupRecord.objects.create(
        commune=commune, commune_slug=commune.slug, schema_name=commune.schema_name,
        status=status, started_at=at - timedelta(minutes=1), finished_at=at,
    )


def test_last_successful_backups_keeps_each_communes_newest_success(
    commune_alpha, commune_beta
):
    record(commune_alpha, BackupStatus.SUCCEEDED, 300)
    newest_alpha = record(commune_alpha, BackupStatus.SUCCEEDED, 60)
    record(commune_alpha, BackupStatus.FAILED, 5)
    record(commune_alpha, BackupStatus.RUNNING, 1)
    only_beta = record(commune_beta, BackupStatus.SUCCEEDED, 600)

    with CaptureQueriesContext(connection) as captured:
        latest = last_successful_backups()

    # django-tenants issues `SET search_path` before each cursor: not a query of ours.
    selects = [q for q in captured.captured_queries if not q["sql"].startswith("SET ")]
    assert len(selects) == 1 and "DISTINCT ON" in selects[0]["sql"]

    assert latest == {commune_alpha.pk: newest_alpha, commune_beta.pk: only_beta}


def test_communes_without_a_successful_backup_are_absent(commune_alpha, commune_beta):
    record(commune_beta, BackupStatus.FAILED, 5)

    assert last_successful_backups() == {}


def test_backups_for_lists_one_communes_attempts_newest_first(commune_alpha, commune_beta):
    old = record(commune_alpha, BackupStatus.SUCCEEDED, 300)
    failed = record(commune_alpha, BackupStatus.FAILED, 5)
    record(commune_beta, BackupStatus.SUCCEEDED, 1)

    assert backups_for(commune_alpha) == [failed, old]
    assert backups_for(commune_alpha, limit=1) == [failed]
