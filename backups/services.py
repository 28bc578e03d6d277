"""Back up one commune: dump its schema, encrypt the dump, upload it with a manifest."""

import contextlib
import hashlib
import json
import logging
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import psycopg
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from psycopg import sql
from psycopg.conninfo import make_conninfo

from backups import crypto
from backups.models import BackupReason, BackupRecord, BackupStatus
from backups.storage import backups_bucket_ensure, commune_files
from config.pg_client import PgToolMissing, libpq_params, pg_tool_argv, pg_tool_env
from config.s3 import s3_client
from provisioning.migration_state import applied_migrations
from tenants.models import Commune, CommuneStatus

logger = logging.getLogger(__name__)

MANIFEST_FORMAT = "cantine-backup/1"
DUMP_FORMAT = "pg_dump-custom"
PG_DUMP_TIMEOUT_S = 4 * 3600
MIB = 1024 * 1024
# Dumps above the threshold go up in parts, several at a time; a failed part is retried
# alone instead of the whole file.
TRANSFER_CONFIG = TransferConfig(
    multipart_threshold=64 * MIB, multipart_chunksize=64 * MIB, max_concurrency=4
)
S3_ERRORS = (BotoCoreError, ClientError, Boto3Error)


class BackupFailed(Exception):
    """One step of a backup failed; the message is French, for the operator."""


@dataclass(frozen=True)
class _Dump:
    path: Path
    row_counts: dict[str, int]
    server_version: int


@dataclass(frozen=True)
class _Encrypted:
    path: Path
    size_bytes: int
    sha256: str
    key_id: str


def backup_commune(*, commune: Commune, reason: str = BackupReason.MANUAL) -> BackupRecord:
    """Back up one commune's schema and catalogue the attempt; never raises for a failed
    backup.

    The record is created `running`, then ends `succeeded` (object, manifest, size,
    sha256 of the encrypted object, key id filled in) or `failed` with a French error.
    The dump and the row counts come from one exported snapshot, so they agree with each
    other; they only see committed data. Temporary files are removed either way. A record
    that failed during the upload still names the keys it was writing, so a partial object
    can be found and cleaned up.
    Raises ValueError only for an unknown `reason` (a programming error)."""
    if reason not in BackupReason.values:
        raise ValueError(f"unknown backup reason {reason!r}")
    record = BackupRecord.objects.create(
        commune=commune,
        commune_slug=commune.slug,
        schema_name=commune.schema_name,
        reason=reason,
        status=BackupStatus.RUNNING,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="cantine-backup-") as workdir:
            _backup_into(record, Path(workdir))
    except BackupFailed as exc:
        logger.warning("backup of %s failed: %s", record.commune_slug, exc)
        _finish_failed(record, str(exc))
    except Exception as exc:
        logger.exception("backup of %s failed unexpectedly", record.commune_slug)
        _finish_failed(record, f"Erreur inattendue pendant la sauvegarde : {exc}")
    return record


def _backup_into(record: BackupRecord, workdir: Path) -> None:
    try:
        key_id = crypto.active_key_id()
    except crypto.BackupCryptoError as exc:
        raise BackupFailed(str(exc)) from exc
    bucket = settings.S3_BACKUPS_BUCKET
    with _s3_errors("préparer le compartiment des sauvegardes"):
        storage = backups_bucket_ensure(bucket)
    dump = _dump_schema(record.schema_name, workdir / "schema.dump")
    with _s3_errors("lister les fichiers de la commune"):
        files = commune_files(record.schema_name)
    with transaction.atomic():  # a savepoint: a failure here leaves the caller's transaction usable
        migrations = sorted(applied_migrations([record.schema_name])[record.schema_name])
    encrypted = _encrypt(dump.path, workdir / "schema.dump.enc", key_id)
    dump.path.unlink()  # the plaintext never stays longer than needed

    base = f"{record.commune_slug}/{record.started_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{record.pk}"
    record.object_key, record.manifest_key = f"{base}.dump.enc", f"{base}.manifest.json"
    record.size_bytes, record.sha256 = encrypted.size_bytes, encrypted.sha256
    record.key_id = encrypted.key_id
    record.manifest = _manifest(record, dump, migrations, files, storage)
    record.save(
        update_fields=["object_key", "manifest_key", "size_bytes", "sha256", "key_id", "manifest"]
    )
    _upload(record, bucket, encrypted.path)
    record.status, record.finished_at = BackupStatus.SUCCEEDED, timezone.now()
    record.save(update_fields=["status", "finished_at"])


def _finish_failed(record: BackupRecord, error: str) -> None:
    record.status, record.finished_at, record.error = BackupStatus.FAILED, timezone.now(), error
    record.save(update_fields=["status", "finished_at", "error"])


@contextlib.contextmanager
def _s3_errors(doing: str) -> Iterator[None]:
    try:
        yield
    except S3_ERRORS as exc:
        raise BackupFailed(
            f"Impossible de {doing} sur le stockage S3 ({settings.S3_ENDPOINT_URL}) : {exc}"
        ) from exc


# --- dump -------------------------------------------------------------------------------


@contextlib.contextmanager
def _exported_snapshot() -> Iterator[tuple[psycopg.Connection[Any], str]]:
    """A read-only repeatable-read transaction on its own connection, and the id of its
    snapshot for pg_dump --snapshot; the transaction stays open until the block ends."""
    conn = psycopg.connect(make_conninfo("", **libpq_params()))
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None  # noqa: S101 (the function always returns a row)
        yield conn, row[0]
        conn.rollback()
    finally:
        conn.close()


