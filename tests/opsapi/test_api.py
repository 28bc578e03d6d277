"""Ops API: operators only, JSON errors in French, the same rules as the console."""

import types
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from provisioning.models import JobStatus, ProvisioningJob
from shared_apps.announcements.selectors import announcements_active_for
from shared_apps.audit.models import OperatorAction
from tenants.models import Commune, CommuneStatus, Domain
from tests.conftest import logged_in_client, make_user

pytestmark = pytest.mark.django_db

OPERATORS_ONLY = "Cette API est réservée aux opérateurs de la plateforme."
NEW_COMMUNE = {
    "name": "Plérin",
    "slug": "plerin",
    "insee_code": "22187",
    "contact_email": "mairie@plerin.example",
    "admin_email": "admin@plerin.example",
    "billing_mode": "regie",
    "payment_modes": ["cash", "payfip"],
}


def _post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


# --- authentication -----------------------------------------------------------------------


def test_token_obtained_with_email_and_password_works(operator):
    client = Client(HTTP_HOST="ops.localhost")
    response = _post(
        client, "/api/v1/jeton/", {"email": "API-ops@example.test", "password": "Motdepasse-1"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    authed = Client(HTTP_HOST="ops.localhost", HTTP_AUTHORIZATION=f"Token {token}")
    assert authed.get("/api/v1/communes/").status_code == 200
    # Asking again gives the same token
    again = _post(client, "/api/v1/jeton/", {"email": operator.email, "password": "Motdepasse-1"})
    assert again.json()["token"] == token


def test_token_refused_for_wrong_password_and_non_operators(commune_alpha):
    make_user(None, role="agent", email="pas-ops@example.test")
    client = Client(HTTP_HOST="ops.localhost")
    for email, password in [
        ("api-ops@example.test", "mauvais"),
        ("pas-ops@example.test", "Motdepasse-1"),
        ("inconnu@example.test", "Motdepasse-1"),
    ]:
        response = _post(client, "/api/v1/jeton/", {"email": email, "password": password})
        assert response.status_code == 400
        assert response.json() == {"detail": "Courriel ou mot de passe incorrect."}


def test_token_endpoint_is_throttled(operator, settings):
    client = Client(HTTP_HOST="ops.localhost")
    for _ in range(settings.LOGIN_THROTTLE_MAX_FAILURES):
        _post(client, "/api/v1/jeton/", {"email": operator.email, "password": "non"})
    response = _post(
        client, "/api/v1/jeton/", {"email": operator.email, "password": "Motdepasse-1"}
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.json()["detail"]


def test_anonymous_gets_401_json():
    response = Client(HTTP_HOST="ops.localhost").get("/api/v1/communes/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_non_operator_gets_403_json_everywhere(commune_alpha):
    client = logged_in_client(None, make_user(None, role="agent"))
    for method, path in [
        ("get", "/api/v1/communes/"),
        ("get", "/api/v1/communes/alpha/"),
        ("post", "/api/v1/communes/alpha/suspendre/"),
        ("get", "/api/v1/annonces/"),
        ("get", "/api/v1/journal/"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 403, path
        assert response.json()["detail"] == OPERATORS_ONLY
    assert Commune.objects.get(slug="alpha").status == CommuneStatus.ACTIVE


def test_session_auth_works_for_operators(commune_alpha):
    client = logged_in_client(None, make_user(None, role="operator"))
    assert client.get("/api/v1/communes/alpha/").status_code == 200


# --- communes ---------------------------------------------------------------------------


def test_create_returns_the_job_with_202(api):
    response = _post(api, "/api/v1/communes/", NEW_COMMUNE)
    assert response.status_code == 202, response.content
    body = response.json()
    job = ProvisioningJob.objects.get(pk=body["id"])
    assert body["commune"] == "plerin"
    assert body["status"] == JobStatus.PENDING
    assert job.commune.payment_modes == ["cash", "payfip"]
    assert Domain.objects.filter(domain="plerin.localhost", is_primary=True).exists()
    detail = api.get(f"/api/v1/creations/{job.pk}/").json()
    assert detail["progress"] == 0 and detail["status_label"] == "En attente"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "Plérin"}, "lettres minuscules non accentuées"),
        ({"slug": "alpha"}, "Une commune utilise déjà l'identifiant « alpha »."),
        ({"insee_code": "2218"}, "Le code INSEE compte cinq caractères"),
        ({"billing_mode": "troc"}, "Mode de facturation inconnu."),
        ({"modules": ["teleportation"]}, "Module inconnu(s) : teleportation."),
    ],
)
def test_create_errors_are_400_with_french_details(api, commune_alpha, changes, message):
    response = _post(api, "/api/v1/communes/", {**NEW_COMMUNE, **changes})
    assert response.status_code == 400
    assert any(message in m for m in response.json()["detail"]), response.json()


def test_create_with_duplicate_domain_is_400(api, commune_alpha):
    Domain.objects.create(domain="plerin.localhost", tenant=commune_alpha)
    response = _post(api, "/api/v1/communes/", NEW_COMMUNE)
    assert response.status_code == 400
    assert response.json() == {"detail": ["Le domaine « plerin.localhost » est déjà utilisé."]}


def test_create_with_missing_fields_is_400_per_field(api):
    response = _post(api, "/api/v1/communes/", {"slug": "x", "payment_modes": "cash"})
    assert response.status_code == 400
    body = response.json()
    assert {"name", "insee_code", "contact_email", "admin_email"} <= set(body)


def test_list_filters_and_searches(api, commune_alpha, commune_beta):
    _post(api, "/api/v1/communes/", NEW_COMMUNE)
    body = api.get("/api/v1/communes/").json()
    assert {c["slug"] for c in body["results"]} >= {"alpha", "beta", "plerin"}
    only = api.get("/api/v1/communes/", {"status": "provisioning"}).json()["results"]
    assert [c["slug"] for c in only] == ["plerin"]
    found = api.get("/api/v1/communes/", {"search": "BÉTA"}).json()["results"]
    assert [c["slug"] for c in found] == ["beta"]
    found = api.get("/api/v1/communes/", {"search": "29019"}).json()["results"]
    assert [c["slug"] for c in found] == ["beta"]
    assert found[0]["domains"] == [
        {"id": found[0]["domains"][0]["id"], "domain": "beta.localhost", "is_primary": True}
    ]


def test_list_query_count_does_not_grow(api, commune_alpha, commune_beta,
                                        django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        api.get("/api/v1/communes/")
    for n in range(3):
        _post(api, "/api/v1/communes/", {**NEW_COMMUNE, "slug": f"plerin-{n}"})
    with CaptureQueriesContext(connection) as after:
        api.get("/api/v1/communes/")
    assert len(after.captured_queries) == len(before.captured_queries)


def test_detail_has_figures_urls_and_jobs(api, commune_alpha):
    body = api.get("/api/v1/communes/alpha/").json()
    assert body["name"] == "Alphaville"
    assert body["status_label"] == "Active"
    assert body["figures"]["agents"] >= 1
    assert body["figures"]["storage_bytes"] > 0
    assert body["backoffice_url"] == "http://alpha.localhost:8000/gestion/"
    assert body["recent_jobs"][0]["status"] == "succeeded"


def test_unknown_commune_is_404_json(api):
    for method, path in [
        ("get", "/api/v1/communes/nulle-part/"),
        ("post", "/api/v1/communes/nulle-part/suspendre/"),
        ("post", "/api/v1/communes/nulle-part/supprimer/"),
        ("get", "/api/v1/communes/nulle-part/domaines/"),
        ("delete", "/api/v1/communes/nulle-part/domaines/x.example/"),
        ("get", "/api/v1/creations/999999/"),
    ]:
        response = getattr(api, method)(path)
        assert response.status_code == 404, path
        assert response.json()["detail"] in ("Commune inconnue.", "Création inconnue.")


def test_suspend_reactivate_and_rules(api, commune_alpha):
    response = _post(api, "/api/v1/communes/alpha/suspendre/")
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    response = _post(api, "/api/v1/communes/alpha/suspendre/")
    assert response.status_code == 400
    assert response.json() == {"detail": ["Seule une commune active peut être suspendue."]}
    assert _post(api, "/api/v1/communes/alpha/reactiver/").json()["status"] == "active"


def test_archive_then_delete_with_confirmation(api, monkeypatch):
    import backups.services

    monkeypatch.setattr(
        backups.services, "backup_commune",
        lambda *, commune, reason="manual": types.SimpleNamespace(succeeded=True),
    )
    _post(api, "/api/v1/communes/", NEW_COMMUNE)
    Commune.objects.filter(slug="plerin").update(status=CommuneStatus.ACTIVE)

    response = _post(api, "/api/v1/communes/plerin/supprimer/", {"confirmation": "plerin"})
    assert response.status_code == 400
    assert response.json() == {"detail": ["Archivez la commune avant de supprimer ses données."]}

    assert _post(api, "/api/v1/communes/plerin/archiver/").json()["status"] == "archived"
    response = _post(api, "/api/v1/communes/plerin/supprimer/", {"confirmation": "oui"})
    assert response.status_code == 400
    assert response.json() == {"detail": ["Tapez « plerin » pour confirmer la suppression."]}
    assert _post(api, "/api/v1/communes/plerin/supprimer/", {}).status_code == 400

    response = _post(api, "/api/v1/communes/plerin/supprimer/", {"confirmation": "plerin"})
    assert response.status_code == 204
    assert not Commune.objects.filter(slug="plerin").exists()


def test_failed_job_can_be_retried(api):
    job_id = _post(api, "/api/v1/communes/", NEW_COMMUNE).json()["id"]
    response = _post(api, f"/api/v1/creations/{job_id}/relancer/")
    assert response.status_code == 400
    ProvisioningJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED)
    response = _post(api, f"/api/v1/creations/{job_id}/relancer/")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"


# --- domains ------------------------------------------------------------------------------


def test_domains_add_list_remove(api, commune_alpha, commune_beta):
    response = _post(api, "/api/v1/communes/alpha/domaines/", {"hostname": "cantine.alpha.example"})
    assert response.status_code == 201
    assert response.json()["is_primary"] is False
    listed = api.get("/api/v1/communes/alpha/domaines/").json()
    assert [d["domain"] for d in listed] == ["alpha.localhost", "cantine.alpha.example"]

    taken = _post(api, "/api/v1/communes/alpha/domaines/", {"hostname": "beta.localhost"})
    assert taken.status_code == 400
    assert taken.json() == {"detail": ["Le domaine « beta.localhost » est déjà utilisé."]}

    primary = api.delete("/api/v1/communes/alpha/domaines/alpha.localhost/")
    assert primary.status_code == 400
    assert primary.json() == {"detail": ["Le domaine principal ne peut pas être supprimé."]}
    # Another commune's domain is not reachable through this one
    assert api.delete("/api/v1/communes/alpha/domaines/beta.localhost/").status_code == 404

    assert api.delete("/api/v1/communes/alpha/domaines/cantine.alpha.example/").status_code == 204
    assert not Domain.objects.filter(domain="cantine.alpha.example").exists()


# --- announcements and audit --------------------------------------------------------------


def test_announcements_create_list_end(api, commune_alpha, commune_beta):
    now = timezone.now()
    payload = {
        "kind": "incident",
        "title": "Paiement en ligne indisponible",
        "body": "Le paiement en ligne est interrompu ; réglez au guichet.",
        "all_communes": False,
        "communes": ["beta"],
        "show_on_portal": True,
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(hours=4)).isoformat(),
    }
    response = _post(api, "/api/v1/annonces/", payload)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["communes"] == ["beta"]
    assert created["created_by_email"] == "api-ops@example.test"
    active = announcements_active_for(commune_id=commune_beta.pk, audience="portal")
    assert [a.pk for a in active] == [created["id"]]
    assert list(announcements_active_for(commune_id=commune_alpha.pk)) == []
    assert api.get("/api/v1/annonces/").json()["count"] == 1

    assert _post(api, f"/api/v1/annonces/{created['id']}/terminer/").status_code == 200
    assert list(announcements_active_for(commune_id=commune_beta.pk)) == []
    assert _post(api, f"/api/v1/annonces/{created['id']}/terminer/").status_code == 400


def test_announcement_errors_are_400(api, commune_alpha):
    now = timezone.now()
    base = {
        "kind": "information", "title": "T", "body": "B",
        "starts_at": now.isoformat(), "ends_at": (now - timedelta(hours=1)).isoformat(),
    }
    response = _post(api, "/api/v1/annonces/", base)
    assert response.status_code == 400
    assert response.json() == {"detail": ["La fin doit être postérieure au début."]}
    response = _post(api, "/api/v1/annonces/", {**base, "communes": ["nulle-part"]})
    assert response.status_code == 400
    response = _post(
        api, "/api/v1/annonces/",
        {**base, "ends_at": (now + timedelta(hours=1)).isoformat(), "all_communes": False},
    )
    assert response.status_code == 400
    assert "Choisissez au moins une commune" in response.json()["detail"][0]


def test_audit_list_filters_by_commune(api, commune_alpha):
    _post(api, "/api/v1/communes/", NEW_COMMUNE)
    _post(api, "/api/v1/communes/alpha/domaines/", {"hostname": "cantine.alpha.example"})
    body = api.get("/api/v1/journal/", {"commune": "plerin"}).json()
    assert [a["action"] for a in body["results"]] == ["commune.create"]
    assert body["results"][0]["actor_email"] == "api-ops@example.test"
    everything = api.get("/api/v1/journal/").json()
    assert {"commune.create", "domain.add"} <= {a["action"] for a in everything["results"]}
    assert OperatorAction.objects.count() == everything["count"]


# --- documentation --------------------------------------------------------------------------


def test_openapi_schema_lists_the_ops_paths(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/v1/jeton/",
        "/api/v1/communes/",
        "/api/v1/communes/{slug}/",
        "/api/v1/communes/{slug}/suspendre/",
        "/api/v1/communes/{slug}/archiver/",
        "/api/v1/communes/{slug}/supprimer/",
        "/api/v1/communes/{slug}/domaines/{hostname}/",
        "/api/v1/creations/{job_id}/",
        "/api/v1/annonces/",
        "/api/v1/journal/",
    ]:
        assert path in schema["paths"], path
    assert "202" in schema["paths"]["/api/v1/communes/"]["post"]["responses"]


def test_docs_page_renders(api):
    assert api.get("/api/docs/").status_code == 200
