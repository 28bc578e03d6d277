"""Operators' console (ops host, public schema): thin views over provisioning services."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from provisioning.models import JobStatus
from provisioning.payfip import commune_payfip_get
from provisioning.services import (
    commune_archive,
    commune_create,
    commune_delete,
    commune_reactivate,
    commune_suspend,
    domain_add,
    domain_remove,
    provisioning_job_retry,
)
from shared_apps.announcements.models import Announcement
from shared_apps.announcements.services import announcement_create, announcement_end
from shared_apps.console import selectors
from shared_apps.console.forms import (
    AnnouncementForm,
    CommuneCreateForm,
    CommuneDeleteForm,
    DomainAddForm,
    PayfipForm,
    add_service_error,
)
from tenant_apps.accounts.access import operator_required
from tenant_apps.accounts.models import Role
from tenant_apps.accounts.views import login_page, logout_view
from tenants.models import Commune, CommuneStatus, Module, PaymentMode
from tenants.selectors import commune_url


def console_login(request: HttpRequest) -> HttpResponse:
    return login_page(request, template="ops/login.html", roles={Role.OPERATOR}, default_next="/")


def console_logout(request: HttpRequest) -> HttpResponse:
    return logout_view(request)


def _commune_or_404(slug: str) -> Commune:
    commune = selectors.commune_get(slug=slug)
    if commune is None:
        raise Http404("Commune inconnue.")
    return commune


# --- fleet and creation ---------------------------------------------------------------------


@operator_required
def fleet(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    status = request.GET.get("etat", "")
    if status not in CommuneStatus.values:
        status = ""
    overview = selectors.fleet_overview(search=search, status=status)
    return render(
        request, "ops/fleet.html", {"overview": overview, "search": search, "status": status}
    )


@operator_required
def commune_new(request: HttpRequest) -> HttpResponse:
    form = CommuneCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = commune_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Création de « {job.commune.name} » lancée.")
            return redirect("console:job", job_id=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "ops/commune_new.html", {"form": form}, status=status)


# --- provisioning jobs ------------------------------------------------------------------------


@operator_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.provisioning_job_get(job_id=job_id)
    if job is None:
        raise Http404("Création inconnue.")
    context = {
        "job": job,
        "finished": job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED),
        "portal_url": commune_url(job.commune, "/"),
        "backoffice_url": commune_url(job.commune, "/gestion/"),
    }
    template = "ops/_job_status.html" if request.htmx else "ops/job.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@operator_required
@require_POST
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.provisioning_job_get(job_id=job_id)
    if job is None:
        raise Http404("Création inconnue.")
    try:
        provisioning_job_retry(actor=request.user, job_id=job.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Création relancée.")
    return redirect("console:job", job_id=job.pk)


# --- one commune -----------------------------------------------------------------------------


def _detail_context(commune: Commune, domain_form: DomainAddForm | None = None) -> dict[str, Any]:
    payfip = commune_payfip_get(commune=commune)
    payfip_form = PayfipForm(initial=payfip.__dict__ if payfip else None)
    return {
        "payfip": payfip,
        "payfip_form": payfip_form,
        "detail": selectors.commune_detail(commune=commune),
        "commune_obj": commune,
        "domain_form": domain_form or DomainAddForm(),
        "portal_url": commune_url(commune, "/"),
        "backoffice_url": commune_url(commune, "/gestion/"),
        "statuses": CommuneStatus,
        "payment_labels": _labels(PaymentMode, commune.payment_modes),
        "module_labels": _labels(Module, commune.modules),
    }


def _labels(choices: type[models.TextChoices], values: list[str]) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(value, value)) for value in values]


@operator_required
def commune_detail(request: HttpRequest, slug: str) -> HttpResponse:
    commune = _commune_or_404(slug)
    return render(request, "ops/commune_detail.html", _detail_context(commune))


@operator_required
@require_POST
def commune_domain_add(request: HttpRequest, slug: str) -> HttpResponse:
    commune = _commune_or_404(slug)
    form = DomainAddForm(request.POST)
    if form.is_valid():
        try:
            domain = domain_add(
                actor=request.user, commune=commune, hostname=form.cleaned_data["hostname"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Domaine « {domain.domain} » ajouté.")
            return redirect("console:commune", slug=commune.slug)
    return render(request, "ops/commune_detail.html", _detail_context(commune, form), status=400)


@operator_required
@require_POST
def commune_domain_remove(request: HttpRequest, slug: str, domain_id: int) -> HttpResponse:
    commune = _commune_or_404(slug)
    domain = commune.domains.filter(pk=domain_id).first()
    if domain is None:
        raise Http404("Domaine inconnu.")
    try:
        domain_remove(actor=request.user, domain=domain)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Domaine « {domain.domain} » supprimé.")
    return redirect("console:commune", slug=commune.slug)


StatusAction = Callable[..., Commune]

STATUS_ACTIONS: dict[str, dict[str, Any]] = {
    "suspendre": {
        "service": commune_suspend,
        "title": "Suspendre la commune",
        "button": "Suspendre",
        "button_class": "btn-warning",
        "explanation": "Les familles et les agents verront une page de maintenance (HTTP 503) "
        "jusqu'à la réactivation. Aucune donnée n'est modifiée.",
        "done": "Commune suspendue.",
    },
    "reactiver": {
        "service": commune_reactivate,
        "title": "Réactiver la commune",
        "button": "Réactiver",
        "button_class": "btn-success",
        "explanation": "Le portail des familles et la gestion redeviennent accessibles.",
        "done": "Commune réactivée.",
    },
    "archiver": {
        "service": commune_archive,
        "title": "Archiver la commune",
        "button": "Sauvegarder puis archiver",
        "button_class": "btn-danger",
        "explanation": "Une sauvegarde finale est prise d'abord ; si elle échoue, rien ne change. "
        "Ensuite la commune est fermée à tous ; ses données restent en base jusqu'à leur "
        "suppression.",
        "done": "Sauvegarde finale prise, commune archivée.",
    },
}


@operator_required
def commune_status_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    """GET: a confirmation page saying what will happen; POST: do it."""
    spec = STATUS_ACTIONS.get(action)
    if spec is None:
        raise Http404("Action inconnue.")
    commune = _commune_or_404(slug)
    error = reason = ""
    if request.method == "POST":
        try:
            spec["service"](actor=request.user, commune=commune)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            attempt = selectors.backup_latest_attempt(commune=commune)
            if action == "archiver" and attempt is not None and not attempt.succeeded:
                reason = attempt.error
        else:
            messages.success(request, spec["done"])
            return redirect("console:commune", slug=commune.slug)
    return render(
        request,
        "ops/commune_confirm.html",
        {"commune_obj": commune, "spec": spec, "error": error, "reason": reason},
        status=400 if error else 200,
    )


@operator_required
def commune_delete_page(request: HttpRequest, slug: str) -> HttpResponse:
    commune = _commune_or_404(slug)
    form = CommuneDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            commune_delete(
                actor=request.user,
                commune=commune,
                confirmation=form.cleaned_data["confirmation"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Les données de « {commune.name} » ont été supprimées.")
            return redirect("console:fleet")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "ops/commune_delete.html", {"commune_obj": commune, "form": form}, status=status
    )


# --- announcements and audit ---------------------------------------------------------------


@operator_required
def announcement_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ops/announcements.html",
        {"announcement_rows": selectors.announcements_list(), "now": timezone.now()},
    )


@operator_required
def announcement_new(request: HttpRequest) -> HttpResponse:
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            announcement_create(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                all_communes=data["all_communes"],
                communes=list(data["communes"]),
                show_on_portal=data["show_on_portal"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Annonce publiée.")
            return redirect("console:announcements")
    status = 400 if request.method == "POST" else 200
    return render(request, "ops/announcement_new.html", {"form": form}, status=status)


@operator_required
@require_POST
def announcement_end_now(request: HttpRequest, announcement_id: int) -> HttpResponse:
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None:
        raise Http404("Annonce inconnue.")
    try:
        announcement_end(actor=request.user, announcement=announcement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Annonce « {announcement.title} » terminée.")
    return redirect(reverse("console:announcements"))


@operator_required
def audit_log(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("commune", "")[:40].strip()
    return render(
        request,
        "ops/audit.html",
        {"actions": selectors.operator_actions_recent(commune_slug=slug), "commune_slug": slug},
    )
