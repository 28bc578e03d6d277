"""Console pages for backups and restores, and the ops API endpoints."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from backups.models import BackupRecord, RestoreRecord
from backups.services import backup_commune
from shared_apps.audit.models import OperatorAction
from tests.conftest import logged_in_client, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():  # type: ignore[no-untyped-def]
    return make_user(None, role="operator", email="ops-backups@example.test")


@pytest.fixture
def console(operator) -> Client:  # type: ignore[no-untyped-def]
    return logged_in_client(None, operator)


@pytest.fixture
def api(operator) -> Client:  # type: ignore[no-untyped-def]
    token = Token.objects.create(user=operator)
    return Client(HTTP_HOST="ops.localhost", HTTP_AUTHORIZATION=f"Token {token.key}")


@pytest.fixture
def alpha_backup(commune_alpha, backup_keys, backup_bucket) -> BackupRecord:  # type: ignore[no-untyped-def]
    record = backup_commune(commune=commune_alpha)
    assert record.succeeded, record.error
    return record


def test_backups_page_lists_time_size_state_key_and_reason(console, alpha_backup):
    page = console.get("/communes/alpha/sauvegardes/").content.decode()

    assert "Sauvegardes de Alphaville" in page
    assert "Réussie" in page and "test-1" in page and "Manuelle" in page
    assert f"/communes/alpha/sauvegardes/{alpha_backup.pk}/restaurer/" in page
    assert "Sauvegarder maintenant" in page
    assert "Sauvegarde en retard" not in page


def test_overdue_backup_shows_a_red_alert_on_fleet_commune_and_backups_pages(console, alpha_backup):
    old = timezone.now() - timedelta(hours=3)
    BackupRecord.objects.filter(pk=alpha_backup.pk).update(started_at=old, finished_at=old)

    assert "Sauvegarde en retard" in console.get("/communes/alpha/sauvegardes/").content.decode()
    assert "Sauvegarde en retard" in console.get("/communes/alpha/").content.decode()
    fleet = console.get("/").content.decode()
    assert "sans sauvegarde récente" in fleet and "En retard" in fleet


def test_backup_now_is_audited_and_enqueued_after_commit(
    console, commune_alpha, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = console.post("/communes/alpha/sauvegardes/maintenant/")

    assert response.status_code == 302
    assert len(callbacks) == 1
    assert OperatorAction.objects.filter(action="commune.backup", commune_slug="alpha").exists()


def test_restore_needs_the_typed_slug(console, alpha_backup):
    url = f"/communes/alpha/sauvegardes/{alpha_backup.pk}/restaurer/"
    assert "Pour confirmer, tapez" in console.get(url).content.decode()

    response = console.post(url, {"mode": "replace", "confirmation": "beta"})

    assert response.status_code == 400
    assert "Tapez « alpha » pour confirmer." in response.content.decode()
    assert not RestoreRecord.objects.exists()


def test_copy_mode_needs_a_new_slug(console, alpha_backup):
    url = f"/communes/alpha/sauvegardes/{alpha_backup.pk}/restaurer/"
    response = console.post(url, {"mode": "copy", "confirmation": "alpha"})
    assert response.status_code == 400
    assert "Indiquez l&#x27;identifiant de la commune séparée." in response.content.decode()


def test_confirmed_restore_records_and_dispatches_a_task(
    console, alpha_backup, django_capture_on_commit_callbacks
):
    url = f"/communes/alpha/sauvegardes/{alpha_backup.pk}/restaurer/"
    with django_capture_on_commit_callbacks() as callbacks:
        response = console.post(
            url, {"mode": "copy", "new_slug": "alpha-copie", "confirmation": "alpha"}
        )

    record = RestoreRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/restaurations/{record.pk}/"
    assert (record.kind, record.target_slug, record.status) == (
        "inspection",
        "alpha-copie",
        "pending",
    )
    assert record.requested_by == "ops-backups@example.test"
    assert len(callbacks) == 1
    page = console.get(f"/restaurations/{record.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "En attente" in page
    partial = console.get(f"/restaurations/{record.pk}/", HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="restore-status"')


def test_finished_restore_page_stops_polling_and_shows_the_checks(console, alpha_backup):
    record = RestoreRecord.objects.create(
        kind="drill",
        commune=alpha_backup.commune,
        commune_slug="alpha",
        backup=alpha_backup,
        status="succeeded",
        progress=100,
        step="Terminée",
        duration_s=2.5,
        checks={
            "tables": 12,
            "rows": 40,
            "migrations_applied_after_restore": 0,
            "files": {"listed": 2, "missing": [], "missing_count": 0},
        },
    )
    page = console.get(f"/restaurations/{record.pk}/").content.decode()
    assert "hx-trigger" not in page
    assert "12 tables, 40 lignes" in page and "Exercice réussi" in page
    assert "Dernier exercice de restauration" in console.get("/").content.decode()


def test_api_lists_and_triggers_backups(api, alpha_backup, django_capture_on_commit_callbacks):
    listing = api.get("/api/v1/communes/alpha/sauvegardes/")
    assert listing.status_code == 200
    assert listing.json()[0]["id"] == alpha_backup.pk
    assert listing.json()[0]["key_id"] == "test-1"

    with django_capture_on_commit_callbacks() as callbacks:
        triggered = api.post("/api/v1/communes/alpha/sauvegardes/")
    assert triggered.status_code == 202 and len(callbacks) == 1


def test_api_restore_returns_202_and_a_record_to_follow(
    api, alpha_backup, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(
            "/api/v1/communes/alpha/restaurations/",
            {"backup_id": alpha_backup.pk, "new_slug": "alpha-api", "confirmation": "alpha"},
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["backup_id"]) == (
        "inspection",
        "pending",
        alpha_backup.pk,
    )
    assert len(callbacks) == 1
    detail = api.get(f"/api/v1/restaurations/{body['id']}/")
    assert detail.status_code == 200 and detail.json()["target_slug"] == "alpha-api"
    assert api.get("/api/v1/restaurations/999999/").status_code == 404


def test_api_restore_refuses_a_wrong_confirmation(api, alpha_backup):
    response = api.post(
        "/api/v1/communes/alpha/restaurations/",
        {"backup_id": alpha_backup.pk, "confirmation": "beta"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Tapez « alpha »" in str(response.json()["detail"])
    assert not RestoreRecord.objects.exists()
