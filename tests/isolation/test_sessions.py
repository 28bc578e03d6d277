"""(a) A commune's session cookie, replayed on another commune's host, opens nothing."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

from tenant_apps.accounts.middleware import SESSION_SCHEMA_KEY
from tenant_apps.accounts.models import Role
from tests.conftest import host_of, inside, logged_in_client, make_user
from tests.isolation.endpoints import PUBLIC_TENANT_ROUTES, tenant_endpoints
from tests.isolation.support import (
    is_login_redirect,
    nothing_changes,
    request,
    sweep,
    unique_email,
)

pytestmark = pytest.mark.django_db

HOME = {Role.ADMINISTRATOR: "/gestion/", Role.GUARDIAN: "/"}


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.GUARDIAN])
def test_alpha_session_on_beta_host_behaves_as_anonymous(commune_alpha, commune_beta, role):
    email = unique_email(f"alpha-{role}")
    user = make_user(commune_alpha, role=role, email=email)
    key = logged_in_client(commune_alpha, user).cookies[settings.SESSION_COOKIE_NAME].value
    # Control: at home, the cookie opens the user's pages.
    at_home = request("get", HOME[role], host=host_of(commune_alpha), session_key=key)
    assert at_home.status_code == 200

    with nothing_changes(commune_alpha.schema_name, commune_beta.schema_name, "public"):
        checked = sweep(
            tenant_endpoints(), PUBLIC_TENANT_ROUTES, host=host_of(commune_beta),
            session_key=key, secrets=[email, "Alphaville"],
        )
    assert checked >= 40

    # The replay did not disturb the session at home either.
    assert request("get", HOME[role], host=host_of(commune_alpha),
                   session_key=key).status_code == 200


def test_session_marked_for_another_schema_is_logged_out(commune_alpha, commune_beta):
    """Second lock: even a session found in beta's store is refused when it was opened in
    another schema (a shared session store, a copied row)."""
    user = make_user(commune_beta, role=Role.ADMINISTRATOR)
    key = logged_in_client(commune_beta, user).cookies[settings.SESSION_COOKIE_NAME].value
    assert request("get", "/gestion/", host=host_of(commune_beta),
                   session_key=key).status_code == 200

    with inside(commune_beta):
        session = SessionStore(session_key=key)
        session[SESSION_SCHEMA_KEY] = commune_alpha.schema_name
        session.save()
    response = request("get", "/gestion/", host=host_of(commune_beta), session_key=key)
    assert is_login_redirect(response)


def test_session_without_schema_mark_is_logged_out(commune_beta):
    user = make_user(commune_beta, role=Role.ADMINISTRATOR)
    key = logged_in_client(commune_beta, user).cookies[settings.SESSION_COOKIE_NAME].value
    with inside(commune_beta):
        session = SessionStore(session_key=key)
        del session[SESSION_SCHEMA_KEY]
        session.save()
    response = request("get", "/gestion/", host=host_of(commune_beta), session_key=key)
    assert is_login_redirect(response)
