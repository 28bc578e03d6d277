"""Back-office pages of caterer orders: thin edges over selectors and services."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import (
    acting_user,
    administrator_required,
    agent_required,
    can_edit,
    editor_required,
)
from tenant_apps.accounts.models import Role
from tenant_apps.backoffice.form_styles import add_service_errors
from tenant_apps.catering import documents, order_rules, selectors, services
from tenant_apps.catering.forms import CatererForm
from tenant_apps.catering.models import Caterer

PAST_DAYS = 7
AHEAD_DAYS = 14


@agent_required
def orders_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    orders = selectors.orders_list(start=today - timedelta(days=PAST_DAYS),
                                   end=today + timedelta(days=AHEAD_DAYS))
    return render(request, "catering/orders.html", {
        "today": today,
        "upcoming": [o for o in orders if o.day >= today],
        "past": [o for o in reversed(orders) if o.day < today],
        "forecasts": selectors.forecast(start=today, days=7, now=timezone.now()),
        "unordered": selectors.unordered_meals(start=today, days=7),
        "diet_labels": [order_rules.DIET_LABELS[d] for d in order_rules.DIETS],
        "has_caterers": Caterer.objects.exists(),
        "can_edit": can_edit(request.user),
    })


@agent_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(pk=pk)
    versions = list(order.versions.all())
    current = selectors.order_counts_now(caterer=order.caterer, day=order.day)
    pending = []
    if versions:
        pending = order_rules.diff_lines(
            order_rules.order_diff(selectors.version_counts(versions[-1]), current)
        )
    return render(request, "catering/order_detail.html", {
        "order": order,
        "versions": [(v, documents.document_context(v)) for v in reversed(versions)],
        "pending": [(key, delta, order_rules.DIET_LABELS.get(key.diet, key.diet))
                    for key, delta in pending],
        "can_edit": can_edit(request.user),
    })


@require_POST
@editor_required
def order_resend_action(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(pk=pk)
    try:
        services.caterer_order_resend(order=order, acting_user=acting_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"La commande est renvoyée à {', '.join(order.caterer.emails)}.")
    return redirect("backoffice:catering:order", pk=order.pk)


@require_POST
@editor_required
def order_check_action(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(pk=pk)
    outcome = services.caterer_order_compute(
        caterer=order.caterer, day=order.day, acting_user=acting_user(request),
        reason="vérification demandée par un agent",
    )
    if outcome.version is None:
        messages.info(request, "Rien n'a changé depuis le dernier envoi : aucun rectificatif.")
    else:
        messages.success(request, f"Rectificatif n° {outcome.version.number - 1} envoyé au "
                                  "prestataire.")
    return redirect("backoffice:catering:order", pk=order.pk)


@agent_required
def caterers_page(request: HttpRequest) -> HttpResponse:
    return render(request, "catering/caterers.html", {
        "caterers": selectors.caterers_list(),
        "can_admin": getattr(request.user, "role", None) == Role.ADMINISTRATOR,
    })


def _caterer_form_page(request: HttpRequest, *, caterer: Caterer | None) -> HttpResponse:
    schools = list(selectors.site_choices())
    if caterer is not None:
        known = {s.pk for s in schools}
        schools += [link.school for link in caterer.site_links.all() if link.school_id not in known]
    initial: dict[str, Any] = {}
    if caterer is not None:
        initial = {
            "name": caterer.name, "emails": ", ".join(caterer.emails),
            "cutoff_time": caterer.cutoff_time, "cutoff_days_before": caterer.cutoff_days_before,
            "cutoff_day_count": caterer.cutoff_day_count, "active": caterer.active,
            "services": [s.pk for s in caterer.services.all()],
        }
        for link in caterer.site_links.all():
            initial[f"site_{link.school_id}"] = True
            initial[f"adults_{link.school_id}"] = link.adult_meals
    form = CatererForm(request.POST or None, initial=initial, schools=schools,
                       services=selectors.meal_service_choices())
    if caterer is None:
        del form.fields["active"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        fields = {name: data[name] for name in services.CATERER_FIELDS if name in data}
        try:
            saved = services.caterer_save(
                caterer=caterer, sites=form.chosen_sites(), services=data["services"],
                acting_user=acting_user(request), **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Prestataire « {saved.name} » enregistré.")
            return redirect(reverse("backoffice:catering:caterers"))
    status = 400 if request.method == "POST" else 200
    return render(request, "catering/caterer_form.html", {"form": form, "caterer": caterer},
                  status=status)


@administrator_required
def caterer_create_page(request: HttpRequest) -> HttpResponse:
    return _caterer_form_page(request, caterer=None)


@administrator_required
def caterer_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _caterer_form_page(request, caterer=selectors.caterer_get(pk=pk))
