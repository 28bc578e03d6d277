"""A commune that is not in service, and a host that is no commune: French pages."""

import uuid
from collections.abc import Iterator

import pytest
from django.db import connection
from playwright.sync_api import expect

from tenants.models import Commune, CommuneStatus, Domain
from tests.e2e.support import shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


@pytest.fixture
def suspended_slug(django_db_setup) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A committed, suspended commune row and its host (no schema: it is never entered)."""
    slug = f"dorm{uuid.uuid4().hex[:8]}"
    connection.set_schema_to_public()
    commune = Commune.objects.create(
        name="Dormeville", slug=slug, schema_name=f"c_{slug}", insee_code="35238",
        contact_email="mairie@dormeville.example", status=CommuneStatus.SUSPENDED,
    )
    Domain.objects.create(domain=f"{slug}.localhost", tenant=commune, is_primary=True)
    yield slug
    connection.set_schema_to_public()
    Domain.objects.filter(tenant_id=commune.pk).delete()
    Commune.objects.filter(pk=commune.pk).delete()


def test_suspended_commune_shows_the_maintenance_page(page, server, suspended_slug):
    for path in ("/", "/gestion/"):
        response = page.goto(server.url(suspended_slug, path))
        assert response is not None and response.status == 503
        assert response.headers.get("retry-after")
        heading = page.get_by_role("heading", name="Service momentanément indisponible")
        expect(heading).to_be_visible()
        expect(page.get_by_text("Le portail de Dormeville est en maintenance.")).to_be_visible()
    shoot(page, "maintenance")


def test_unknown_host_shows_a_french_404(page, server):
    response = page.goto(server.url("nulle-part", "/"))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Aucune commune à cette adresse")).to_be_visible()
    shoot(page, "unknown-host")
