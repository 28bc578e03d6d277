"""backup_commune against the real PostgreSQL (pg_dump) and the moto S3 server."""

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest
from boto3.s3.transfer import TransferConfig
from django.core.exceptions import ValidationError
from django.db import connection

from backups import crypto, services
from backups.models import BackupRecord, BackupStatus
from backups.services import backup_commune
from config.s3 import ensure_bucket, s3_client
from provisioning.migration_state import applied_migrations
from tenants.models import Commune, CommuneStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def workdir(monkeypatch, tmp_path):
    """Temporary files of the service go here, so a test can see none is left behind."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def fetch(bucket: str, key: str) -> bytes:
    return s3_client().get_object(Bucket=bucket, Key=key)["Body"].read()


def restore_list(archive: bytes, tmp_path) -> str:
    path = tmp_path / "restored.dump"
    path.write_bytes(archive)
    pg_restore = shutil.which("pg_restore")
    assert pg_restore
    return subprocess.run(  # noqa: S603
        [pg_restore, "--list", str(path)], capture_output=True, text=True, check=True
    ).stdout


def test_backup_uploads_an_encrypted_dump_of_exactly_that_commune(
    commune_alpha, backup_keys, backup_bucket, workdir, tmp_path
):
    record = backup_commune(commune=commune_alpha)

    assert record.succeeded, record.error
    blob = fetch(backup_bucket, record.object_key)
    assert not blob.startswith(b"PGDMP")
    archive = io.BytesIO()
    assert crypto.decrypt_stream(io.BytesIO(blob), archive) == "test-1"
    assert archive.getvalue().startswith(b"PGDMP")
    listing = restore_list(archive.getvalue(), tmp_path)
    assert re.search(r"SCHEMA - c_alpha\b", listing)
    assert re.search(r"TABLE DATA c_alpha accounts_user\b", listing)
    assert "c_beta" not in listing
    assert " public " not in listing
    assert list(workdir.iterdir()) == []


def test_record_row_describes_the_uploaded_object(commune_beta, backup_keys, backup_bucket):
    record = backup_commune(commune=commune_beta, reason="scheduled")

    row = BackupRecord.objects.get(pk=record.pk)
    assert row.status == BackupStatus.SUCCEEDED and row.succeeded
    assert row.commune == commune_beta
    assert (row.commune_slug, row.schema_name, row.reason) == ("beta", "c_beta", "scheduled")
    assert row.started_at <= row.finished_at
    assert re.fullmatch(rf"beta/\d{{8}}T\d{{6}}Z-{row.pk}\.dump\.enc", row.object_key)
    assert row.manifest_key == row.object_key.removesuffix(".dump.enc") + ".manifest.json"
    assert row.key_id == "test-1"
    assert row.error == ""
    head = s3_client().head_object(Bucket=backup_bucket, Key=row.object_key)
    assert head["ContentLength"] == row.size_bytes
    assert head["Metadata"]["sha256"] == row.sha256
    assert hashlib.sha256(fetch(backup_bucket, row.object_key)).hexdigest() == row.sha256


def test_manifest_is_stored_next_to_the_dump(commune_alpha, backup_keys, backup_bucket):
    record = backup_commune(commune=commune_alpha)

    manifest = json.loads(fetch(backup_bucket, record.manifest_key))
    assert manifest == record.manifest
    assert manifest["format"] == "cantine-backup/1"
    assert manifest["dump_format"] == "pg_dump-custom"
    assert manifest["encryption"] == crypto.FORMAT_NAME
    assert (manifest["commune_slug"], manifest["schema_name"]) == ("alpha", "c_alpha")
    assert manifest["record_id"] == record.pk
    assert manifest["object_key"] == record.object_key
    assert (manifest["sha256"], manifest["size_bytes"]) == (record.sha256, record.size_bytes)
    assert manifest["key_id"] == "test-1"
    assert manifest["created_at"].endswith("+00:00")
    applied = applied_migrations(["c_alpha"])["c_alpha"]
    assert {tuple(m) for m in manifest["migrations"]} == applied
    assert ["accounts", "0001_initial"] in manifest["migrations"]


def test_manifest_row_counts_match_the_commune_tables(commune_alpha, backup_keys, backup_bucket):
    record = backup_commune(commune=commune_alpha)

    counts = record.manifest["row_counts"]
    assert counts["accounts_user"] == 1  # the invited administrator
    assert counts["commune_settings_communesettings"] == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'c_alpha' AND table_type = 'BASE TABLE'"
        )
        assert set(counts) == {name for (name,) in cursor.fetchall()}
        for table in ("django_migrations", "accounts_user"):
            cursor.execute(f'SELECT count(*) FROM "c_alpha"."{table}"')  # noqa: S608
            assert counts[table] == cursor.fetchone()[0]


def test_unreachable_s3_fails_the_record_in_french(
    commune_alpha, backup_keys, backup_bucket, settings, workdir
):
    settings.S3_ENDPOINT_URL = "http://127.0.0.1:9"

    record = backup_commune(commune=commune_alpha)

    record.refresh_from_db()
    assert record.status == BackupStatus.FAILED and not record.succeeded
    assert record.error.startswith("Impossible de préparer le compartiment des sauvegardes")
    assert "127.0.0.1:9" in record.error
    assert record.finished_at is not None
    assert list(workdir.iterdir()) == []


def test_upload_failure_after_the_dump_removes_temporary_files(
    commune_alpha, backup_keys, backup_bucket, workdir, monkeypatch
):
    def refuse_upload(*args, **kwargs):
        raise services.BackupFailed("Impossible de déposer la sauvegarde : refusé.")

    monkeypatch.setattr(services, "_upload", refuse_upload)

    record = backup_commune(commune=commune_alpha)

    assert record.status == BackupStatus.FAILED
    assert record.error == "Impossible de déposer la sauvegarde : refusé."
    assert list(workdir.iterdir()) == []


def test_missing_key_configuration_fails_before_anything_is_dumped(
    commune_alpha, backup_bucket, settings, workdir
):
    settings.BACKUP_ENCRYPTION_KEYS = {}
    settings.BACKUP_ACTIVE_KEY_ID = ""

    record = backup_commune(commune=commune_alpha)

    assert record.status == BackupStatus.FAILED
    assert record.error.startswith(
        "Aucune clé de chiffrement des sauvegardes n'est configurée"
    )
    assert record.object_key == "" and record.sha256 == ""
    assert list(workdir.iterdir()) == []


def test_missing_schema_fails_with_pg_dump_error(backup_keys, backup_bucket):
    ghost = Commune.objects.create(
        name="Fantôme", slug="fantome", schema_name="c_fantome", insee_code="01001",
        contact_email="mairie@fantome.example", status=CommuneStatus.ACTIVE,
    )

    record = backup_commune(commune=ghost)

    assert record.status == BackupStatus.FAILED
    assert record.error.startswith("L'export du schéma « c_fantome » par pg_dump a échoué")
    assert s3_client().list_objects_v2(Bucket=backup_bucket).get("KeyCount", 0) == 0


def test_unknown_reason_is_a_programming_error(commune_alpha):
    with pytest.raises(ValueError, match="unknown backup reason"):
        backup_commune(commune=commune_alpha, reason="whim")
    assert not BackupRecord.objects.exists()


def test_archiving_is_refused_when_the_final_backup_fails(commune_alpha, settings):
    from provisioning.services import commune_archive

    settings.BACKUP_ENCRYPTION_KEYS = {}

    with pytest.raises(ValidationError, match="sauvegarde finale a échoué"):
        commune_archive(actor=None, commune=commune_alpha)

    assert Commune.objects.get(pk=commune_alpha.pk).status == CommuneStatus.ACTIVE
    assert BackupRecord.objects.get().reason == "archive"


def test_archiving_takes_a_final_backup(commune_alpha, backup_keys, backup_bucket):
    from provisioning.services import commune_archive

    commune_archive(actor=None, commune=commune_alpha)

    assert Commune.objects.get(pk=commune_alpha.pk).status == CommuneStatus.ARCHIVED
    record = BackupRecord.objects.get(commune=commune_alpha)
    assert record.succeeded and record.reason == "archive"


def test_large_dumps_go_up_in_parts(commune_alpha, backup_bucket, monkeypatch, tmp_path):
    five_mib = 5 * 1024 * 1024
    monkeypatch.setattr(
        services, "TRANSFER_CONFIG",
        TransferConfig(multipart_threshold=five_mib, multipart_chunksize=five_mib),
    )
    payload = os.urandom(2 * five_mib + 1000)
    path = tmp_path / "big.enc"
    path.write_bytes(payload)
    record = BackupRecord(
        commune=commune_alpha, commune_slug="alpha", schema_name="c_alpha",
        object_key="alpha/big.dump.enc", manifest_key="alpha/big.manifest.json",
        sha256=hashlib.sha256(payload).hexdigest(), key_id="test-1", manifest={"k": 1},
    )
    ensure_bucket(backup_bucket)

    services._upload(record, backup_bucket, path)

    head = s3_client().head_object(Bucket=backup_bucket, Key=record.object_key)
    assert head["ETag"].endswith('-3"')  # three parts
    assert fetch(backup_bucket, record.object_key) == payload
    assert json.loads(fetch(backup_bucket, record.manifest_key)) == {"k": 1}
