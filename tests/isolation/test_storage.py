"""(d) Files go to S3 under the commune's schema prefix; no name can reach another's."""

import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile

from config.s3 import ensure_bucket, s3_client
from tenants.storage import CommuneS3Storage
from tests.conftest import inside

BUCKET = settings.S3_FILES_BUCKET
pytestmark = pytest.mark.django_db  # creates the test database the communes live in


@pytest.fixture
def folder() -> Iterator[str]:
    """A folder name unique to the test; every object under it is removed afterwards."""
    ensure_bucket(BUCKET)
    name = f"isolation-{uuid.uuid4().hex[:10]}"
    yield name
    client = s3_client()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", []):
            if name in obj["Key"]:
                client.delete_object(Bucket=BUCKET, Key=obj["Key"])


def _keys(folder: str) -> set[str]:
    response = s3_client().list_objects_v2(Bucket=BUCKET)
    return {o["Key"] for o in response.get("Contents", []) if folder in o["Key"]}


def _read(storage: CommuneS3Storage, name: str) -> bytes:
    with storage.open(name) as handle:
        return handle.read()


def test_files_land_under_the_commune_prefix(commune_alpha, commune_beta, folder):
    storage = CommuneS3Storage()
    with inside(commune_alpha):
        alpha_name = storage.save(f"{folder}/facture.pdf", ContentFile(b"alpha"))
    with inside(commune_beta):
        beta_name = storage.save(f"{folder}/facture.pdf", ContentFile(b"beta"))
    assert _keys(folder) == {f"c_alpha/{folder}/facture.pdf", f"c_beta/{folder}/facture.pdf"}
    # The same stored name reads each commune's own file.
    with inside(commune_alpha):
        assert _read(storage, alpha_name) == b"alpha"
        assert f"/c_alpha/{folder}/facture.pdf" in storage.url(alpha_name)
    with inside(commune_beta):
        assert _read(storage, beta_name) == b"beta"


def test_name_crafted_with_other_prefix_stays_home(commune_alpha, commune_beta, folder):
    storage = CommuneS3Storage()
    with inside(commune_beta):
        storage.save(f"{folder}/secret.txt", ContentFile(b"beta secret"))
    with inside(commune_alpha):
        crafted = f"c_beta/{folder}/secret.txt"
        assert not storage.exists(crafted)
        storage.save(crafted, ContentFile(b"alpha overwrite attempt"))
        assert _read(storage, crafted) == b"alpha overwrite attempt"
        assert f"/c_alpha/c_beta/{folder}/secret.txt" in storage.url(crafted)
        storage.delete(crafted)
    assert _keys(folder) == {f"c_beta/{folder}/secret.txt"}
    with inside(commune_beta):
        assert _read(storage, f"{folder}/secret.txt") == b"beta secret"


def _refused(call):  # type: ignore[no-untyped-def]
    """The call's result, or None when the storage refused the name."""
    try:
        return call()
    except (SuspiciousFileOperation, FileNotFoundError):
        return None


@pytest.mark.parametrize("template", [
    "../c_beta/{folder}/secret.txt",
    "{folder}/../../c_beta/{folder}/secret.txt",
    "c_alpha/../c_beta/{folder}/secret.txt",
    "/../c_beta/{folder}/secret.txt",
])
def test_path_traversal_never_reaches_another_commune(commune_alpha, commune_beta, folder,
                                                      template):
    """A name climbing out of the prefix is refused, or resolved inside alpha's prefix."""
    storage = CommuneS3Storage()
    with inside(commune_beta):
        storage.save(f"{folder}/secret.txt", ContentFile(b"beta secret"))
    name = template.format(folder=folder)
    with inside(commune_alpha):
        assert not _refused(lambda: storage.exists(name))
        assert _refused(lambda: _read(storage, name)) is None
        url = _refused(lambda: storage.url(name))
        assert url is None or "/c_alpha/" in url
        _refused(lambda: storage.save(name, ContentFile(b"overwrite")))
        _refused(lambda: storage.delete(name))
    assert f"c_beta/{folder}/secret.txt" in _keys(folder)
    assert all(k.startswith("c_alpha/") for k in _keys(folder) - {f"c_beta/{folder}/secret.txt"})
    with inside(commune_beta):
        assert _read(storage, f"{folder}/secret.txt") == b"beta secret"


def test_listing_shows_only_the_commune_files(commune_alpha, commune_beta, folder):
    storage = CommuneS3Storage()
    with inside(commune_beta):
        storage.save(f"{folder}/beta.txt", ContentFile(b"b"))
    with inside(commune_alpha):
        storage.save(f"{folder}/alpha.txt", ContentFile(b"a"))
        assert storage.listdir(folder) == ([], ["alpha.txt"])
        dirs, _ = storage.listdir("")
        assert "c_beta" not in dirs
