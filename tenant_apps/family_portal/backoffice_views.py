"""Back office: the families' change requests (accept / refuse), and the administrator's
choice of which fields parents may see and change."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts.access import acting_user, administrator_required, editor_required
from tenant_apps.family_portal import selectors, services
from tenant_apps.family_portal.forms import RefuseForm
from tenant_apps.family_portal.policy import CATEGORIES, FIELDS, EditMode
from tenant_apps.family_portal.selectors import RequestFilter

ENTITY_TITLES = {"household": "Foyer", "guardian": "Responsables légaux", "child": "Enfants"}


def _back(request: HttpRequest) -> HttpResponse:
    status = request.POST.get("filtre", "")
    query = f"?etat={status}" if status in dict(RequestFilter.CHOICES) else ""
    return redirect(f"/gestion/demandes/{query}")


@editor_required
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("etat", RequestFilter.PENDING)
    if status not in dict(RequestFilter.CHOICES):
        status = RequestFilter.PENDING
    term = request.GET.get("q", "").strip()[:100]
    return render(request, "family_portal/backoffice/requests.html", {
        "rows": selectors.change_request_list(status=status, term=term),
        "status": status, "term": term, "filters": RequestFilter.CHOICES,
        "pending_count": selectors.pending_count(),
        "refuse_form": RefuseForm(),
    })


@editor_required
@require_POST
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = selectors.change_request_get(pk=pk)
    try:
        services.change_request_accept(change_request=change_request,
                                       acting_user=acting_user(request))
    except ValidationError as error:
        messages.error(request, "La demande n'est pas appliquée : " + " ".join(error.messages))
    else:
        messages.success(request, f"Demande acceptée : la fiche de {change_request.household} "
                                  "est modifiée et la famille est prévenue par courriel.")
    return _back(request)


@editor_required
@require_POST
def request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = selectors.change_request_get(pk=pk)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez le motif du refus : la famille le recevra.")
        return _back(request)
    try:
        services.change_request_refuse(change_request=change_request,
                                       reason=form.cleaned_data["reason"],
                                       acting_user=acting_user(request))
    except ValidationError as error:
        messages.error(request, "La demande n'est pas refusée : " + " ".join(error.messages))
    else:
        messages.success(request, "Demande refusée : la famille est prévenue par courriel, "
                                  "avec le motif.")
    return _back(request)


@administrator_required
@require_http_methods(["GET", "POST"])
def policy_page(request: HttpRequest) -> HttpResponse:
    policy = selectors.edit_policy()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        submitted = {f.key: request.POST.get(f.key, policy[f.key]) for f in FIELDS}
        try:
            changed = services.edit_policy_update(modes=submitted,
                                                  acting_user=acting_user(request))
        except ValidationError as error:
            errors = error.message_dict
            policy = {**policy, **submitted}
            messages.error(request, "Certains choix sont impossibles : rien n'a été enregistré.")
        else:
            messages.success(request, f"Choix enregistrés : {changed} champ(s) modifié(s)."
                             if changed else "Aucun changement à enregistrer.")
            return redirect("/gestion/parametres/portail/champs/")
    groups = []
    for entity in ("household", "guardian", "child"):
        cats = []
        for cat in (c for c in CATEGORIES if c.entity == entity):
            rows = [{"field": f, "mode": policy[f.key], "errors": errors.get(f.key, []),
                     "cells": [(m, EditMode.LABELS[m], m in f.modes) for m in EditMode.ALL]}
                    for f in FIELDS if f.entity == entity and f.category == cat.slug]
            cats.append({"category": cat, "rows": rows})
        groups.append({"title": ENTITY_TITLES[entity], "categories": cats})
    return render(request, "family_portal/backoffice/policy.html",
                  {"groups": groups, "modes": EditMode.CHOICES},
                  status=400 if errors else 200)
