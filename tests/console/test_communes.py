"""Create a commune from the console, follow its job, change its status, manage domains."""

import sys
import types

import pytest

from backups.models import BackupRecord, BackupStatus
from provisioning.models import JobStatus, ProvisioningJob
from shared_apps.audit.models import OperatorAction
from tenants.models import Commune, CommuneStatus, Domain

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Saint-Brieuc",
    "slug": "saint-brieuc",
    "insee_code": "22278",
    "address": "Place du Général de Gaulle",
    "contact_name": "Mme Le Goff",
    "contact_email": "enfance@saint-brieuc.example",
    "contact_phone": "02 96 00 00 00",
    "billing_mode": "perception",
    "payment_modes": ["payfip", "cheque"],
    "modules": ["cantine", "portal"],
    "brand_colour": "#0b6e4f",
    "admin_email": "Direction@Saint-Brieuc.example",
    "admin_name": "Jeanne Le Goff",
}


def test_form_creates_commune_domain_and_job(console):
    # When the operator submits the form
    response = console.post("/nouvelle-commune/", FORM)
    # Then the commune, its primary domain and a pending job exist, and we follow the job
    commune = Commune.objects.get(slug="saint-brieuc")
    job = ProvisioningJob.objects.get(commune=commune)
    assert response.status_code == 302
    assert response["Location"] == f"/creations/{job.pk}/"
    assert commune.status == CommuneStatus.PROVISIONING
    assert commune.billing_mode == "perception"
    assert commune.payment_modes == ["payfip", "cheque"]
    assert commune.modules == ["cantine", "portal"]
    assert commune.brand_colour == "#0b6e4f"
    assert Domain.objects.get(tenant=commune).domain == "saint-brieuc.localhost"
    assert job.status == JobStatus.PENDING
    assert job.admin_email == "direction@saint-brieuc.example"
    assert OperatorAction.objects.filter(action="commune.create", commune_slug="saint-brieuc")


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Saint Brieuc", "lettres minuscules non accentuées"),
        ("ops", "est réservé"),
        ("9lives", "commencer par une lettre"),
    ],
)
def test_invalid_slug_is_refused_in_french_and_keeps_the_input(console, slug, message):
    response = console.post("/nouvelle-commune/", {**FORM, "slug": slug})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    # Nothing the operator typed is lost
    assert 'value="Saint-Brieuc"' in html
    assert 'value="enfance@saint-brieuc.example"' in html
    assert 'value="payfip" id="id_payment_modes_4" checked' in html
    assert not Commune.objects.filter(name="Saint-Brieuc").exists()


def test_duplicate_slug_is_refused(console, commune_alpha):
    response = console.post("/nouvelle-commune/", {**FORM, "slug": "alpha"})
    assert response.status_code == 400
    assert "Une commune utilise déjà l&#x27;identifiant « alpha »" in response.content.decode()


def test_duplicate_domain_is_refused(console, commune_alpha):
    # Given another commune that already answers at saint-brieuc.localhost
    Domain.objects.create(domain="saint-brieuc.localhost", tenant=commune_alpha)
    response = console.post("/nouvelle-commune/", FORM)
    assert response.status_code == 400
    assert "Le domaine « saint-brieuc.localhost » est déjà utilisé." in response.content.decode()
    assert not Commune.objects.filter(slug="saint-brieuc").exists()


def test_service_rule_errors_are_shown(console):
    # SEPA with prepayment is a rule of the service, not of the form
    data = {**FORM, "billing_mode": "prepaid", "payment_modes": ["sepa"]}
    response = console.post("/nouvelle-commune/", data)
    assert response.status_code == 400
    assert "Le prélèvement SEPA ne s&#x27;applique pas au prépaiement." in response.content.decode()


