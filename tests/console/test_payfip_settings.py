"""Issue 8: an operator sets a commune's PayFiP contract from the console; the commune's
back office shows the same values; bad input changes nothing; the other commune is untouched."""

import pytest

from provisioning.payfip import commune_payfip_get, commune_payfip_set
from shared_apps.audit.models import OperatorAction
from tenant_apps.payments.models import PayfipSettings
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db
BACKOFFICE = "/gestion/paiements-en-ligne/parametres/"


def _state(commune):
    with inside(commune):
        row, _ = PayfipSettings.objects.get_or_create(singleton=True)
        return (row.enabled, row.client_number, row.mode)


def test_operator_sets_payfip_and_the_back_office_shows_it(console, commune_alpha, commune_beta):
    # Given beta's settings as they are
    beta_before = _state(commune_beta)
    # When an operator sets alpha's contract from the commune page
    page = console.get("/communes/alpha/").content.decode()
    assert "Paiement en ligne (PayFiP)" in page
    response = console.post(
        "/communes/alpha/payfip/",
        {"client_number": "123456", "mode": "X", "enabled": "on"},
        follow=True,
    )
    # Then the console confirms and shows the new state
    html = response.content.decode()
    assert response.status_code == 200
    assert "Paramètres PayFiP de la commune enregistrés." in html
    assert "123456" in html and "Activation (X)" in html and "Activé" in html
    # And the commune's back office shows the same values to its administrator
    assert _state(commune_alpha) == (True, "123456", "X")
    admin = logged_in_client(commune_alpha, make_user(commune_alpha, role="administrator"))
    office = admin.get(BACKOFFICE).content.decode()
    assert 'value="123456"' in office
    assert '<option value="X" selected>' in office
    # And the operator's action is in the audit log, shown in French on the journal
    action = OperatorAction.objects.get(action="payfip.update", commune_slug="alpha")
    assert action.actor_email == "ops@example.test"
    assert action.detail["numéro client"].endswith("→ 123456")
    assert "Paramètres PayFiP modifiés" in console.get("/journal/").content.decode()
    # And the other commune is untouched
    assert _state(commune_beta) == beta_before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"client_number": "12a", "mode": "T"},
            "Le numéro client PayFiP compte exactement 6 chiffres.",
        ),
        ({"client_number": "1234567", "mode": "T"}, "au plus 6 caractères"),
        (
            {"client_number": "", "mode": "W", "enabled": "on"},
            "Indiquez le numéro client avant d&#x27;activer le paiement en ligne.",
        ),
        ({"client_number": "123456", "mode": "Z"}, "Sélectionnez un choix valide"),
    ],
)
def test_invalid_input_gives_a_french_error_and_changes_nothing(
    console, commune_alpha, data, message
):
    before = _state(commune_alpha)
    response = console.post("/communes/alpha/payfip/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "rien n'a été enregistré" in html
    assert _state(commune_alpha) == before
    assert not OperatorAction.objects.filter(action="payfip.update").exists()


def test_service_rejects_with_the_back_office_rules_and_leaves_public(commune_alpha, operator):
    from django.core.exceptions import ValidationError

    from tenants.db import current_schema

    before = _state(commune_alpha)
    with pytest.raises(ValidationError) as caught:
        commune_payfip_set(commune=commune_alpha, client_number="abc", mode="T", actor=operator)
    assert "client_number" in caught.value.message_dict
    assert current_schema() == "public"
    assert _state(commune_alpha) == before
    state = commune_payfip_set(
        commune=commune_alpha, client_number=" 654321 ", mode="W", actor=operator
    )
    assert current_schema() == "public"
    assert (state.client_number, state.mode) == ("654321", "W")
    assert commune_payfip_get(commune=commune_alpha) == state


def test_a_commune_without_schema_has_no_payfip_yet(console, register_commune, operator):
    job = register_commune("gamma")
    assert commune_payfip_get(commune=job.commune) is None
    assert (
        "Disponible une fois la commune créée." in console.get("/communes/gamma/").content.decode()
    )
    response = console.post("/communes/gamma/payfip/", {"client_number": "123456", "mode": "T"})
    assert response.status_code == 400
    assert "pas encore créée" in response.content.decode()


def test_a_non_operator_cannot_change_payfip(ops_client, commune_alpha):
    before = _state(commune_alpha)
    # Anonymous: sent to the login page
    anonymous = ops_client.post("/communes/alpha/payfip/", {"client_number": "999999", "mode": "W"})
    assert anonymous.status_code == 302
    # A public account that is not an operator: French 403
    agent = logged_in_client(None, make_user(None, role="agent"))
    refused = agent.post("/communes/alpha/payfip/", {"client_number": "999999", "mode": "W"})
    assert refused.status_code == 403
    # The commune's own administrator, on its own host, does not reach the console URL
    admin = logged_in_client(commune_alpha, make_user(commune_alpha, role="administrator"))
    assert admin.post(
        "/communes/alpha/payfip/", {"client_number": "999999", "mode": "W"}
    ).status_code in (403, 404)
    assert _state(commune_alpha) == before
    assert not OperatorAction.objects.filter(action="payfip.update").exists()


def test_unknown_commune_is_404_and_get_is_not_allowed(console, commune_alpha):
    assert (
        console.post(
            "/communes/nowhere/payfip/", {"client_number": "123456", "mode": "T"}
        ).status_code
        == 404
    )
    assert console.get("/communes/alpha/payfip/").status_code == 405


# --- ops API ---------------------------------------------------------------------------------


@pytest.fixture
def api(operator):
    from django.test import Client
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=operator)
    return Client(HTTP_HOST="ops.localhost", HTTP_AUTHORIZATION=f"Token {token.key}")


