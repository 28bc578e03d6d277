"""Réserver en masse: a three-step wizard (service → children → weekdays, dates, action,
criterion), a dry-run preview listing per child what will change, then the summary of
what was done. Nothing is written before the "confirm" step.

Weekdays are the same for every child by default; "Personnaliser par enfant" reveals one
row of weekdays per child (fields `jours_<child id>`), and those rows are then used."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from tenant_apps.accounts.access import acting_user, editor_required
from tenant_apps.backoffice.form_styles import BootstrapFormMixin, add_service_errors
from tenant_apps.bookings.calendar import WEDNESDAYS
from tenant_apps.bookings.mass import (
    ADD,
    REPLACE,
    MassBookingPlan,
    mass_booking_apply,
    mass_booking_plan,
)
from tenant_apps.bookings.period_form import PeriodForm
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Child
from tenant_apps.schooling import selectors as schooling_selectors

WEEKDAY_LABELS = {1: "Lundi", 2: "Mardi", 3: "Mercredi", 4: "Jeudi", 5: "Vendredi",
                  6: "Samedi", 7: "Dimanche"}
WEEKDAY_CHOICES = [(str(d), label) for d, label in WEEKDAY_LABELS.items()]
NO_WEEKDAY = "Cochez au moins un jour de la semaine."
ROWS_MARKER = "per_child_rows"  # the step 3 form carried the per-child rows


def service_days(service: Service | None) -> list[int]:
    """The weekdays a service can be booked on (all seven when it does not say)."""
    if service is None:
        return list(WEEKDAY_LABELS)
    if service.calendar == WEDNESDAYS:
        return [3]
    return sorted(set(service.weekdays)) or list(WEEKDAY_LABELS)


class MassBookingForm(BootstrapFormMixin, PeriodForm):
    field_order = ["service", "children", "weekdays", "per_child", "starts_on", "ends_on",
                   "action", "school_weeks_only"]

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
        choices=WEEKDAY_CHOICES, label="Jours de la semaine (tous les enfants)",
        widget=forms.CheckboxSelectMultiple, required=False,
        error_messages={"invalid_choice": "Jour de la semaine inconnu."},
    )
    per_child = forms.BooleanField(label="Personnaliser par enfant", required=False)
    action = forms.ChoiceField(
        label="Action", widget=forms.RadioSelect, initial=ADD,
        choices=[(ADD, "Ajouter aux réservations existantes"),
                 (REPLACE, "Remplacer les réservations existantes non facturées")],
        error_messages={"required": "Choisissez une action."},
    )
    school_weeks_only = forms.BooleanField(label="Semaines d'école uniquement", required=False)

    def __init__(self, *args: Any, days: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if days is not None:
            self.fields["weekdays"].choices = [  # type: ignore[attr-defined]
                (str(d), WEEKDAY_LABELS[d]) for d in days]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("per_child") and not data.get("weekdays") \
                and "weekdays" not in self.errors:
            self.add_error("weekdays", NO_WEEKDAY)
        return data


def _days_from(values: list[str], allowed: list[int]) -> list[int]:
    return sorted({int(v) for v in values if v.isdigit() and int(v) in allowed})


def weekdays_per_child(form: MassBookingForm, post: QueryDict,
                       days: list[int]) -> dict[int, list[int]]:
    """The weekdays of each chosen child: the common ones, or each child's own row."""
    data = form.cleaned_data
    common = _days_from(list(data["weekdays"]), days)
    if not data["per_child"]:
        return {c.pk: common for c in data["children"]}
    return {c.pk: _days_from(post.getlist(f"jours_{c.pk}"), days) for c in data["children"]}


def _child_rows(children: list[Child], days: list[int], post: QueryDict | None,
                default: list[int]) -> list[dict[str, Any]]:
    """One row of weekday boxes per child, checked from the submitted rows if any."""
    submitted = post is not None and ROWS_MARKER in post
    rows = []
    for child in children:
        name = f"jours_{child.pk}"
        chosen = set(_days_from(post.getlist(name), days)) if submitted and post else \
            set(default)
        rows.append({"child": child, "field": name, "days": [
            {"value": d, "label": WEEKDAY_LABELS[d], "short": WEEKDAY_LABELS[d][:3] + ".",
             "checked": d in chosen, "id": f"{name}_{d}"} for d in days]})
    return rows


