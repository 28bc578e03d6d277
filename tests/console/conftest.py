"""Console fixtures: an operator's client and communes registered without a schema."""

import pytest
from django.test import Client

from provisioning.models import ProvisioningJob
from tenants.models import Commune, CommuneStatus
from tests.conftest import logged_in_client, make_user


@pytest.fixture
def operator():
    return make_user(None, role="operator", email="ops@example.test")


@pytest.fixture
def console(operator) -> Client:
    return logged_in_client(None, operator)


@pytest.fixture
def register_commune(operator):
    """Register a commune as the console does (rows only: the job never runs, since the
    Celery dispatch waits for a commit that never comes inside a test)."""
    from provisioning.services import commune_create

    def _register(slug: str, *, status: str | None = None, **fields) -> ProvisioningJob:
        data = {
            "name": slug.capitalize(),
            "insee_code": "35238",
            "contact_email": f"mairie@{slug}.example",
            "admin_email": f"admin@{slug}.example",
        }
        data.update(fields)
        job = commune_create(actor=operator, slug=slug, **data)
        if status is not None:
            Commune.objects.filter(pk=job.commune_id).update(status=status)
            job.commune.refresh_from_db()
        return job

    return _register


ACTIVE = CommuneStatus.ACTIVE
