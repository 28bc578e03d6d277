"""Backup and restore ids on the ops host: one commune's URL never reaches another
commune's backup."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from backups.models import BackupRecord, RestoreRecord
from tests.conftest import logged_in_client, make_user
from tests.isolation.support import nothing_changes, unique_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def beta_backup(commune_beta) -> BackupRecord:  # type: ignore[no-untyped-def]
    return BackupRecord.objects.create(
        commune=commune_beta,
        commune_slug="beta",
        schema_name="c_beta",
        status="succeeded",
        object_key="beta/x.dump.enc",
        manifest_key="beta/x.manifest.json",
        sha256="0" * 64,
        size_bytes=10,
        key_id="k",
    )


def test_console_restore_page_of_alpha_does_not_open_betas_backup(
    commune_alpha, commune_beta, beta_backup
):
    client = logged_in_client(None, make_user(None, role="operator", email=unique_email("op")))
    url = f"/communes/alpha/sauvegardes/{beta_backup.pk}/restaurer/"
    with nothing_changes("public", commune_alpha.schema_name, commune_beta.schema_name):
        assert client.get(url).status_code == 404
        assert client.post(url, {"mode": "replace", "confirmation": "alpha"}).status_code == 404
    assert not RestoreRecord.objects.exists()


def test_api_restore_of_alpha_refuses_betas_backup(commune_alpha, commune_beta, beta_backup):
    operator = make_user(None, role="operator", email=unique_email("op"))
    token = Token.objects.create(user=operator)
    api = Client(HTTP_HOST="ops.localhost", HTTP_AUTHORIZATION=f"Token {token.key}")
    with nothing_changes(commune_alpha.schema_name, commune_beta.schema_name):
        response = api.post(
            "/api/v1/communes/alpha/restaurations/",
            {"backup_id": beta_backup.pk, "confirmation": "alpha"},
            content_type="application/json",
        )
    assert response.status_code == 400
    assert "est celle de la commune « beta »" in str(response.json()["detail"])
    assert not RestoreRecord.objects.exists()
