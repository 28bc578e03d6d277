"""Bad input at the door: unknown hosts, communes not in service, malformed Host headers.
Always a French page with the right status, never a 500 and never another commune."""

import pytest
from django.conf import settings
from django.test import Client

from tenant_apps.accounts.models import Role
from tenants.models import Commune, CommuneStatus, Domain
from tests.conftest import logged_in_client, make_user

pytestmark = pytest.mark.django_db

PATHS = ("/", "/gestion/", "/gestion/parametres/", "/api/v1/moi/", "/connexion/",
         "/compte/mot-de-passe/exemple/")


def _body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


@pytest.mark.parametrize("host", ["nulle-part.localhost", "alpha.example.localhost",
                                  "alpha-2.localhost", "ALPHAX.localhost",
                                  "x" * 300 + ".localhost:1"])
def test_unknown_host_gets_french_404(commune_alpha, host):
    for path in PATHS:
        response = Client(HTTP_HOST=host).get(path)
        assert response.status_code == 404, (host, path)
        body = _body(response)
        assert '<html lang="fr">' in body
        assert "Aucune commune à cette adresse" in body
        assert "Alphaville" not in body


def test_host_is_matched_case_and_trailing_dot_insensitively(commune_alpha):
    for host in ("ALPHA.localhost", "alpha.localhost.", "alpha.localhost:8000"):
        response = Client(HTTP_HOST=host).get("/connexion/")
        assert response.status_code == 200, host
        assert "Alphaville" in _body(response)


@pytest.fixture
def sleeping_commune(commune_alpha):  # type: ignore[no-untyped-def]
    """A commune row and its host, pointing at alpha's schema so that a routing mistake
    would show alpha's pages instead of the maintenance page."""
    commune = Commune.objects.create(
        name="Dormeville", slug="dormeville", schema_name=commune_alpha.schema_name + "_x",
        insee_code="35238", contact_email="mairie@dormeville.example",
        status=CommuneStatus.SUSPENDED,
    )
    Domain.objects.create(domain="dormeville.localhost", tenant=commune, is_primary=True)
    return commune


@pytest.mark.parametrize("status, text", [
    (CommuneStatus.SUSPENDED, "est en maintenance"),
    (CommuneStatus.PROVISIONING, "est en cours de création"),
    (CommuneStatus.FAILED, "est en maintenance"),
    (CommuneStatus.ARCHIVED, "n'est plus en service"),
])
def test_commune_not_in_service_gets_french_503(sleeping_commune, status, text):
    Commune.objects.filter(pk=sleeping_commune.pk).update(status=status)
    for path in PATHS:
        response = Client(HTTP_HOST="dormeville.localhost").get(path)
        assert response.status_code == 503, (status, path)
        assert response["Retry-After"]
        body = _body(response)
        assert "Service momentanément indisponible" in body
        assert f"Le portail de Dormeville {text}" in body.replace("&#x27;", "'")


def test_suspending_closes_the_door_on_signed_in_agents(commune_alpha):
    user = make_user(commune_alpha, role=Role.ADMINISTRATOR)
    client = logged_in_client(commune_alpha, user)
    assert client.get("/gestion/").status_code == 200
    Commune.objects.filter(pk=commune_alpha.pk).update(status=CommuneStatus.SUSPENDED)
    for path in PATHS:
        response = client.get(path)
        assert response.status_code == 503, path
    post = client.post("/gestion/parametres/",
                       {"display_name": "Changé", "brand_colour": "#000000"})
    assert post.status_code == 503


@pytest.mark.parametrize("host", [
    "alpha.localhost:abc",
    "alpha localhost",
    "alpha.localhost/../beta.localhost",
    "<script>alert(1)</script>.localhost",
    "alpha.localhost\x00",
    "alphà.localhost",
    "alpha.localhost:8000:8000",
    "[::1",
    "evil.example",
    "",
    "alpha.localhost@beta.localhost",
    "c_alpha.localhost",
])
@pytest.mark.parametrize("path", ["/", "/gestion/", "/healthz", "/api/v1/moi/"])
def test_malformed_host_header_is_400_never_500(commune_alpha, host, path):
    response = Client(HTTP_HOST=host).get(path)
    assert response.status_code == 400, (host, path, response.status_code)
    body = _body(response)
    assert '<html lang="fr">' in body
    assert "Alphaville" not in body


def test_unknown_page_on_a_commune_host_is_a_french_404(commune_alpha):
    response = Client(HTTP_HOST="alpha.localhost").get("/nexiste-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in _body(response)


def test_unknown_page_on_ops_host_is_a_french_404():
    response = Client(HTTP_HOST=settings.OPS_HOSTNAME).get("/nexiste-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in _body(response)
