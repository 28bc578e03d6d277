"""Restores run pg_dump, pg_restore and psql in other processes, which only see committed
rows: these tests commit (tests.committed) and work on throwaway communes of their own,
dropped at the end with every schema a restore set aside."""

import uuid
from collections.abc import Callable, Iterator

import pytest
from django.db import connection

from backups.models import BackupRecord, RestoreRecord
from provisioning.models import ProvisioningJob
from shared_apps.audit.models import OperatorAction
from tenants.models import Commune
from tests.committed import _django_db_marker  # noqa: F401 (fixture: commits are visible)


def _schemas_like(prefix: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)", [prefix])
        return [name for (name,) in cursor.fetchall()]


def drop_everything_of(slugs: list[str]) -> None:
    from provisioning.schemas import schema_drop

    connection.set_schema_to_public()
    for slug in slugs:
        schema = "c_" + slug.replace("-", "_")
        for name in _schemas_like(schema):
            if name == schema or name.startswith(schema + "__"):
                schema_drop(name)
        RestoreRecord.objects.filter(commune_slug=slug).delete()
        RestoreRecord.objects.filter(target_slug=slug).delete()
        BackupRecord.objects.filter(commune_slug=slug).delete()
        ProvisioningJob.objects.filter(commune__slug=slug).delete()
        OperatorAction.objects.filter(commune_slug=slug).delete()
        Commune.objects.filter(slug=slug).delete()


@pytest.fixture
def throwaway() -> Iterator[Callable[..., Commune]]:
    """make(name=...) provisions a commune with a unique slug; all are dropped afterwards,
    with any commune named in `extra_slugs` (the copies a test restores --as)."""
    from provisioning.services import commune_create, provisioning_job_run

    slugs: list[str] = []

    def make(name: str = "Restaurville") -> Commune:
        slug = f"rst-{uuid.uuid4().hex[:8]}"
        slugs.append(slug)
        job = commune_create(
            actor=None,
            name=name,
            slug=slug,
            insee_code="22113",
            contact_email=f"mairie@{slug}.example",
            admin_email=f"admin@{slug}.example",
            dispatch=False,
        )
        provisioning_job_run(job_id=job.pk)
        return Commune.objects.get(slug=slug)

    make.extra_slugs = slugs  # type: ignore[attr-defined]
    try:
        yield make
    finally:
        drop_everything_of(slugs)