def _row_counts(conn: psycopg.Connection[Any], schema: str) -> dict[str, int]:
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
            "ORDER BY c.relname",
            [schema],
        )
    ]
    if not tables:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {name}, count(*) FROM {table}").format(
            name=sql.Literal(table), table=sql.Identifier(schema, table)
        )
        for table in tables
    )
    return {name: count for name, count in conn.execute(query)}


def _pg_dump_argv(schema: str, target: Path, snapshot_id: str) -> list[str]:
    # Double quotes make pg_dump take the schema name literally rather than as a pattern.
    quoted_schema = '"' + schema.replace('"', '""') + '"'
    try:
        return pg_tool_argv(
            "pg_dump",
            "--format=custom",
            f"--schema={quoted_schema}",
            "--strict-names",
            f"--snapshot={snapshot_id}",
            f"--file={target}",
        )
    except PgToolMissing as exc:
        raise BackupFailed(str(exc)) from exc


def _dump_schema(schema: str, target: Path) -> _Dump:
    """pg_dump -Fc of one schema into `target`, with the row count of each of its tables
    taken from the same snapshot."""
    env = pg_tool_env()
    try:
        with _exported_snapshot() as (conn, snapshot_id):
            argv = _pg_dump_argv(schema, target, snapshot_id)
            result = subprocess.run(  # noqa: S603 (argument list, no shell)
                argv,
                env=env,
                capture_output=True,
                text=True,
                timeout=PG_DUMP_TIMEOUT_S,
                check=False,
            )
            if result.returncode != 0:
                detail = result.stderr.strip()[-800:] or f"code de sortie {result.returncode}"
                raise BackupFailed(
                    f"L'export du schéma « {schema} » par pg_dump a échoué : {detail}"
                )
            row_counts = _row_counts(conn, schema)
            server_version = conn.info.server_version
    except subprocess.TimeoutExpired as exc:
        raise BackupFailed(
            f"L'export du schéma « {schema} » a dépassé {PG_DUMP_TIMEOUT_S // 3600} heures."
        ) from exc
    except psycopg.Error as exc:
        raise BackupFailed(f"Connexion à la base impossible pour la sauvegarde : {exc}") from exc
    return _Dump(path=target, row_counts=row_counts, server_version=server_version)


# --- encrypt, describe, upload ----------------------------------------------------------


class _HashingWriter:
    """A binary file wrapper that hashes and counts what goes through it."""

    def __init__(self, target: Any) -> None:
        self._target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return int(self._target.write(data))


def _encrypt(source: Path, target: Path, key_id: str) -> _Encrypted:
    try:
        with source.open("rb") as src, target.open("wb") as dst:
            writer = _HashingWriter(dst)
            used = crypto.encrypt_stream(src, writer, key_id)
    except crypto.BackupCryptoError as exc:
        raise BackupFailed(str(exc)) from exc
    return _Encrypted(
        path=target, size_bytes=writer.size, sha256=writer.digest.hexdigest(), key_id=used
    )


def _manifest(
    record: BackupRecord,
    dump: _Dump,
    migrations: list[tuple[str, str]],
    files: list[dict[str, Any]],
    storage: dict[str, bool],
) -> dict[str, Any]:
    """What a restore needs to find, decrypt and check the dump, stored next to it."""
    return {
        "format": MANIFEST_FORMAT,
        "dump_format": DUMP_FORMAT,
        "encryption": crypto.FORMAT_NAME,
        "key_id": record.key_id,
        "record_id": record.pk,
        "commune_slug": record.commune_slug,
        "schema_name": record.schema_name,
        "reason": record.reason,
        "created_at": record.started_at.astimezone(UTC).isoformat(),
        "object_key": record.object_key,
        "size_bytes": record.size_bytes,
        "sha256": record.sha256,
        "row_counts": dump.row_counts,
        "migrations": [[app, name] for app, name in migrations],
        "server_version": dump.server_version,
        # The commune's documents and PDFs stay in the files bucket; a restore checks
        # that each one listed here still exists.
        "files": files,
        "bucket": storage,
    }


def _upload(record: BackupRecord, bucket: str, encrypted: Path) -> None:
    client = s3_client(timeout_s=60)
    with _s3_errors("déposer la sauvegarde"):
        with encrypted.open("rb") as body:
            client.upload_fileobj(
                body,
                bucket,
                record.object_key,
                Config=TRANSFER_CONFIG,
                ExtraArgs={
                    "ContentType": "application/octet-stream",
                    "Metadata": {"sha256": record.sha256, "key-id": record.key_id},
                },
            )
        client.put_object(
            Bucket=bucket,
            Key=record.manifest_key,
            ContentType="application/json",
            Body=json.dumps(record.manifest, indent=2, sort_keys=True).encode("utf-8"),
        )


def backup_request(*, actor: Any, commune: Commune) -> None:
    """An operator asks for a backup now: audited, then a worker takes it once this
    transaction commits (the console's button, the ops API)."""
    from backups.tasks import backup_enqueue
    from shared_apps.audit.services import operator_action_record

    if commune.status not in (CommuneStatus.ACTIVE, CommuneStatus.SUSPENDED):
        raise ValidationError("Seule une commune active ou suspendue peut être sauvegardée.")
    with transaction.atomic():
        operator_action_record(actor=actor, action="commune.backup", commune_slug=commune.slug)
        transaction.on_commit(lambda: backup_enqueue(commune=commune, reason=BackupReason.MANUAL))
