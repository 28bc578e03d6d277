"""Commune lifecycle: create (as a job), suspend, reactivate, archive, delete, domains."""

import logging
import re
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from provisioning.models import JobStatus, ProvisioningJob
from provisioning.schemas import schema_clone_from_template, schema_drop, template_schema_ensure
from shared_apps.audit.services import operator_action_record
from tenants.db import use_commune, use_public
from tenants.models import BillingMode, Commune, CommuneStatus, Domain, Module, PaymentMode
from tenants.naming import InvalidSlug, hostname_for, schema_name_for, validate_insee_code
from tenants.selectors import commune_url

logger = logging.getLogger(__name__)
HOSTNAME_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def _check_choices(values: Sequence[str], allowed: Sequence[str], label: str) -> list[str]:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError(f"{label} inconnu(s) : {', '.join(unknown)}.")
    return list(dict.fromkeys(values))


def validate_hostname(hostname: str) -> str:
    hostname = hostname.strip().lower().rstrip(".")
    if not HOSTNAME_RE.match(hostname) and not hostname.endswith(".localhost"):
        raise ValidationError(f"« {hostname} » n'est pas un nom de domaine valide.")
    if hostname in (settings.OPS_HOSTNAME, settings.LEGACY_PARENTS_HOSTNAME):
        raise ValidationError(f"« {hostname} » est réservé à la plateforme.")
    return hostname


@transaction.atomic
def commune_create(
    *,
    actor: Any,
    name: str,
    slug: str,
    insee_code: str,
    contact_email: str,
    admin_email: str,
    admin_name: str = "",
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    billing_mode: str = BillingMode.REGIE,
    payment_modes: Sequence[str] = (),
    modules: Sequence[str] = (Module.CANTINE, Module.PERISCOLAIRE, Module.PORTAL),
    brand_colour: str = "#1d4e89",
    dispatch: bool = True,
) -> ProvisioningJob:
    """Register a commune and its primary domain, and a job to provision its schema.

    With dispatch (the console, the API) a Celery task runs the job once this transaction
    commits and the console follows its progress; without it the caller runs the job
    itself with provisioning_job_run (command line, demo data, tests)."""
    try:
        schema_name = schema_name_for(slug)
        validate_insee_code(insee_code)
    except InvalidSlug as exc:
        raise ValidationError(str(exc)) from exc
    if not name.strip():
        raise ValidationError("Le nom de la commune est obligatoire.")
    if billing_mode not in BillingMode.values:
        raise ValidationError("Mode de facturation inconnu.")
    if billing_mode == BillingMode.PREPAID and PaymentMode.SEPA in payment_modes:
        raise ValidationError("Le prélèvement SEPA ne s'applique pas au prépaiement.")
    hostname = hostname_for(slug, settings.BASE_HOSTNAME)
    if Commune.objects.filter(slug=slug).exists():
        raise ValidationError(f"Une commune utilise déjà l'identifiant « {slug} ».")
    if Domain.objects.filter(domain=hostname).exists():
        raise ValidationError(f"Le domaine « {hostname} » est déjà utilisé.")
    commune = Commune(
        name=name.strip(),
        slug=slug,
        schema_name=schema_name,
        insee_code=insee_code,
        address=address,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        billing_mode=billing_mode,
        payment_modes=_check_choices(payment_modes, PaymentMode.values, "Moyen de paiement"),
        modules=_check_choices(modules, Module.values, "Module"),
        brand_colour=brand_colour,
        status=CommuneStatus.PROVISIONING,
    )
    commune.full_clean(exclude=["schema_name"])
    commune.save()
    Domain.objects.create(domain=hostname, tenant=commune, is_primary=True)
    job = ProvisioningJob.objects.create(
        commune=commune, admin_email=admin_email.strip().lower(), admin_name=admin_name
    )
    operator_action_record(
        actor=actor, action="commune.create", commune_slug=slug, detail={"job": job.pk}
    )
    if dispatch:
        _dispatch(job)
    return job


def _dispatch(job: ProvisioningJob) -> None:
    from provisioning.tasks import run_provisioning_job

    job_id = job.pk
    transaction.on_commit(
        lambda: run_provisioning_job.apply_async(args=[job_id], headers={"_schema_name": "public"})
    )


def _job_progress(job: ProvisioningJob, step: str, progress: int, **extra: Any) -> None:
    ProvisioningJob.objects.filter(pk=job.pk).update(step=step, progress=progress, **extra)


