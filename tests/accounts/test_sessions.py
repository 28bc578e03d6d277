"""Session lifetimes: parents 2 h without activity (30 days when they ask the portal to
remember the device), agents a working day; logout is a POST and ends the session."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.accounts.models import Role
from tenant_apps.accounts.sessions import (
    SEEN_REFRESH_S,
    idle_limit_s,
    seen_needs_refresh,
    session_is_stale,
)
from tests.accounts.support import clock_moved
from tests.conftest import host_of, make_user

PASSWORD = "Motdepasse-1"


@given(st.integers(0, 10**9), st.integers(0, 10**7), st.integers(1, 10**7))
def test_a_session_is_stale_exactly_past_its_idle_limit(last_seen, elapsed, idle):
    assert session_is_stale(last_seen=last_seen, now=last_seen + elapsed, idle_s=idle) == (
        elapsed > idle
    )


@given(st.integers(0, 10**9), st.integers(0, 10**5))
def test_activity_is_written_at_most_once_a_minute(last_seen, elapsed):
    assert seen_needs_refresh(last_seen=last_seen, now=last_seen + elapsed) == (
        elapsed >= SEEN_REFRESH_S
    )


def test_idle_limits_by_role():
    assert idle_limit_s(role=Role.GUARDIAN, remember=False) == 2 * 3600
    assert idle_limit_s(role=Role.GUARDIAN, remember=True) == 30 * 24 * 3600
    assert idle_limit_s(role=Role.AGENT, remember=True) == settings.SESSION_COOKIE_AGE


def _portal_login(commune, email: str, remember: bool) -> tuple[Client, object]:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(commune))
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post("/connexion/", data)
    assert response.status_code == 302 and response["Location"] == "/"
    return client, response


@pytest.mark.django_db
def test_parent_session_cookie_ends_with_the_browser_and_after_2_hours_idle(
    commune_alpha, monkeypatch
):
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    client, response = _portal_login(commune_alpha, parent.email, remember=False)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert cookie["httponly"] and cookie["samesite"] == "Lax"

    with clock_moved(monkeypatch, timedelta(hours=1, minutes=50)):
        assert client.get("/").status_code == 200  # activity slides the limit...
    with clock_moved(monkeypatch, timedelta(hours=3, minutes=40)):
        assert client.get("/").status_code == 200  # ...so 1 h 50 later is still fine
    with clock_moved(monkeypatch, timedelta(hours=5, minutes=41)):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/connexion/")
        assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_remembered_device_keeps_the_parent_signed_in(commune_alpha, monkeypatch):
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    client, response = _portal_login(commune_alpha, parent.email, remember=True)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    with clock_moved(monkeypatch, timedelta(days=3)):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_back_office_offers_no_remember_checkbox(commune_alpha):
    page = Client(HTTP_HOST=host_of(commune_alpha)).get("/gestion/connexion/").content.decode()
    assert 'name="remember"' not in page
    portal = Client(HTTP_HOST=host_of(commune_alpha)).get("/connexion/").content.decode()
    assert 'name="remember"' in portal and "Se souvenir de cet appareil" in portal


@pytest.mark.django_db
def test_agent_session_lasts_a_working_day_idle(commune_alpha, monkeypatch):
    agent = make_user(commune_alpha, role=Role.AGENT)
    client = Client(HTTP_HOST=host_of(commune_alpha))
    client.post("/gestion/connexion/", {"email": agent.email, "password": PASSWORD})
    with clock_moved(monkeypatch, timedelta(hours=5)):
        assert client.get("/gestion/").status_code == 200


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(commune_alpha):
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    client, _ = _portal_login(commune_alpha, parent.email, remember=True)
    assert client.get("/deconnexion/").status_code == 405
    assert client.get("/").status_code == 200
    response = client.post("/deconnexion/", {"next": "/connexion/"})
    assert response.status_code == 302 and response["Location"] == "/connexion/"
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_logout_never_sends_elsewhere(commune_alpha):
    client = Client(HTTP_HOST=host_of(commune_alpha))
    response = client.post("/deconnexion/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"
