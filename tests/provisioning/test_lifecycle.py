"""Provisioning end to end in this process: success, a failure half way that leaves
nothing behind, and the retry; the command-line entry points."""

import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_exists

from provisioning.models import JobStatus
from provisioning.services import commune_create, provisioning_job_retry, provisioning_job_run
from tenant_apps.accounts.models import PasswordToken, Role, User
from tenant_apps.commune_settings.models import CommuneSettings
from tenant_apps.outbox.models import OutboxMessage
from tenants.models import Commune, CommuneStatus
from tests.conftest import inside

pytestmark = pytest.mark.django_db


def _create(slug: str, **extra):
    return commune_create(
        actor=None,
        name="Tréguier",
        slug=slug,
        insee_code="22362",
        contact_email="mairie@example.test",
        admin_email="Admin@Example.test",
        dispatch=False,
        **extra,
    )


def test_job_clones_seeds_invites_and_activates():
    slug = f"p-{uuid.uuid4().hex[:6]}"
    job = provisioning_job_run(job_id=_create(slug).pk)
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    commune = Commune.objects.get(slug=slug)
    assert commune.status == CommuneStatus.ACTIVE
    assert commune.domains.get().domain == f"{slug}.localhost"
    with inside(commune):
        admin = User.objects.get()
        assert (admin.email, admin.role) == ("admin@example.test", Role.ADMINISTRATOR)
        assert not admin.has_usable_password()
        assert PasswordToken.objects.filter(user=admin, used_at__isnull=True).count() == 1
        assert CommuneSettings.objects.get().display_name == "Tréguier"
        invitation = OutboxMessage.objects.get()
        assert invitation.recipients == ["admin@example.test"]
        assert f"http://{slug}.localhost:8000/compte/mot-de-passe/" in invitation.body_text


def test_failure_half_way_leaves_nothing_and_retry_succeeds(monkeypatch):
    slug = f"p-{uuid.uuid4().hex[:6]}"
    job = _create(slug)

    def broken_seed(commune, job):
        raise RuntimeError("disque plein")

    import provisioning.services as services

    real_seed = services._seed_commune_schema
    monkeypatch.setattr(services, "_seed_commune_schema", broken_seed)
    failed = provisioning_job_run(job_id=job.pk)
    assert failed.status == JobStatus.FAILED
    assert "disque plein" in failed.error
    commune = Commune.objects.get(slug=slug)
    assert commune.status == CommuneStatus.FAILED
    assert not schema_exists(commune.schema_name)  # the clone was rolled back too

    monkeypatch.setattr(services, "_seed_commune_schema", real_seed)
    provisioning_job_retry(actor=None, job_id=job.pk, dispatch=False)
    done = provisioning_job_run(job_id=job.pk)
    assert done.status == JobStatus.SUCCEEDED
    assert Commune.objects.get(slug=slug).status == CommuneStatus.ACTIVE


def test_only_failed_jobs_can_be_retried():
    job = provisioning_job_run(job_id=_create(f"p-{uuid.uuid4().hex[:6]}").pk)
    with pytest.raises(Exception, match="Seule une création échouée"):
        provisioning_job_retry(actor=None, job_id=job.pk, dispatch=False)


@pytest.mark.parametrize(
    ("slug", "insee", "message"),
    [
        ("Bad Slug", "22113", "lettres minuscules"),
        ("alpha", "22113", "déjà l'identifiant"),
        ("ops", "22113", "réservé"),
        ("fine-slug", "123", "code INSEE"),
    ],
)
def test_command_refuses_bad_input_in_french(slug, insee, message, commune_alpha):
    with pytest.raises(CommandError, match=message):
        call_command(
            "provision_commune",
            slug=slug,
            name="X",
            insee=insee,
            contact_email="a@example.test",
            admin_email="b@example.test",
        )


def test_command_provisions(capsys):
    slug = f"cmd-{uuid.uuid4().hex[:6]}"
    call_command(
        "provision_commune",
        slug=slug,
        name="Paimpol",
        insee="22162",
        contact_email="a@example.test",
        admin_email="b@example.test",
        billing_mode="perception",
    )
    assert "Commune « Paimpol » créée" in capsys.readouterr().out
    commune = Commune.objects.get(slug=slug)
    assert (commune.status, commune.billing_mode) == (CommuneStatus.ACTIVE, "perception")


def test_migrate_communes_skips_up_to_date_schemas(capsys, commune_alpha):
    call_command("migrate_communes", jobs=1)
    out = capsys.readouterr().out
    assert "0 migrés" in out and "déjà à jour" in out