def _chosen_children(post: QueryDict) -> list[Child]:
    ids = [v for v in post.getlist("children") if v.isdigit()]
    return list(Child.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk"))


def _step3(request: HttpRequest, form: MassBookingForm, service: Service | None,
           children: list[Child], post: QueryDict | None, status: int = 200) -> HttpResponse:
    days = service_days(service)
    default = _days_from([str(v) for v in (form["weekdays"].value() or [])], days) or days
    return render(request, "bookings/mass_step3.html", {
        "form": form, "service": service, "children_ids": [c.pk for c in children],
        "children_count": len(children), "rows": _child_rows(children, days, post, default),
        "rows_marker": ROWS_MARKER,
    }, status=status)


def _per_child_view(plan: MassBookingPlan, children: list[Child],
                    weekdays: dict[int, list[int]]) -> list[dict[str, Any]]:
    rows = []
    for child in children:
        counts: Mapping[str, int] = plan.by_child.get(child.pk, {})
        rows.append({
            "child": child, "weekdays": ", ".join(WEEKDAY_LABELS[d][:3] + "."
                                                  for d in weekdays.get(child.pk, [])),
            "booked": counts.get("booked", 0), "waiting": counts.get("waiting", 0),
            "rebooked": counts.get("rebooked", 0), "cancelled": counts.get("cancelled", 0),
            "unchanged": counts.get("unchanged", 0), "refused": counts.get("refused", 0),
        })
    return rows


def _refusals_view(plan: MassBookingPlan, names: dict[int, str]) -> list[dict[str, Any]]:
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

    post = request.POST
    step = post.get("step", "")
    service = services.filter(pk=post.get("service") or 0).first()
    days = service_days(service)
    children = _chosen_children(post)
    if step == "weekdays":
        # From step 2: only the service and the children are known yet.
        if service is None or not children:
            return render(request, "bookings/mass_step2.html", {
                "service": service, "year": year, "error": "Cochez au moins un enfant.",
                "children": [], "services": services,
            }, status=400)
        form = MassBookingForm(days=days, initial={
            "service": service.pk, "children": [c.pk for c in children],
            "weekdays": [str(d) for d in days],
            "starts_on": year.starts_on if year else None,
            "ends_on": year.ends_on if year else None, "action": ADD,
        })
        return _step3(request, form, service, children, None)
    form = MassBookingForm(post, days=days)
    if step == "back":  # "Modifier" from the preview: the same choices, no errors shown
        initial: dict[str, Any] = {key: post.get(key) for key in post}
        initial.update(weekdays=post.getlist("weekdays"), children=post.getlist("children"))
        form = MassBookingForm(days=days, initial=initial)
        return _step3(request, form, service, children, post)
    if not form.is_valid():
        return _step3(request, form, service, children, post, status=400)
    weekdays = weekdays_per_child(form, post, days)
    try:
        plan = mass_booking_plan(
            service=form.cleaned_data["service"], children=list(form.cleaned_data["children"]),
            weekdays_per_child=weekdays, starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"], action=form.cleaned_data["action"],
            school_weeks_only=form.cleaned_data["school_weeks_only"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _step3(request, form, service, children, post, status=400)
    names = {c.pk: f"{c.last_name} {c.first_name}" for c in children}
    context = {
        "service": plan.service, "form": form, "refusals": _refusals_view(plan, names),
        "per_child": _per_child_view(plan, children, weekdays),
        "children_ids": [c.pk for c in children], "weekdays_by_child": weekdays,
        "rows_marker": ROWS_MARKER,
    }
    if step == "confirm":
        mass = mass_booking_apply(plan=plan, actor=acting_user(request))
        return render(request, "bookings/mass_done.html", {
            **context, "mass": mass, "summary": mass.summary})
    context["hidden_days"] = [(f"jours_{pk}", d) for pk, ds in weekdays.items() for d in ds]
    return render(request, "bookings/mass_preview.html", {**context, "summary": plan.summary()})
