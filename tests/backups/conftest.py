"""Backup tests: throwaway encryption keys, and a bucket of their own on the moto server."""

import contextlib
import uuid
from collections.abc import Iterator

import pytest

from backups.crypto import key_generate


@pytest.fixture
def backup_keys(settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Two keys generated for the test, the first one active (no real key in the repo)."""
    keys = {"test-1": key_generate(), "test-0": key_generate()}
    settings.BACKUP_ENCRYPTION_KEYS = keys
    settings.BACKUP_ACTIVE_KEY_ID = "test-1"
    return keys


@pytest.fixture
def backup_bucket(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh bucket name for the test, emptied and removed afterwards."""
    from config.s3 import s3_client

    name = f"test-backups-{uuid.uuid4().hex[:12]}"
    settings.S3_BACKUPS_BUCKET = name
    yield name
    with contextlib.suppress(Exception):
        client = s3_client(timeout_s=2, attempts=1)
        for item in client.list_objects_v2(Bucket=name).get("Contents", []):
            client.delete_object(Bucket=name, Key=item["Key"])
        client.delete_bucket(Bucket=name)