API = "/api/v1/communes/alpha/payfip/"


def test_api_reads_and_sets_payfip(api, commune_alpha, commune_beta):
    beta_before = _state(commune_beta)
    assert api.get(API).json()["mode"] in ("T", "X", "W")
    response = api.put(
        API,
        {"client_number": "246802", "mode": "W", "enabled": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "enabled": True,
        "client_number": "246802",
        "mode": "W",
        "mode_label": "Production (W)",
    }
    assert _state(commune_alpha) == (True, "246802", "W")
    assert api.get(API).json()["client_number"] == "246802"
    assert OperatorAction.objects.filter(action="payfip.update", commune_slug="alpha").count() == 1
    assert _state(commune_beta) == beta_before


def test_api_rejects_bad_input_in_french_and_changes_nothing(api, commune_alpha):
    before = _state(commune_alpha)
    response = api.put(API, {"client_number": "12a", "mode": "T"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field_errors"]["client_number"] == [
        "Le numéro client PayFiP compte exactement 6 chiffres."
    ]
    assert api.put(API, {"mode": "T"}, content_type="application/json").status_code == 400
    assert api.put(API, "pas du json", content_type="application/json").status_code == 400
    assert _state(commune_alpha) == before
    assert not OperatorAction.objects.filter(action="payfip.update").exists()


def test_api_is_for_operators_only_and_404s_unknown_communes(api, commune_alpha):
    agent = make_user(None, role="agent")
    from django.test import Client
    from rest_framework.authtoken.models import Token

    other = Client(
        HTTP_HOST="ops.localhost",
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=agent).key}",
    )
    before = _state(commune_alpha)
    refused = other.put(
        API, {"client_number": "111111", "mode": "W"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert other.get(API).status_code == 403
    assert _state(commune_alpha) == before
    assert api.get("/api/v1/communes/nowhere/payfip/").status_code == 404


def test_openapi_documents_the_payfip_endpoint(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = schema["paths"]["/api/v1/communes/{slug}/payfip/"]
    assert {"get", "put"} <= set(operations)
    assert "400" in operations["put"]["responses"]
