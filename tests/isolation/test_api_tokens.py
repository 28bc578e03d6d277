"""(b) A DRF token of one commune means nothing on another commune's host."""

import pytest
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import Role
from tests.conftest import host_of, inside, make_user
from tests.isolation.endpoints import PUBLIC_TENANT_ROUTES, tenant_endpoints
from tests.isolation.support import nothing_changes, request, sweep, unique_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha_token(commune_alpha) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    email = unique_email("alpha-api")
    user = make_user(commune_alpha, role=Role.ADMINISTRATOR, email=email)
    with inside(commune_alpha):
        key = Token.objects.create(user=user).key
    return key, email


def test_alpha_token_works_on_alpha(commune_alpha, alpha_token):
    key, email = alpha_token
    response = request("get", "/api/v1/moi/", host=host_of(commune_alpha), token=key)
    assert response.status_code == 200
    assert response.json()["email"] == email


def test_alpha_token_on_beta_me_endpoint_is_401(commune_beta, alpha_token):
    key, email = alpha_token
    response = request("get", "/api/v1/moi/", host=host_of(commune_beta), token=key)
    assert response.status_code == 401
    assert email not in response.content.decode()


def test_alpha_token_opens_no_beta_url(commune_alpha, commune_beta, alpha_token):
    key, email = alpha_token
    with nothing_changes(commune_alpha.schema_name, commune_beta.schema_name, "public"):
        sweep(tenant_endpoints(), PUBLIC_TENANT_ROUTES, host=host_of(commune_beta),
              token=key, secrets=[email, "Alphaville"])


def test_token_with_same_key_in_beta_names_beta_user_only(commune_alpha, commune_beta,
                                                         alpha_token):
    """Tokens are looked up in the host's schema: even the same key stored in beta (a
    restored dump, a copied row) authenticates beta's own user, never alpha's."""
    key, alpha_email = alpha_token
    beta_email = unique_email("beta-api")
    beta_user = make_user(commune_beta, role=Role.AGENT, email=beta_email)
    with inside(commune_beta):
        Token.objects.create(user=beta_user, key=key)
    response = request("get", "/api/v1/moi/", host=host_of(commune_beta), token=key)
    assert response.status_code == 200
    assert response.json()["email"] == beta_email
    assert alpha_email not in response.content.decode()