def provisioning_job_run(*, job_id: int) -> ProvisioningJob:
    """Clone the template into the commune's schema, seed its settings and first
    administrator, invite them, and mark the commune active, all in one transaction.

    A failure at any point rolls everything back (PostgreSQL DDL is transactional), so
    the job can simply be retried."""
    use_public()
    job = ProvisioningJob.objects.select_related("commune").get(pk=job_id)
    if job.status == JobStatus.SUCCEEDED:
        return job
    started = time.monotonic()
    _job_progress(
        job,
        "Copie du modèle de base de données",
        20,
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        error="",
    )
    commune = job.commune
    try:
        template_schema_ensure()
        with transaction.atomic():
            schema_clone_from_template(commune.schema_name)
            _seed_commune_schema(commune, job)
            use_public()
            Commune.objects.filter(pk=commune.pk).update(
                status=CommuneStatus.ACTIVE, status_changed_at=timezone.now()
            )
    except Exception as exc:
        use_public()
        logger.exception("provisioning failed for %s", commune.slug)
        _job_progress(
            job,
            "Échec de la création",
            0,
            status=JobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        Commune.objects.filter(pk=commune.pk).update(status=CommuneStatus.FAILED)
        job.refresh_from_db()
        return job
    _job_progress(
        job,
        "Commune prête ; invitation envoyée à l'administrateur",
        100,
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        duration_s=time.monotonic() - started,
    )
    job.refresh_from_db()
    return job


def _seed_commune_schema(commune: Commune, job: ProvisioningJob) -> None:
    """Rows every new commune starts with, written inside its schema."""
    from tenant_apps.accounts.models import Role
    from tenant_apps.accounts.services import user_create, user_invite
    from tenant_apps.commune_settings.models import CommuneSettings

    use_commune(commune)
    CommuneSettings.objects.create(
        display_name=commune.name,
        address=commune.address,
        phone=commune.contact_phone,
        email=commune.contact_email,
        brand_colour=commune.brand_colour,
        portal_welcome_text=f"Bienvenue sur le portail des familles de {commune.name}.",
    )
    admin = user_create(email=job.admin_email, role=Role.ADMINISTRATOR, full_name=job.admin_name)
    user_invite(user=admin, site_url=commune_url(commune, "/"), commune_name=commune.name)


@transaction.atomic
def provisioning_job_retry(*, actor: Any, job_id: int, dispatch: bool = True) -> ProvisioningJob:
    job = ProvisioningJob.objects.select_for_update().get(pk=job_id)
    if job.status != JobStatus.FAILED:
        raise ValidationError("Seule une création échouée peut être relancée.")
    job.status, job.progress, job.step = JobStatus.PENDING, 0, "Relance demandée"
    job.save(update_fields=["status", "progress", "step"])
    Commune.objects.filter(pk=job.commune_id).update(status=CommuneStatus.PROVISIONING)
    operator_action_record(actor=actor, action="commune.retry", commune_slug=job.commune.slug)
    if dispatch:
        _dispatch(job)
    return job


def _transition(
    *, actor: Any, commune: Commune, allowed_from: set[str], to: str, action: str, message: str
) -> Commune:
    with transaction.atomic():
        locked = Commune.objects.select_for_update().get(pk=commune.pk)
        if locked.status not in allowed_from:
            raise ValidationError(message)
        locked.status = to
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at"])
        operator_action_record(actor=actor, action=action, commune_slug=locked.slug)
    return locked


def commune_suspend(*, actor: Any, commune: Commune) -> Commune:
    """Parents and agents then see a French maintenance page (HTTP 503)."""
    return _transition(
        actor=actor,
        commune=commune,
        allowed_from={CommuneStatus.ACTIVE},
        to=CommuneStatus.SUSPENDED,
        action="commune.suspend",
        message="Seule une commune active peut être suspendue.",
    )


def commune_reactivate(*, actor: Any, commune: Commune) -> Commune:
    return _transition(
        actor=actor,
        commune=commune,
        allowed_from={CommuneStatus.SUSPENDED},
        to=CommuneStatus.ACTIVE,
        action="commune.reactivate",
        message="Seule une commune suspendue peut être réactivée.",
    )


def commune_archive(*, actor: Any, commune: Commune) -> Commune:
    """Take a final backup, then close the commune to everyone; its schema stays."""
    from backups.services import backup_commune

    if commune.status not in (CommuneStatus.ACTIVE, CommuneStatus.SUSPENDED):
        raise ValidationError("Seule une commune active ou suspendue peut être archivée.")
    record = backup_commune(commune=commune, reason="archive")
    if not record.succeeded:
        raise ValidationError("La sauvegarde finale a échoué : archivage annulé.")
    return _transition(
        actor=actor,
        commune=commune,
        allowed_from={CommuneStatus.ACTIVE, CommuneStatus.SUSPENDED},
        to=CommuneStatus.ARCHIVED,
        action="commune.archive",
        message="Seule une commune active ou suspendue peut être archivée.",
    )


def commune_delete(*, actor: Any, commune: Commune, confirmation: str) -> None:
    """Drop an archived commune's schema and rows; the operator must type its slug."""
    if commune.status not in (CommuneStatus.ARCHIVED, CommuneStatus.FAILED):
        raise ValidationError("Archivez la commune avant de supprimer ses données.")
    if confirmation.strip() != commune.slug:
        raise ValidationError(f"Tapez « {commune.slug} » pour confirmer la suppression.")
    with transaction.atomic():
        schema_drop(commune.schema_name)
        operator_action_record(actor=actor, action="commune.delete", commune_slug=commune.slug)
        Commune.objects.filter(pk=commune.pk).delete()


def domain_add(*, actor: Any, commune: Commune, hostname: str, primary: bool = False) -> Domain:
    hostname = validate_hostname(hostname)
    try:
        with transaction.atomic():
            if primary:
                commune.domains.update(is_primary=False)
            domain = Domain.objects.create(domain=hostname, tenant=commune, is_primary=primary)
            operator_action_record(
                actor=actor,
                action="domain.add",
                commune_slug=commune.slug,
                detail={"domain": hostname},
            )
    except IntegrityError as exc:
        raise ValidationError(f"Le domaine « {hostname} » est déjà utilisé.") from exc
    return domain


@transaction.atomic
def domain_remove(*, actor: Any, domain: Domain) -> None:
    if domain.is_primary:
        raise ValidationError("Le domaine principal ne peut pas être supprimé.")
    operator_action_record(
        actor=actor,
        action="domain.remove",
        commune_slug=domain.tenant.slug,
        detail={"domain": domain.domain},
    )
    domain.delete()
