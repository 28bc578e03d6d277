"""Get a backup back from S3: its manifest, then the encrypted object, checked against the
catalogue's SHA-256 before a single byte is decrypted."""

import hashlib
import json
from pathlib import Path
from typing import Any

from backups import crypto
from backups.models import BackupRecord
from backups.storage import BackupStorageError, s3_faults
from config.s3 import s3_client

DOWNLOAD_CHUNK = 1024 * 1024


class BackupUnusable(Exception):
    """The backup cannot be used for this restore; the message is French."""


def manifest_fetch(*, backup: BackupRecord, bucket: str) -> dict[str, Any]:
    """The manifest stored next to the dump, checked against the catalogue row."""
    client = s3_client(timeout_s=30)
    with s3_faults("lire le manifeste de la sauvegarde", backup.manifest_key):
        body = client.get_object(Bucket=bucket, Key=backup.manifest_key)["Body"].read()
    try:
        manifest = json.loads(body)
    except ValueError as exc:
        raise BackupUnusable(
            f"Le manifeste « {backup.manifest_key} » est illisible (JSON invalide)."
        ) from exc
    if not isinstance(manifest, dict):
        raise BackupUnusable(f"Le manifeste « {backup.manifest_key} » est invalide.")
    expected = {
        "commune_slug": backup.commune_slug,
        "schema_name": backup.schema_name,
        "object_key": backup.object_key,
        "sha256": backup.sha256,
        "record_id": backup.pk,
    }
    for field, value in expected.items():
        if manifest.get(field) != value:
            raise BackupUnusable(
                f"Le manifeste ne correspond pas à la sauvegarde n° {backup.pk} : "
                f"« {field} » vaut « {manifest.get(field)} » au lieu de « {value} ». "
                "Il s'agit sans doute de la sauvegarde d'une autre commune."
            )
    return manifest


def object_download(
    *, backup: BackupRecord, manifest: dict[str, Any], bucket: str, target: Path
) -> None:
    """Download the encrypted dump into `target`, hashing it on the way; raise
    BackupUnusable when its size or SHA-256 differs from the catalogue."""
    client = s3_client(timeout_s=60)
    digest, size = hashlib.sha256(), 0
    with s3_faults("télécharger la sauvegarde", backup.object_key):
        body = client.get_object(Bucket=bucket, Key=backup.object_key)["Body"]
        with target.open("wb") as out:
            for chunk in body.iter_chunks(DOWNLOAD_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    if size != backup.size_bytes or size != manifest.get("size_bytes"):
        raise BackupUnusable(
            f"La sauvegarde téléchargée fait {size} octets au lieu de {backup.size_bytes} : "
            "l'objet est tronqué ou a été remplacé."
        )
    if digest.hexdigest() != backup.sha256:
        raise BackupUnusable(
            "L'empreinte SHA-256 de la sauvegarde téléchargée ne correspond pas au "
            "catalogue : l'objet a été modifié ou corrompu."
        )


def object_decrypt(*, source: Path, target: Path, key_id: str) -> None:
    """Decrypt an intact (SHA-256 checked) object. Since its bytes are exactly the ones
    uploaded, an authentication failure means the configured key is not the one that
    encrypted it."""
    try:
        with source.open("rb") as src, target.open("wb") as dst:
            used = crypto.decrypt_stream(src, dst)
    except crypto.CorruptedBackup as exc:
        raise BackupUnusable(
            f"Impossible de déchiffrer la sauvegarde avec la clé « {key_id} » : le fichier "
            "est intact (SHA-256 vérifié), donc la clé configurée sous cet identifiant "
            "n'est pas celle qui l'a chiffré."
        ) from exc
    except crypto.BackupCryptoError as exc:
        raise BackupUnusable(str(exc)) from exc
    if used != key_id:
        raise BackupUnusable(
            f"La sauvegarde est chiffrée avec la clé « {used} », le catalogue indique « {key_id} »."
        )


__all__ = [
    "BackupStorageError",
    "BackupUnusable",
    "manifest_fetch",
    "object_decrypt",
    "object_download",
]
