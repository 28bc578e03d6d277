"""Réserver en masse: a three-step wizard (service → children → weekdays, dates, action,
criterion), a dry-run preview, then the summary of what was done. Nothing is written
before the "confirm" step."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenant_apps.accounts.access import acting_user, editor_required
from tenant_apps.backoffice.form_styles import BootstrapFormMixin, add_service_errors
from tenant_apps.bookings.mass import ADD, REPLACE, mass_booking_apply, mass_booking_plan
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Child
from tenant_apps.schooling import selectors as schooling_selectors

WEEKDAY_CHOICES = [("1", "Lundi"), ("2", "Mardi"), ("3", "Mercredi"), ("4", "Jeudi"),
                   ("5", "Vendredi"), ("6", "Samedi"), ("7", "Dimanche")]


class MassBookingForm(BootstrapFormMixin, forms.Form):
    service = forms.ModelChoiceField(
        Service.objects.filter(active=True), label="Prestation",
        error_messages={"required": "Choisissez une prestation.",
                        "invalid_choice": "Prestation inconnue."},
    )
    children = forms.ModelMultipleChoiceField(
        Child.objects.all(), label="Enfants", widget=forms.MultipleHiddenInput,
        error_messages={"required": "Cochez au moins un enfant.",
                        "invalid_choice": "Enfant inconnu."},
    )
    weekdays = forms.MultipleChoiceField(
        choices=WEEKDAY_CHOICES, label="Jours de la semaine",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un jour de la semaine."},
    )
    starts_on = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"required": "Indiquez la date de début."})
    ends_on = forms.DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"required": "Indiquez la date de fin."})
    action = forms.ChoiceField(
        label="Action", widget=forms.RadioSelect, initial=ADD,
        choices=[(ADD, "Ajouter aux réservations existantes"),
                 (REPLACE, "Remplacer les réservations existantes non facturées")],
        error_messages={"required": "Choisissez une action."},
    )
    school_weeks_only = forms.BooleanField(label="Semaines d'école uniquement", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on",
                           "La date de fin doit être postérieure ou égale à la date de début.")
        return data


def _plan_from(form: MassBookingForm) -> Any:
    data = form.cleaned_data
    children = list(data["children"])
    weekdays = [int(d) for d in data["weekdays"]]
    return mass_booking_plan(
        service=data["service"], children=children,
        weekdays_per_child={c.pk: weekdays for c in children},
        starts_on=data["starts_on"], ends_on=data["ends_on"], action=data["action"],
        school_weeks_only=data["school_weeks_only"],
    )


def _refusals_view(plan: Any) -> list[dict[str, Any]]:
    names = {c.pk: str(c) for c in Child.objects.filter(pk__in=plan.parameters["children"])}
    return [{"child": names.get(r.child_id, r.child_id), "day": r.day, "reason": r.reason}
            for r in plan.refused[:200]]


@editor_required
def mass_booking_page(request: HttpRequest) -> HttpResponse:
    year = schooling_selectors.school_year_current()
    services = Service.objects.filter(active=True)
    if request.method == "GET":
        service = services.filter(pk=request.GET.get("service") or 0).first()
        if service is None:
            return render(request, "bookings/mass_step1.html", {"services": services})
        registrations = (
            Registration.objects.filter(service=service, school_year=year)
            .select_related("child").order_by("child__last_name", "child__first_name")
            if year else Registration.objects.none()
        )
        children = list({r.child_id: r.child for r in registrations}.values())
        return render(request, "bookings/mass_step2.html", {
            "service": service, "children": children, "year": year,
        })

    step = request.POST.get("step", "")
    form = MassBookingForm(request.POST)
    if step == "weekdays":
        # From step 2: only the service and the children are known yet.
        form = MassBookingForm(initial={
            "service": request.POST.get("service"),
            "children": request.POST.getlist("children"),
            "starts_on": year.starts_on if year else None,
            "ends_on": year.ends_on if year else None, "action": ADD,
        })
        chosen = [v for v in request.POST.getlist("children") if v.isdigit()]
        service = services.filter(pk=request.POST.get("service") or 0).first()
        if service is None or not chosen:
            return render(request, "bookings/mass_step2.html", {
                "service": service, "year": year, "error": "Cochez au moins un enfant.",
                "children": [], "services": services,
            }, status=400)
        return render(request, "bookings/mass_step3.html", {
            "form": form, "service": service, "children_ids": chosen,
            "children_count": len(chosen),
        })
    if not form.is_valid():
        return _step3_error(request, form)
    try:
        plan = _plan_from(form)
    except ValidationError as error:
        add_service_errors(form, error)
        return _step3_error(request, form)
    if step == "confirm":
        mass = mass_booking_apply(plan=plan, actor=acting_user(request))
        return render(request, "bookings/mass_done.html", {
            "mass": mass, "summary": mass.summary, "service": plan.service,
            "refusals": _refusals_view(plan),
        })
    return render(request, "bookings/mass_preview.html", {
        "form": form, "service": plan.service, "summary": plan.summary(),
        "refusals": _refusals_view(plan),
        "children_ids": [c.pk for c in form.cleaned_data["children"]],
    })


def _step3_error(request: HttpRequest, form: MassBookingForm) -> HttpResponse:
    chosen = [v for v in request.POST.getlist("children") if v.isdigit()]
    service = Service.objects.filter(pk=request.POST.get("service") or 0).first()
    return render(request, "bookings/mass_step3.html", {
        "form": form, "service": service, "children_ids": chosen,
        "children_count": len(chosen),
    }, status=400)
