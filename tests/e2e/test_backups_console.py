"""An operator reviews a commune's backups, opens a restore confirmation and follows a
drill's result (rows committed for the server; removed afterwards)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backups.models import BackupRecord, RestoreRecord
from tenant_apps.accounts.models import Role
from tests.conftest import make_user
from tests.e2e.support import shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Operateur-Ops-5%"


@pytest.fixture
def alpha_history(commune_alpha):  # type: ignore[no-untyped-def]
    now = timezone.now()
    rows = []
    for hours, status, reason in ((3, "succeeded", "scheduled"), (4, "failed", "scheduled"),
                                  (5, "succeeded", "manual")):
        at = now - timedelta(hours=hours)
        rows.append(BackupRecord.objects.create(
            commune=commune_alpha, commune_slug="alpha", schema_name="c_alpha", status=status,
            reason=reason, started_at=at, finished_at=at + timedelta(seconds=4),
            size_bytes=4_995_891 if status == "succeeded" else None,
            key_id="cle-2025", sha256="a" * 64, object_key=f"alpha/{hours}.dump.enc",
            error="Impossible de déposer la sauvegarde : le stockage S3 ne répond pas."
            if status == "failed" else "",
        ))
    drill = RestoreRecord.objects.create(
        kind="drill", commune=commune_alpha, commune_slug="alpha", backup=rows[0],
        status="succeeded", progress=100, step="Terminée", started_at=now, finished_at=now,
        duration_s=5.3, requested_by="exercice planifié",
        checks={"tables": 23, "rows": 205188, "migrations_applied_after_restore": 0,
                "files": {"listed": 12, "missing": [], "missing_count": 0}},
    )
    try:
        yield rows, drill
    finally:
        RestoreRecord.objects.filter(pk=drill.pk).delete()
        BackupRecord.objects.filter(pk__in=[r.pk for r in rows]).delete()


def test_operator_sees_backups_and_confirms_a_restore(page, server, alpha_history):
    rows, drill = alpha_history
    email = unique_email("operator")
    make_user(None, role=Role.OPERATOR, email=email, password=PASSWORD)
    page.goto(server.url("ops", "/connexion/"))
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.locator("main")).to_contain_text("sans sauvegarde récente")
    shoot(page, "ops-fleet-backup-alert")

    page.goto(server.url("ops", "/communes/alpha/sauvegardes/"))
    expect(page.locator("main")).to_contain_text("Sauvegarde en retard")
    expect(page.locator("main")).to_contain_text("cle-2025")
    shoot(page, "ops-backups")

    page.get_by_role("link", name=f"Restaurer la sauvegarde n° {rows[0].pk}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Restaurer « Alphaville »")
    shoot(page, "ops-restore-confirm")
    page.get_by_label("Pour confirmer, tapez l'identifiant").fill("beta")
    page.get_by_role("button", name="Restaurer").click()
    expect(page.locator("main")).to_contain_text("Tapez « alpha » pour confirmer.")
    shoot(page, "ops-restore-confirm-error")

    page.goto(server.url("ops", f"/restaurations/{drill.pk}/"))
    expect(page.locator("main")).to_contain_text("Exercice réussi")
    shoot(page, "ops-restore-drill")
