"""The backups bucket (versioned, object lock where the provider has it), the commune's
files listed for the manifest, and the removal of expired backup objects."""

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from config.s3 import s3_client

logger = logging.getLogger(__name__)

S3_FAULTS = (BotoCoreError, ClientError)
MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchBucket", "NoSuchVersion"})


class BackupStorageError(Exception):
    """S3 could not be used; the message is French, for operators."""


class BackupObjectMissing(BackupStorageError):
    pass


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


@contextlib.contextmanager
def s3_faults(doing: str, key: str = "") -> Iterator[None]:
    """Turn boto3's exceptions into French errors: a missing object, or S3 unreachable."""
    try:
        yield
    except S3_FAULTS as exc:
        if error_code(exc) in MISSING_CODES:
            what = f"L'objet « {key} »" if key else "L'objet demandé"
            raise BackupObjectMissing(
                f"{what} est introuvable dans le compartiment des sauvegardes "
                f"« {settings.S3_BACKUPS_BUCKET} » : impossible de {doing}."
            ) from exc
        raise BackupStorageError(
            f"Impossible de {doing} : le stockage S3 ({settings.S3_ENDPOINT_URL}) "
            f"ne répond pas correctement ({exc})."
        ) from exc


_ensured: set[tuple[str, str]] = set()


def backups_bucket_ensure(name: str | None = None) -> dict[str, bool]:
    """Create the backups bucket if missing, with object lock where the provider supports
    it (it can only be switched on at creation), and turn versioning on.

    Degrades gracefully: a provider without object lock gets a plain bucket, one that
    refuses versioning is logged and used as it is. Returns what the bucket has
    ({"versioning": ..., "object_lock": ...}). Raises botocore errors when S3 is down."""
    name = name or settings.S3_BACKUPS_BUCKET
    client = s3_client()
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if name not in existing:
        location = {"LocationConstraint": settings.S3_REGION}
        try:
            client.create_bucket(
                Bucket=name, CreateBucketConfiguration=location, ObjectLockEnabledForBucket=True
            )
        except ClientError as exc:
            logger.warning("object lock unsupported for bucket %s (%s)", name, error_code(exc))
            client.create_bucket(Bucket=name, CreateBucketConfiguration=location)
    capabilities = {"versioning": False, "object_lock": False}
    marker = (str(settings.S3_ENDPOINT_URL), name)
    try:
        if marker not in _ensured:
            client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        status = client.get_bucket_versioning(Bucket=name).get("Status")
        capabilities["versioning"] = status == "Enabled"
    except ClientError as exc:
        logger.warning("versioning unavailable for bucket %s (%s)", name, error_code(exc))
    with contextlib.suppress(ClientError):
        lock = client.get_object_lock_configuration(Bucket=name)
        enabled = lock.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled")
        capabilities["object_lock"] = enabled == "Enabled"
    _ensured.add(marker)
    return capabilities


def commune_files(schema_name: str) -> list[dict[str, Any]]:
    """The commune's stored files (documents, PDFs) in the files bucket: key, size, etag.

    A files bucket that does not exist yet means no files."""
    client = s3_client(timeout_s=30)
    files: list[dict[str, Any]] = []
    try:
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=settings.S3_FILES_BUCKET, Prefix=f"{schema_name}/"
        )
        for page in pages:
            for item in page.get("Contents", []):
                files.append(
                    {
                        "key": item["Key"],
                        "size": int(item["Size"]),
                        "etag": str(item.get("ETag", "")).strip('"'),
                    }
                )
    except ClientError as exc:
        if error_code(exc) == "NoSuchBucket":
            return []
        raise
    return files


def files_missing(files: list[dict[str, Any]]) -> list[str]:
    """Keys of the manifest's files that are no longer in the files bucket."""
    if not files:
        return []
    schema_prefixes = sorted({f["key"].split("/", 1)[0] + "/" for f in files})
    client = s3_client(timeout_s=30)
    present: set[str] = set()
    with s3_faults("vérifier les fichiers de la commune"):
        for prefix in schema_prefixes:
            try:
                pages = client.get_paginator("list_objects_v2").paginate(
                    Bucket=settings.S3_FILES_BUCKET, Prefix=prefix
                )
                for page in pages:
                    present.update(item["Key"] for item in page.get("Contents", []))
            except ClientError as exc:
                if error_code(exc) != "NoSuchBucket":
                    raise
    return sorted(f["key"] for f in files if f["key"] not in present)


def backup_objects_delete(keys: list[str]) -> None:
    """Remove every version of these objects (versioned bucket: a plain delete would only
    hide them behind a delete marker). Raises BackupStorageError on failure."""
    bucket = settings.S3_BACKUPS_BUCKET
    client = s3_client(timeout_s=30)
    for key in keys:
        with s3_faults("supprimer une sauvegarde expirée", key):
            versions = client.list_object_versions(Bucket=bucket, Prefix=key)
            targets = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for group in ("Versions", "DeleteMarkers")
                for v in versions.get(group, [])
                if v["Key"] == key
            ]
            if not targets:
                client.delete_object(Bucket=bucket, Key=key)
                continue
            for target in targets:
                client.delete_object(Bucket=bucket, Key=key, VersionId=target["VersionId"])
