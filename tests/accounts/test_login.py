"""Logins: the same answer for every failure, throttled, sessions pinned to their schema."""

import pytest
from django.test import Client

from tests.conftest import host_of, make_user

pytestmark = pytest.mark.django_db


def _post(client: Client, email: str, password: str):
    return client.post("/gestion/connexion/", {"email": email, "password": password})


def test_agent_logs_in_and_lands_on_dashboard(commune_alpha):
    agent = make_user(commune_alpha, role="agent")
    client = Client(HTTP_HOST=host_of(commune_alpha))
    response = _post(client, agent.email, "Motdepasse-1")
    assert response.status_code == 302 and response["Location"] == "/gestion/"
    assert client.get("/gestion/").status_code == 200


def test_unknown_email_wrong_password_and_wrong_role_look_the_same(commune_alpha):
    agent = make_user(commune_alpha, role="agent")
    parent = make_user(commune_alpha, role="guardian")
    client = Client(HTTP_HOST=host_of(commune_alpha))
    answers = {
        _post(client, "nobody@example.test", "Motdepasse-1")
        .content.decode()
        .count("Courriel ou mot de passe incorrect."),
        _post(client, agent.email, "faux")
        .content.decode()
        .count("Courriel ou mot de passe incorrect."),
        # A parent's good password does not open the back office.
        _post(client, parent.email, "Motdepasse-1")
        .content.decode()
        .count("Courriel ou mot de passe incorrect."),
    }
    assert answers == {1}


def test_repeated_failures_are_throttled_even_with_the_right_password(commune_alpha, settings):
    settings.LOGIN_THROTTLE_MAX_FAILURES = 3
    agent = make_user(commune_alpha, role="agent")
    client = Client(HTTP_HOST=host_of(commune_alpha))
    for _ in range(3):
        assert _post(client, agent.email, "faux").status_code == 400
    response = _post(client, agent.email, "Motdepasse-1")
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_open_redirect_is_refused(commune_alpha):
    agent = make_user(commune_alpha, role="agent")
    client = Client(HTTP_HOST=host_of(commune_alpha))
    response = client.post(
        "/gestion/connexion/?next=https://evil.example/",
        {"email": agent.email, "password": "Motdepasse-1", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/gestion/"


def test_roles_without_rights_get_a_french_403(commune_alpha):
    from tests.conftest import logged_in_client

    animateur = make_user(commune_alpha, role="animateur")
    response = logged_in_client(commune_alpha, animateur).get("/gestion/parametres/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
