"""Back up and restore one commune of realistic volume; print one JSON line.

Households, bookings and invoices do not exist yet: the commune is built from tables that
do (5,000 guardian accounts, and outbox messages of realistic size standing in for a
school year of bookings and invoices). Figures: our backup (dump, encrypt, upload to the
local S3 server) and our restore (download, SHA-256, decrypt, reload, verify, swap) against
plain pg_dump / pg_restore of the same schema, and the achieved RPO."""

import argparse
import json
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from _setup import BENCH_DB, django_for_bench

TARGET_BACKUP_S = 30.0
TARGET_RESTORE_S = 60.0


def _populate(schema: str, households: int, messages: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO "{schema}".accounts_user
                (password, is_superuser, email, full_name, role, is_active, is_staff, date_joined)
            SELECT 'pbkdf2_sha256$870000$bench$' || md5(g::text), false,
                   'responsable' || g || '@familles.example', 'Responsable n° ' || g,
                   'guardian', true, false, now() - (g || ' minutes')::interval
            FROM generate_series(1, %s) AS g
            """,  # noqa: S608 (schema name is ours)
            [households],
        )
        cursor.execute(
            f"""
            INSERT INTO "{schema}".outbox_outboxmessage
                (kind, idempotency_key, recipients, subject, body_text, body_html, status,
                 attempts, next_attempt_at, last_error, created_at, sent_at)
            SELECT 'email', 'booking:' || g,
                   jsonb_build_array('responsable' || (g %% %s) || '@familles.example'),
                   'Réservation du ' || to_char(now() - (g %% 300 || ' days')::interval,
                                                'DD/MM/YYYY'),
                   repeat('Votre réservation de la cantine est confirmée. ', 8) || g,
                   '<p>' || repeat('Votre réservation est confirmée. ', 6) || g || '</p>',
                   'sent', 1, now(), '', now() - (g %% 300 || ' days')::interval, now()
            FROM generate_series(1, %s) AS g
            """,  # noqa: S608
            [households, messages],
        )
        cursor.execute(f'ANALYZE "{schema}".outbox_outboxmessage')


def _timed(argv: list[str]) -> float:
    started = time.monotonic()
    subprocess.run(argv, check=True, capture_output=True)  # noqa: S603
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=200_000)
    args = parser.parse_args()
    django_for_bench()
    from django.conf import settings
    from django.db import connection

    from backups.crypto import key_generate
    from backups.models import BackupRecord, RestoreRecord
    from backups.restore import restore_request, restore_run
    from backups.services import backup_commune
    from backups.storage import backup_objects_delete
    from provisioning.schemas import schema_drop, template_schema_ensure
    from provisioning.services import commune_create, provisioning_job_run
    from tenants.models import Commune

    settings.BACKUP_ENCRYPTION_KEYS = {"bench": key_generate()}
    settings.BACKUP_ACTIVE_KEY_ID = "bench"
    settings.S3_BACKUPS_BUCKET = "cantine-bench-backups"
    template_schema_ensure()
    slug = f"bench-bk-{uuid.uuid4().hex[:6]}"
    job = commune_create(
        actor=None, name="Bench sauvegarde", slug=slug, insee_code="22113",
        contact_email="bench@example.test", admin_email="admin@example.test", dispatch=False,
    )
    provisioning_job_run(job_id=job.pk)
    commune = Commune.objects.get(slug=slug)
    schema = commune.schema_name
    try:
        _populate(schema, args.households, args.messages)
        with tempfile.TemporaryDirectory() as tmp:
            plain = Path(tmp) / "plain.dump"
            pg = ["-h", "127.0.0.1", "-U", "postgres"]
            plain_dump_s = _timed(
                ["pg_dump", *pg, "-d", BENCH_DB, "-Fc", "-n", schema, "-f", str(plain)]
            )
            # Plain pg_restore of the same schema into the same database: the live
            # schema steps aside meanwhile, then comes back.
            aside = f"{schema}__plain_aside"
            _rename(schema, aside)
            try:
                plain_restore_s = _timed(
                    ["pg_restore", *pg, "--no-owner", "-d", BENCH_DB, str(plain)]
                )
            finally:
                connection.set_schema_to_public()
                schema_drop(schema)
                _rename(aside, schema)

        started = time.monotonic()
        backup = backup_commune(commune=commune)
        backup_s = time.monotonic() - started
        assert backup.succeeded, backup.error  # noqa: S101

        record = restore_request(
            actor=None, commune=commune, backup_id=backup.pk, drop_previous=True, dispatch=False
        )
        started = time.monotonic()
        record = restore_run(record_id=record.pk)
        restore_s = time.monotonic() - started
        assert record.succeeded, record.error  # noqa: S101
        rows = record.checks.get("rows")
    finally:
        connection.set_schema_to_public()
        for (name,) in _side_schemas(schema):
            schema_drop(name)
        schema_drop(schema)
        RestoreRecord.objects.filter(commune_slug=slug).delete()
        for keys in BackupRecord.objects.filter(commune_slug=slug).values_list(
            "object_key", "manifest_key"
        ):
            backup_objects_delete([k for k in keys if k])
        BackupRecord.objects.filter(commune_slug=slug).delete()
        Commune.objects.filter(slug=slug).delete()
    interval_s = commune.backup_interval_minutes * 60
    print(
        json.dumps(
            {
                "bench": "backups",
                "data": (
                    f"stand-in: {args.households} guardian accounts and {args.messages} "
                    "outbox messages (~0.6 kB each) for a school year of bookings and "
                    "invoices, which do not exist yet"
                ),
                "rows": rows,
                "dump_bytes": backup.size_bytes,
                "backup_s": round(backup_s, 2),
                "restore_verify_s": round(restore_s, 2),
                "plain_pg_dump_s": round(plain_dump_s, 2),
                "plain_pg_restore_s": round(plain_restore_s, 2),
                "backup_overhead_ratio": round(backup_s / plain_dump_s, 2),
                "restore_overhead_ratio": round(restore_s / plain_restore_s, 2),
                "schedule_interval_s": interval_s,
                "rpo_s": round(interval_s + backup_s, 1),
                "target_backup_s": TARGET_BACKUP_S,
                "target_restore_verify_s": TARGET_RESTORE_S,
                "meets_targets": backup_s <= TARGET_BACKUP_S and restore_s <= TARGET_RESTORE_S,
            }
        )
    )


def _rename(old: str, new: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA "{old}" RENAME TO "{new}"')


def _side_schemas(schema: str) -> list[tuple[str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)", [schema + "__"]
        )
        return list(cursor.fetchall())


if __name__ == "__main__":
    main()
