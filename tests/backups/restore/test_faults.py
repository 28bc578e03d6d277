"""Each fault gives a French error, records a failed restore and leaves the live commune
exactly as it was, with no scratch schema left behind."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from backups.crypto import key_generate
from backups.models import BackupRecord, RestoreRecord
from backups.restore import restore_request, restore_run
from config.s3 import s3_client
from tests.backups.restore.test_restore import add_guardians, backed_up, emails, side_schemas

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(throwaway, backup_keys, backup_bucket):  # type: ignore[no-untyped-def]
    """A commune with a good backup, then more rows written after it."""
    commune = throwaway()
    add_guardians(commune, "sauvegarde")
    backup = backed_up(commune)
    add_guardians(commune, "depuis")
    return commune, backup, backup_bucket


def restore_fails(commune, backup, match: str) -> RestoreRecord:  # type: ignore[no-untyped-def]
    before = emails(commune)
    record = restore_run(
        record_id=restore_request(
            actor=None, commune=commune, backup_id=backup.pk, dispatch=False
        ).pk
    )
    assert record.status == "failed"
    assert match in record.error, record.error
    assert emails(commune) == before
    assert "depuis@familles.example" in before
    assert side_schemas(commune, "__rs_") == []
    assert side_schemas(commune, "__pre_restore_") == []
    return record


def put(bucket: str, key: str, body: bytes) -> None:
    s3_client().put_object(Bucket=bucket, Key=key, Body=body)


def get(bucket: str, key: str) -> bytes:
    return s3_client().get_object(Bucket=bucket, Key=key)["Body"].read()


def test_corrupt_object(live):
    commune, backup, bucket = live
    blob = bytearray(get(bucket, backup.object_key))
    blob[len(blob) // 2] ^= 0xFF
    put(bucket, backup.object_key, bytes(blob))

    restore_fails(commune, backup, "L'empreinte SHA-256 de la sauvegarde téléchargée")


def test_truncated_object(live):
    commune, backup, bucket = live
    put(bucket, backup.object_key, get(bucket, backup.object_key)[:-100])

    restore_fails(commune, backup, "l'objet est tronqué")


def test_wrong_key_under_the_same_id(live, settings):
    commune, backup, _ = live
    settings.BACKUP_ENCRYPTION_KEYS = {**settings.BACKUP_ENCRYPTION_KEYS, "test-1": key_generate()}

    restore_fails(commune, backup, "n'est pas celle qui l'a chiffré")


def test_key_no_longer_configured(live, settings):
    commune, backup, _ = live
    settings.BACKUP_ENCRYPTION_KEYS = {"test-0": settings.BACKUP_ENCRYPTION_KEYS["test-0"]}

    restore_fails(commune, backup, "La clé de chiffrement « test-1 » est inconnue")


def test_missing_object(live):
    commune, backup, bucket = live
    s3_client().delete_object(Bucket=bucket, Key=backup.object_key)

    restore_fails(commune, backup, "est introuvable dans le compartiment des sauvegardes")


def test_missing_manifest(live):
    commune, backup, bucket = live
    s3_client().delete_object(Bucket=bucket, Key=backup.manifest_key)

    restore_fails(commune, backup, f"L'objet « {backup.manifest_key} » est introuvable")


def test_s3_unreachable(live, settings):
    commune, backup, _ = live
    settings.S3_ENDPOINT_URL = "http://127.0.0.1:9"  # nothing listens there

    restore_fails(commune, backup, "le stockage S3 (http://127.0.0.1:9) ne répond pas")


def test_backup_of_another_commune_named_by_mistake(live, throwaway):
    commune, _, _ = live
    other = throwaway(name="Autreville")
    other_backup = backed_up(other)
    before = emails(commune)

    with pytest.raises(ValidationError, match="est celle de la commune « rst-"):
        restore_request(actor=None, commune=commune, backup_id=other_backup.pk, dispatch=False)
    with pytest.raises(CommandError, match="pas de « " + commune.slug):
        call_command("restore_commune", "--slug", commune.slug, "--backup", str(other_backup.pk))

    assert emails(commune) == before
    assert not RestoreRecord.objects.filter(commune=commune).exists()


def test_manifest_of_another_commune_is_refused(live, throwaway):
    commune, backup, bucket = live
    other_backup = backed_up(throwaway(name="Autreville"))
    put(bucket, backup.manifest_key, get(bucket, other_backup.manifest_key))

    restore_fails(commune, backup, "Le manifeste ne correspond pas à la sauvegarde")


def test_another_communes_dump_under_this_communes_name_is_refused(live, throwaway):
    """Object, size, SHA-256 and manifest all made consistent, yet the archive holds
    another schema: the table of contents gives it away."""
    commune, backup, bucket = live
    other_backup = backed_up(throwaway(name="Autreville"))
    put(bucket, backup.object_key, get(bucket, other_backup.object_key))
    BackupRecord.objects.filter(pk=backup.pk).update(
        sha256=other_backup.sha256, size_bytes=other_backup.size_bytes
    )
    manifest = {
        **backup.manifest,
        "sha256": other_backup.sha256,
        "size_bytes": other_backup.size_bytes,
    }
    put(bucket, backup.manifest_key, json.dumps(manifest).encode())

    restore_fails(commune, backup, "ce n'est pas la sauvegarde de cette commune")


def test_failed_backup_cannot_be_restored(live):
    commune, backup, _ = live
    BackupRecord.objects.filter(pk=backup.pk).update(status="failed")

    with pytest.raises(ValidationError, match="seule une sauvegarde réussie"):
        restore_request(actor=None, commune=commune, backup_id=backup.pk, dispatch=False)


def test_unknown_slug_and_taken_copy_slug(live, commune_alpha):
    commune, backup, _ = live
    with pytest.raises(CommandError, match="Aucune commune n'a l'identifiant « nulle-part »"):
        call_command("restore_commune", "--slug", "nulle-part")
    with pytest.raises(ValidationError, match="Une commune utilise déjà l'identifiant « alpha »"):
        restore_request(actor=None, commune=commune, new_slug="alpha", dispatch=False)
    with pytest.raises(ValidationError, match="L'identifiant ne peut contenir"):
        restore_request(actor=None, commune=commune, new_slug="Pas_Bon", dispatch=False)


def test_the_command_reports_a_failed_restore(live):
    commune, backup, bucket = live
    s3_client().delete_object(Bucket=bucket, Key=backup.object_key)
    before = emails(commune)

    with pytest.raises(CommandError, match="La restauration de .* a échoué : L'objet"):
        call_command("restore_commune", "--slug", commune.slug)
    assert emails(commune) == before
