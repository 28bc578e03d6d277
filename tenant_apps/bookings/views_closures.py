"""Fermetures (closure periods) pages, and the Réservations landing page.

Creating, editing or deleting a closure changes many bookings: the page first shows
what will happen (preview, nothing written), then a second POST with "confirm"."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tenant_apps.accounts.access import acting_user, agent_required, can_edit, editor_required
from tenant_apps.backoffice.form_styles import BootstrapFormMixin, add_service_errors
from tenant_apps.bookings import closures
from tenant_apps.bookings.models import ClosurePeriod
from tenant_apps.bookings.period_form import PeriodForm
from tenant_apps.catalog.models import Service
from tenant_apps.schooling.models import SchoolClass


class ClassesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.school.name} ({obj.school_year.label})"


class ClosureForm(BootstrapFormMixin, PeriodForm):
    field_order = ["label", "starts_on", "ends_on", "services", "classes"]

    label = forms.CharField(label="Libellé", max_length=150,
                            error_messages={"required": "Indiquez un libellé."})
    services = forms.ModelMultipleChoiceField(
        Service.objects.all(), label="Prestations fermées", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins une prestation."},
    )
    classes = ClassesField(
        SchoolClass.objects.select_related("school", "school_year"),
        label="Classes concernées", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins une classe."},
    )


@agent_required
def index(request: HttpRequest) -> HttpResponse:
    links = [
        ("Pointage", reverse("backoffice:bookings:attendance"),
         "Présences et absences du jour, enfant par enfant."),
        ("Effectifs", reverse("backoffice:bookings:headcounts"),
         "Effectifs du jour et de la semaine par prestation et par école."),
        ("Liste d'attente", reverse("backoffice:bookings:waiting"),
         "Enfants en attente d'une place, dans l'ordre."),
        ("Fermetures", reverse("backoffice:bookings:closures"),
         "Périodes où des prestations sont fermées pour des classes."),
        ("Réserver en masse", reverse("backoffice:bookings:mass"),
         "Réserver une prestation pour plusieurs enfants sur une période."),
    ]
    return render(request, "bookings/index.html", {"links": links})


@agent_required
def closure_list(request: HttpRequest) -> HttpResponse:
    return render(request, "bookings/closures_list.html", {
        "closures": closures.closures_list(), "can_edit": can_edit(request.user),
    })


def _closure_get(pk: int) -> ClosurePeriod:
    closure = ClosurePeriod.objects.filter(pk=pk, deleted_at__isnull=True).first()
    if closure is None:
        raise Http404("Fermeture introuvable.")
    return closure


def _closure_form_page(request: HttpRequest, closure: ClosurePeriod | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if closure is not None:
        initial = {"label": closure.label, "starts_on": closure.starts_on,
                   "ends_on": closure.ends_on, "services": list(closure.services.all()),
                   "classes": list(closure.classes.all())}
    form = ClosureForm(request.POST or None, initial=initial)
    context: dict[str, Any] = {"form": form, "closure": closure,
                               "can_edit": can_edit(request.user)}
    if closure is not None:
        context["removals"] = closure.removals.filter(restored_at__isnull=True).count()
    if request.method != "POST":
        return render(request, "bookings/closures_form.html", context)
    if form.is_valid():
        data = form.cleaned_data
        args = {"label": data["label"], "starts_on": data["starts_on"],
                "ends_on": data["ends_on"], "services": list(data["services"]),
                "classes": list(data["classes"])}
        try:
            if request.POST.get("confirm"):
                if closure is None:
                    result = closures.closure_create(**args, actor=acting_user(request))
                    text = f"Fermeture « {result.closure.label} » créée : "
                else:
                    result = closures.closure_update(closure=closure, **args,
                                                     actor=acting_user(request))
                    text = (f"Fermeture « {result.closure.label} » modifiée : "
                            f"{restored_text(result)}, ")
                text += (f"{result.removed} réservation(s) annulée(s), "
                         f"{result.households_notified} famille(s) prévenue(s).")
                messages.success(request, text)
                if result.invoiced:
                    messages.warning(request, (
                        f"{len(result.invoiced)} réservation(s) déjà facturée(s) n'ont pas été "
                        "annulées : à régulariser sur la facturation."))
                return redirect("backoffice:bookings:closures")
            closures.closure_validate(label=args["label"], starts_on=args["starts_on"],
                               ends_on=args["ends_on"], services=args["services"],
                               classes=args["classes"])
            context["effect"] = closures.closure_preview(
                starts_on=args["starts_on"], ends_on=args["ends_on"],
                services=args["services"], classes=args["classes"], closure=closure,
            )
            return render(request, "bookings/closures_form.html", context)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "bookings/closures_form.html", context, status=400)


def restored_text(result: closures.ClosureResult) -> str:
    """ "3 réservations rétablies, 1 en liste d'attente" (the service was full)."""
    booked, waiting = result.restored_booked, result.restored_waiting
    text = f"{booked} réservation{'s' if booked > 1 else ''} rétablie{'s' if booked > 1 else ''}"
    text += f", {waiting} en liste d'attente"
    if result.promoted:
        text += (f", {result.promoted} place{'s' if result.promoted > 1 else ''} "
                 "attribuée(s) à la liste d'attente")
    return text


@editor_required
def closure_create_page(request: HttpRequest) -> HttpResponse:
    return _closure_form_page(request, None)


@agent_required
def closure_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    closure = _closure_get(pk)
    if request.method == "POST" and not can_edit(request.user):
        return render(request, "routing/forbidden.html", status=403)
    return _closure_form_page(request, closure)


@editor_required
def closure_delete_page(request: HttpRequest, pk: int) -> HttpResponse:
    closure = _closure_get(pk)
    if request.method == "POST":
        result = closures.closure_delete(closure=closure, actor=acting_user(request))
        text = f"Fermeture « {closure.label} » supprimée : {restored_text(result)}."
        if result.not_restorable:
            text += (f" {result.not_restorable} non rétablie(s) : la place a été réservée "
                     "ou modifiée depuis.")
        messages.success(request, text)
        return redirect("backoffice:bookings:closures")
    return render(request, "bookings/closures_delete.html", {
        "closure": closure, "effect": closures.closure_delete_preview(closure=closure),
    })
