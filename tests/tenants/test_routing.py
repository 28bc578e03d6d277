"""Host routing: ops host, commune hosts, legacy links, unknown hosts, suspended communes."""

import pytest
from django.test import Client

from tenants.models import CommuneStatus

pytestmark = pytest.mark.django_db


def test_commune_host_serves_its_portal_login(commune_alpha):
    response = Client(HTTP_HOST="alpha.localhost").get("/connexion/")
    assert response.status_code == 200
    assert "Alphaville" in response.content.decode()


def test_unknown_host_gets_french_404_not_500():
    response = Client(HTTP_HOST="nowhere.localhost").get("/")
    assert response.status_code == 404
    assert "Aucune commune à cette adresse" in response.content.decode()


def test_legacy_parents_link_redirects_permanently(commune_alpha):
    response = Client(HTTP_HOST="parents.localhost").get("/alpha/connexion/?x=1")
    assert response.status_code == 301
    assert response["Location"] == "http://alpha.localhost:8000/connexion/?x=1"


def test_legacy_link_to_unknown_commune_is_404():
    response = Client(HTTP_HOST="parents.localhost").get("/inconnue/")
    assert response.status_code == 404


def test_suspended_commune_shows_maintenance_with_503(commune_alpha):
    commune_alpha.status = CommuneStatus.SUSPENDED
    commune_alpha.save(update_fields=["status"])
    for path in ("/", "/gestion/", "/api/v1/moi/"):
        response = Client(HTTP_HOST="alpha.localhost").get(path)
        assert response.status_code == 503
        assert "maintenance" in response.content.decode()


def test_healthz_answers_on_any_host():
    assert Client(HTTP_HOST="nowhere.localhost").get("/healthz").json() == {"status": "ok"}
