"""PayFiP settings from the control plane: a commune's admin session or token never reaches
the console/API PayFiP endpoints, and changing one commune never touches the other."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from provisioning.payfip import commune_payfip_set
from tenant_apps.payments.models import PayfipSettings
from tests.conftest import host_of, inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db


def _state(commune):  # type: ignore[no-untyped-def]
    with inside(commune):
        row, _ = PayfipSettings.objects.get_or_create(singleton=True)
        return (row.enabled, row.client_number, row.mode)


def test_commune_credentials_never_reach_the_payfip_endpoints(commune_alpha, commune_beta):
    before = (_state(commune_alpha), _state(commune_beta))
    admin = make_user(commune_alpha, role="administrator")
    session_client = logged_in_client(commune_alpha, admin)
    with inside(commune_alpha):
        token = Token.objects.create(user=admin).key
    data = {"client_number": "135790", "mode": "W"}
    # On its own host, the console path does not exist
    assert session_client.post("/communes/beta/payfip/", data).status_code in (403, 404)
    # The commune's session cookie and token on the ops host are not an operator's
    ops = Client(HTTP_HOST="ops.localhost")
    ops.cookies = session_client.cookies
    assert ops.post("/communes/beta/payfip/", data).status_code in (302, 403)
    api = Client(HTTP_HOST="ops.localhost", HTTP_AUTHORIZATION=f"Token {token}")
    put = api.put("/api/v1/communes/beta/payfip/", data, content_type="application/json")
    assert put.status_code in (401, 403)
    # A commune host never serves the ops API
    on_commune = Client(HTTP_HOST=host_of(commune_alpha), HTTP_AUTHORIZATION=f"Token {token}")
    assert on_commune.get("/api/v1/communes/beta/payfip/").status_code in (403, 404)
    assert (_state(commune_alpha), _state(commune_beta)) == before


def test_setting_one_commune_leaves_the_other_untouched(commune_alpha, commune_beta):
    operator = make_user(None, role="operator")
    beta_before = _state(commune_beta)
    commune_payfip_set(commune=commune_alpha, client_number="975310", mode="X", actor=operator)
    assert _state(commune_alpha)[1:] == ("975310", "X")
    assert _state(commune_beta) == beta_before
