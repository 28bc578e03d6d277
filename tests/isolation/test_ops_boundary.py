"""(c) The ops host (console and API) and the commune hosts never honour each other's
sessions or tokens."""

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import Role
from tests.conftest import host_of, inside, logged_in_client, make_user
from tests.isolation.endpoints import (
    PUBLIC_OPS_ROUTES,
    PUBLIC_TENANT_ROUTES,
    ops_endpoints,
    tenant_endpoints,
)
from tests.isolation.support import nothing_changes, request, sweep, unique_email

pytestmark = pytest.mark.django_db

OPS = settings.OPS_HOSTNAME


@pytest.fixture
def alpha_admin(commune_alpha):  # type: ignore[no-untyped-def]
    email = unique_email("alpha-admin")
    user = make_user(commune_alpha, role=Role.ADMINISTRATOR, email=email)
    key = logged_in_client(commune_alpha, user).cookies[settings.SESSION_COOKIE_NAME].value
    with inside(commune_alpha):
        token = Token.objects.create(user=user).key
    assert request("get", "/gestion/", host=host_of(commune_alpha),
                   session_key=key).status_code == 200
    return {"email": email, "session": key, "token": token}


@pytest.fixture
def operator():  # type: ignore[no-untyped-def]
    email = unique_email("operator")
    user = make_user(None, role=Role.OPERATOR, email=email)
    key = logged_in_client(None, user).cookies[settings.SESSION_COOKIE_NAME].value
    token = Token.objects.create(user=user).key
    # Control: on the ops host, the operator's session opens the console.
    home = request("get", "/", host=OPS, session_key=key)
    assert home.status_code == 200
    assert "Alphaville" in home.content.decode()
    return {"email": email, "session": key, "token": token}


def test_commune_session_opens_nothing_on_ops_host(commune_alpha, commune_beta, alpha_admin):
    with nothing_changes("public", commune_alpha.schema_name, commune_beta.schema_name):
        sweep(ops_endpoints(), PUBLIC_OPS_ROUTES, host=OPS, session_key=alpha_admin["session"],
              secrets=["Alphaville", "Bétaville", "mairie@beta.example"])


def test_commune_token_opens_nothing_on_ops_host(commune_alpha, commune_beta, alpha_admin):
    with nothing_changes("public", commune_alpha.schema_name, commune_beta.schema_name):
        sweep(ops_endpoints(), PUBLIC_OPS_ROUTES, host=OPS, token=alpha_admin["token"],
              secrets=["Alphaville", "Bétaville", "mairie@beta.example"])


def test_operator_session_opens_nothing_on_commune_host(commune_alpha, commune_beta, operator):
    with nothing_changes("public", commune_alpha.schema_name, commune_beta.schema_name):
        sweep(tenant_endpoints(), PUBLIC_TENANT_ROUTES, host=host_of(commune_alpha),
              session_key=operator["session"], secrets=[operator["email"]])


def test_operator_token_opens_nothing_on_commune_host(commune_alpha, commune_beta, operator):
    response = request("get", "/api/v1/moi/", host=host_of(commune_alpha),
                       token=operator["token"])
    assert response.status_code == 401
    with nothing_changes("public", commune_alpha.schema_name, commune_beta.schema_name):
        sweep(tenant_endpoints(), PUBLIC_TENANT_ROUTES, host=host_of(commune_alpha),
              token=operator["token"], secrets=[operator["email"]])
