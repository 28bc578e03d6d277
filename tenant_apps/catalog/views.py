"""Back-office pages of the catalog: thin edges over selectors (reads) and services."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import agent_required, can_edit, editor_required
from tenant_apps.backoffice.form_styles import add_service_errors
from tenant_apps.catalog import selectors, services
from tenant_apps.catalog.forms import RegistrationFilterForm, ServiceForm
from tenant_apps.catalog.models import Service
from tenant_apps.schooling import selectors as schooling_selectors


@agent_required
def index(request: HttpRequest) -> HttpResponse:
    year = schooling_selectors.school_year_current()
    return render(request, "catalog/index.html", {
        "services": selectors.services_list(school_year=year),
        "year": year,
        "can_edit": can_edit(request.user),
    })


def _service_form_page(
    request: HttpRequest, *, service: Service | None
) -> HttpResponse:
    current_schools = [s.pk for s in service.schools.all()] if service else []
    initial: dict[str, Any] = {}
    if service is not None:
        initial = {name: getattr(service, name) for name in services.SERVICE_FIELDS}
        initial["weekdays"] = [str(d) for d in service.weekdays]
        initial["schools"] = current_schools
    form = ServiceForm(request.POST or None, initial=initial,
                       current_school_ids=current_schools)
    if service is None:
        del form.fields["active"]
    if request.method == "POST" and form.is_valid():
        try:
            if service is None:
                service = services.service_create(**form.cleaned_data, actor=request.user)
                messages.success(request, f"Prestation « {service.name} » créée.")
            else:
                service = services.service_update(
                    service=service, **form.cleaned_data, actor=request.user
                )
                messages.success(request, f"Prestation « {service.name} » enregistrée.")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("backoffice:catalog:index")
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/service_form.html", {
        "form": form, "service": service,
    }, status=status)


@editor_required
def service_create_page(request: HttpRequest) -> HttpResponse:
    return _service_form_page(request, service=None)


@editor_required
def service_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _service_form_page(request, service=selectors.service_get(pk=pk))


@agent_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.service_get(pk=pk)
    filters = RegistrationFilterForm(request.GET or None)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    year = schooling_selectors.school_year_chosen(str(wanted.get("annee") or ""))
    context: dict[str, Any] = {
        "service": service, "year": year, "filters": wanted,
        "years": schooling_selectors.school_years_list(),
        "can_edit": can_edit(request.user),
    }
    if year is not None:
        term = wanted.get("q") or ""
        registrations = list(selectors.registrations_list(
            service=service, school_year=year, school_id=wanted.get("ecole"),
            class_id=wanted.get("classe"), term=term,
        ))
        add_term = request.GET.get("chercher", "").strip()
        add_class = request.GET.get("depuis_classe", "")
        context |= {
            "registrations": registrations,
            "registered_total": len({r.child_id for r in registrations}),
            "schools": schooling_selectors.schools_list(school_year=year),
            "classes": schooling_selectors.classes_list(school_year=year),
            "add_term": add_term,
            "add_class": int(add_class) if add_class.isdigit() else None,
            "candidates": selectors.registration_candidates(
                service=service, school_year=year, term=add_term,
                class_id=int(add_class) if add_class.isdigit() else None,
            ) if can_edit(request.user) else [],
        }
    return render(request, "catalog/service_detail.html", context)


@require_POST
@editor_required
def registration_create_action(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.service_get(pk=pk)
    year = schooling_selectors.school_year_chosen(request.POST.get("annee"))
    back = reverse("backoffice:catalog:service", args=[service.pk])
    ids = [int(v) for v in request.POST.getlist("membership") if v.isdigit()]
    memberships = selectors.memberships_get(pks=ids)
    if year is None or not memberships:
        messages.error(request, "Cochez au moins un enfant à inscrire.")
        return redirect(back)
    try:
        created, skipped = services.registration_create_many(
            service=service, school_year=year, memberships=memberships, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages) + " Aucune inscription enregistrée.")
        return redirect(back)
    plural = "s" if len(created) > 1 else ""
    text = f"{len(created)} inscription{plural} enregistrée{plural} pour {year.label}."
    if skipped:
        plural = "s" if skipped > 1 else ""
        text += f" {skipped} déjà inscrit{plural}, inchangé{plural}."
    messages.success(request, text)
    return redirect(f"{back}?annee={year.pk}")


@require_POST
@editor_required
def registration_delete_action(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_get(pk=pk)
    service_pk, year_pk = registration.service_id, registration.school_year_id
    child, service_name = registration.child, registration.service.name
    services.registration_delete(registration=registration, actor=request.user)
    messages.success(request, f"{child} est désinscrit(e) de « {service_name} ».")
    return redirect(f"{reverse('backoffice:catalog:service', args=[service_pk])}?annee={year_pk}")
