"""Schemas a restore sets aside are dropped once they have aged: the replaced commune's
previous schema after two weeks, a crashed restore's scratch schema after a day; live
communes (whatever their name) are never touched."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from backups.restore import side_schemas_purge
from backups.tasks import retention_task

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
OLD_PREVIOUS = "c_zz_purge__pre_restore_20261101000000"  # 23 days
YOUNG_PREVIOUS = "c_zz_purge__pre_restore_20261120000000"  # 4 days
OLD_SCRATCH = "c_zz_purge__rs_20261122000000"  # 2 days
YOUNG_SCRATCH = "c_zz_purge__rs_20261124110000"  # 1 hour
LOOKALIKE = "c_zz_perrs_x"  # "rs" and underscores: LIKE '%__rs_%' would match it


def _exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def test_aged_side_schemas_are_dropped_and_nothing_else():
    names = [OLD_PREVIOUS, YOUNG_PREVIOUS, OLD_SCRATCH, YOUNG_SCRATCH, LOOKALIKE]
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'CREATE SCHEMA "{name}"')
    dropped = side_schemas_purge(now=NOW)
    assert sorted(dropped) == sorted([OLD_PREVIOUS, OLD_SCRATCH])
    assert [n for n in names if _exists(n)] == [YOUNG_PREVIOUS, YOUNG_SCRATCH, LOOKALIKE]
    assert side_schemas_purge(now=NOW) == []  # idempotent


def test_the_daily_retention_task_purges_them_too():
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{OLD_PREVIOUS}"')
    retention_task()
    assert not _exists(OLD_PREVIOUS)
