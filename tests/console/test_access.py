"""Every console page is for operators only; the login page works and throttles."""

import pytest
from django.test import Client

from tests.conftest import logged_in_client, make_user

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/nouvelle-commune/",
    "/communes/alpha/",
    "/communes/alpha/suspendre/",
    "/communes/alpha/supprimer/",
    "/annonces/",
    "/annonces/nouvelle/",
    "/journal/",
]


@pytest.mark.parametrize("path", PAGES)
def test_operator_sees_every_page(console, commune_alpha, path):
    response = console.get(path)
    assert response.status_code == 200, response.content[:500]
    assert "Cantine · Opérations" in response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_login(ops_client, commune_alpha, path):
    response = ops_client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")


def test_public_account_without_operator_role_gets_french_403(commune_alpha):
    # Given an account in the public schema that is not an operator
    client = logged_in_client(None, make_user(None, role="agent"))
    # When it opens the console
    response = client.get("/")
    # Then it is refused, in French
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_commune_agent_cannot_log_in_on_the_ops_host(commune_alpha):
    agent = make_user(commune_alpha, role="administrator", email="chef@alpha.example")
    response = Client(HTTP_HOST="ops.localhost").post(
        "/connexion/", {"email": agent.email, "password": "Motdepasse-1"}
    )
    assert response.status_code == 400
    assert "Courriel ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_commune_session_is_worthless_on_the_ops_host(commune_alpha):
    agent = make_user(commune_alpha, role="administrator")
    client = logged_in_client(commune_alpha, agent)
    client.defaults["HTTP_HOST"] = "ops.localhost"
    assert client.get("/").status_code == 302


def test_operator_logs_in_and_out(ops_client):
    make_user(None, role="operator", email="chef-ops@example.test")
    page = ops_client.get("/connexion/")
    assert page.status_code == 200
    assert "Console réservée" in page.content.decode()
    response = ops_client.post(
        "/connexion/", {"email": "chef-ops@example.test", "password": "Motdepasse-1"}
    )
    assert response.status_code == 302
    assert ops_client.get("/").status_code == 200
    response = ops_client.post("/deconnexion/", {"next": "/connexion/"})
    assert response.status_code == 302
    assert ops_client.get("/").status_code == 302


def test_login_is_throttled_after_repeated_failures(ops_client, settings):
    make_user(None, role="operator", email="victime@example.test")
    for _ in range(settings.LOGIN_THROTTLE_MAX_FAILURES):
        ops_client.post("/connexion/", {"email": "victime@example.test", "password": "non"})
    response = ops_client.post(
        "/connexion/", {"email": "victime@example.test", "password": "Motdepasse-1"}
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()


def test_unknown_commune_is_a_french_404(console):
    response = console.get("/communes/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
