"""Families API: agents read, editors write, medical and finance fields left out for
roles that may not see them, 4xx JSON errors in French."""

import pytest
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import Role
from tenant_apps.families.access import FINANCE_FIELDS, MEDICAL_FIELDS
from tenant_apps.families.models import Child, Household
from tests.conftest import inside, logged_in_client, make_user
from tests.families.conftest import ROLES

pytestmark = pytest.mark.django_db


def client_for(commune, role):  # type: ignore[no-untyped-def]
    return logged_in_client(commune, make_user(commune, role=role))


@pytest.mark.parametrize("role", [*ROLES, Role.GUARDIAN])
def test_role_matrix_of_the_api(commune_alpha, family, role):
    client = client_for(commune_alpha, role)
    reads = ["/api/v1/foyers/", f"/api/v1/foyers/{family.household.pk}/", "/api/v1/enfants/",
             f"/api/v1/enfants/{family.child.pk}/", "/api/v1/enfants/?q=theo"]
    is_agent = role != Role.GUARDIAN
    for path in reads:
        assert client.get(path).status_code == (200 if is_agent else 403), path
    is_editor = role in (Role.ADMINISTRATOR, Role.AGENT)
    response = client.patch(f"/api/v1/foyers/{family.household.pk}/", {"city": "Trégastel"},
                            content_type="application/json")
    assert response.status_code == (200 if is_editor else 403)
    if not is_editor:
        assert response.json()["detail"]


@pytest.mark.parametrize("role", [Role.REGISSEUR, Role.READ_ONLY])
def test_medical_fields_are_absent_from_json(commune_alpha, family, role):
    client = client_for(commune_alpha, role)
    child = client.get(f"/api/v1/enfants/{family.child.pk}/").json()
    assert not MEDICAL_FIELDS & set(child)
    assert child["diet"] == "sans_porc"
    listing = client.get("/api/v1/enfants/").content.decode()
    assert "SECRET" not in listing
    household = client.get(f"/api/v1/foyers/{family.household.pk}/").json()
    assert household["quotient_familial"] == 742


def test_animateur_gets_medical_but_not_finances(commune_alpha, family):
    client = client_for(commune_alpha, Role.ANIMATEUR)
    child = client.get(f"/api/v1/enfants/{family.child.pk}/").json()
    assert child["allergies"] == "Arachide SECRET-ALLERGIE" and child["has_pai"] is True
    household = client.get(f"/api/v1/foyers/{family.household.pk}/").json()
    assert not FINANCE_FIELDS & set(household)
    assert [g["phone_mobile"] for g in household["guardians"]][0] == "06 12 34 56 78"


def test_token_authentication_and_search(commune_alpha, family, alpha_admin):
    from django.test import Client

    with inside(commune_alpha):
        token = Token.objects.create(user=alpha_admin)
    client = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Token {token.key}")
    body = client.get("/api/v1/foyers/", {"q": "helene"}).json()
    assert family.household.pk in [h["id"] for h in body["results"]]
    assert body["results"][0]["children"]


def test_create_household_and_child_then_update(commune_alpha, alpha_admin):
    client = logged_in_client(commune_alpha, alpha_admin)
    created = client.post("/api/v1/foyers/", {"name": "API Famille", "city": "Lannion"},
                          content_type="application/json")
    assert created.status_code == 201
    household_id = created.json()["id"]
    child = client.post("/api/v1/enfants/", {
        "household": household_id, "last_name": "Api", "first_name": "Zoé",
        "birth_date": "2019-03-04", "diet": "vegetarien",
    }, content_type="application/json")
    assert child.status_code == 201, child.content
    assert child.json()["households"][0]["household"] == household_id
    updated = client.patch(f"/api/v1/enfants/{child.json()['id']}/", {"first_name": "Zoë"},
                           content_type="application/json")
    assert updated.json()["first_name"] == "Zoë"


def test_bad_input_is_400_in_french_and_saves_nothing(commune_alpha, family, alpha_admin):
    client = logged_in_client(commune_alpha, alpha_admin)
    response = client.patch(f"/api/v1/foyers/{family.household.pk}/", {
        "city": "Ailleurs", "qf_valid_from": "2026-06-01", "qf_valid_until": "2026-01-01",
    }, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"qf_valid_until": ["La fin de validité du QF précède son début."]}
    response = client.post("/api/v1/enfants/", {"household": family.household.pk,
                                                "last_name": "X", "first_name": "Y",
                                                "birth_date": "2099-01-01"},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["birth_date"] == ["La date de naissance est dans le futur."]
    response = client.post("/api/v1/enfants/", {"household": 999999, "first_name": "Y"},
                           content_type="application/json")
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.json()["last_name"]
    with inside(commune_alpha):
        assert Household.objects.get(pk=family.household.pk).city == "Lannion"
        assert not Child.objects.filter(first_name="Y").exists()


def test_missing_is_404_json(commune_alpha, alpha_admin):
    client = logged_in_client(commune_alpha, alpha_admin)
    response = client.get("/api/v1/enfants/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable."}


def test_schema_documents_the_endpoints(commune_alpha, alpha_admin):
    client = logged_in_client(commune_alpha, alpha_admin)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/foyers/{household_id}/" in schema and "/api/v1/enfants/" in schema