def test_missing_fields_and_bad_colour_are_field_errors(console):
    response = console.post("/nouvelle-commune/", {"slug": "x", "brand_colour": "rouge"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in html
    assert "Couleur au format #RRVVBB" in html


# --- the job page -----------------------------------------------------------------------


def test_job_page_polls_while_running(console, register_commune):
    job = register_commune("gamma")
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, step="Copie du modèle de base de données", progress=20
    )
    html = console.get(f"/creations/{job.pk}/").content.decode()
    assert "Copie du modèle de base de données" in html
    assert 'aria-valuenow="20"' in html
    assert 'hx-trigger="every 1s"' in html
    # The htmx poll gets only the partial
    partial = console.get(f"/creations/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="job-status"')
    assert "<nav" not in partial


def test_finished_job_stops_polling_and_links_to_the_commune(console, register_commune):
    job = register_commune("gamma")
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, progress=100, step="Commune prête"
    )
    html = console.get(f"/creations/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html
    assert "La commune est prête" in html
    assert "http://gamma.localhost:8000/gestion/" in html


def test_failed_job_shows_error_and_can_be_retried(console, register_commune):
    job = register_commune("gamma")
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, step="Échec de la création", error="OperationalError: disque plein"
    )
    html = console.get(f"/creations/{job.pk}/").content.decode()
    assert "OperationalError: disque plein" in html
    assert "Relancer" in html
    response = console.post(f"/creations/{job.pk}/relancer/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    # Retrying a job that is not failed is refused with a message, not an error page
    response = console.post(f"/creations/{job.pk}/relancer/", follow=True)
    assert "Seule une création échouée peut être relancée." in response.content.decode()


def test_unknown_job_is_404(console):
    assert console.get("/creations/999999/").status_code == 404


# --- status actions -----------------------------------------------------------------------


def test_suspend_then_reactivate_with_confirmation(console, register_commune):
    register_commune("gamma", status=CommuneStatus.ACTIVE)
    confirm = console.get("/communes/gamma/suspendre/")
    assert "page de maintenance" in confirm.content.decode()
    assert Commune.objects.get(slug="gamma").status == CommuneStatus.ACTIVE  # GET changes nothing
    assert console.post("/communes/gamma/suspendre/").status_code == 302
    assert Commune.objects.get(slug="gamma").status == CommuneStatus.SUSPENDED
    assert console.post("/communes/gamma/reactiver/").status_code == 302
    assert Commune.objects.get(slug="gamma").status == CommuneStatus.ACTIVE
    actions = OperatorAction.objects.filter(commune_slug="gamma").values_list("action", flat=True)
    assert {"commune.suspend", "commune.reactivate"} <= set(actions)


def test_transition_not_allowed_is_a_french_400(console, register_commune):
    register_commune("gamma")  # still being created
    response = console.post("/communes/gamma/suspendre/")
    assert response.status_code == 400
    assert "Seule une commune active peut être suspendue." in response.content.decode()
    response = console.post("/communes/gamma/reactiver/")
    assert "Seule une commune suspendue peut être réactivée." in response.content.decode()


def test_unknown_action_and_unknown_commune_are_404(console, commune_alpha):
    assert console.post("/communes/alpha/exploser/").status_code == 404
    assert console.post("/communes/inconnue/suspendre/").status_code == 404


@pytest.fixture
def fake_backup(monkeypatch):
    """Stand in for the final backup (pg_dump + S3 upload are tested in tests/backups)."""
    outcome = {"succeeded": True, "calls": []}

    def backup_commune(*, commune, reason="manual"):
        outcome["calls"].append((commune.slug, reason))
        if not outcome["succeeded"]:
            return BackupRecord.objects.create(
                commune=commune, commune_slug=commune.slug, schema_name=commune.schema_name,
                reason=reason, status=BackupStatus.FAILED, error="Stockage S3 injoignable.",
            )
        return types.SimpleNamespace(succeeded=True)

    import backups.services

    monkeypatch.setattr(backups.services, "backup_commune", backup_commune)
    assert sys.modules["backups.services"].backup_commune is backup_commune
    return outcome


def test_archive_takes_a_final_backup_first(console, register_commune, fake_backup):
    register_commune("gamma", status=CommuneStatus.SUSPENDED)
    assert "sauvegarde finale" in console.get("/communes/gamma/archiver/").content.decode()
    assert console.post("/communes/gamma/archiver/").status_code == 302
    assert fake_backup["calls"] == [("gamma", "archive")]
    assert Commune.objects.get(slug="gamma").status == CommuneStatus.ARCHIVED


def test_archive_is_cancelled_when_the_backup_fails(console, register_commune, fake_backup):
    register_commune("gamma", status=CommuneStatus.ACTIVE)
    fake_backup["succeeded"] = False
    response = console.post("/communes/gamma/archiver/")
    assert response.status_code == 400
    assert "La sauvegarde finale a échoué : archivage annulé." in response.content.decode()
    assert "Cause : Stockage S3 injoignable." in response.content.decode()
    assert Commune.objects.get(slug="gamma").status == CommuneStatus.ACTIVE


def test_archive_of_a_commune_being_created_is_refused(console, register_commune, fake_backup):
    register_commune("gamma")
    response = console.post("/communes/gamma/archiver/")
    assert response.status_code == 400
    assert "Seule une commune active ou suspendue peut être archivée." in response.content.decode()
    assert fake_backup["calls"] == []


def test_delete_needs_archive_and_the_typed_slug(console, register_commune):
    register_commune("gamma", status=CommuneStatus.ACTIVE)
    response = console.post("/communes/gamma/supprimer/", {"confirmation": "gamma"})
    assert response.status_code == 400
    assert "Archivez la commune avant de supprimer ses données." in response.content.decode()

    Commune.objects.filter(slug="gamma").update(status=CommuneStatus.ARCHIVED)
    response = console.post("/communes/gamma/supprimer/", {"confirmation": "gama"})
    assert response.status_code == 400
    assert "Tapez « gamma » pour confirmer la suppression." in response.content.decode()
    assert 'value="gama"' in response.content.decode()
    assert Commune.objects.filter(slug="gamma").exists()

    response = console.post("/communes/gamma/supprimer/", {"confirmation": "gamma"})
    assert response.status_code == 302
    assert not Commune.objects.filter(slug="gamma").exists()
    assert OperatorAction.objects.filter(action="commune.delete", commune_slug="gamma").exists()


# --- the commune page and its domains -------------------------------------------------------


def test_commune_page_shows_fields_links_jobs_and_audit(console, commune_alpha):
    html = console.get("/communes/alpha/").content.decode()
    assert "Alphaville" in html
    assert "22113" in html
    assert "alpha.localhost" in html
    assert "http://alpha.localhost:8000/gestion/" in html
    assert "Restauration scolaire" in html  # modules in French
    assert "Suspendre" in html and "Archiver" in html
    assert "Supprimer les données" not in html  # only once archived
    assert "Terminée" in html  # its provisioning job


def test_add_and_remove_a_secondary_domain(console, commune_alpha):
    response = console.post("/communes/alpha/domaines/", {"hostname": "Cantine.Alpha.example."})
    assert response.status_code == 302
    domain = Domain.objects.get(domain="cantine.alpha.example")
    assert domain.tenant_id == commune_alpha.pk and not domain.is_primary
    response = console.post(f"/communes/alpha/domaines/{domain.pk}/supprimer/")
    assert response.status_code == 302
    assert not Domain.objects.filter(pk=domain.pk).exists()
    actions = OperatorAction.objects.filter(commune_slug="alpha").values_list("action", flat=True)
    assert {"domain.add", "domain.remove"} <= set(actions)


def test_domain_errors_are_french_400s(console, commune_alpha, commune_beta):
    response = console.post("/communes/alpha/domaines/", {"hostname": "beta.localhost"})
    assert response.status_code == 400
    assert "Le domaine « beta.localhost » est déjà utilisé." in response.content.decode()
    response = console.post("/communes/alpha/domaines/", {"hostname": "pas un domaine"})
    assert response.status_code == 400
    assert "n&#x27;est pas un nom de domaine valide" in response.content.decode()
    response = console.post("/communes/alpha/domaines/", {"hostname": "ops.localhost"})
    assert "est réservé à la plateforme" in response.content.decode()


def test_primary_domain_cannot_be_removed(console, commune_alpha):
    primary = Domain.objects.get(tenant=commune_alpha, is_primary=True)
    response = console.post(f"/communes/alpha/domaines/{primary.pk}/supprimer/", follow=True)
    assert "Le domaine principal ne peut pas être supprimé." in response.content.decode()
    assert Domain.objects.filter(pk=primary.pk).exists()


def test_removing_another_communes_domain_is_404(console, commune_alpha, commune_beta):
    beta_domain = Domain.objects.get(tenant=commune_beta, is_primary=True)
    assert console.post(f"/communes/alpha/domaines/{beta_domain.pk}/supprimer/").status_code == 404
