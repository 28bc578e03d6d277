"""Réserver en masse on the portal: the guide's wizard (service → children → weekdays per
child, dates, add or replace, criterion), a preview of what will change, then a summary.

A family cannot act past the deadlines: the period starts at the first day whose
booking (and, when replacing, cancelling) deadline is still open; earlier days are left
out and the preview says so. Nothing is written before "Réserver"."""

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tenant_apps.accounts.access import acting_user, guardian_required
from tenant_apps.billing.selectors import prices_on
from tenant_apps.bookings.mass import ADD, REPLACE, mass_booking_apply, mass_booking_plan
from tenant_apps.bookings.period_form import PeriodForm
from tenant_apps.bookings.selectors import service_deadlines
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Child, Household
from tenant_apps.families.selectors import guardian_household_or_404
from tenant_apps.schooling.selectors import school_year_current

WEEKDAYS = [(1, "Lun"), (2, "Mar"), (3, "Mer"), (4, "Jeu"), (5, "Ven"), (6, "Sam"), (7, "Dim")]
SEARCH_DAYS = 60


class MassPeriodForm(PeriodForm):
    """Step 3 of the portal wizard, after the weekdays of each child."""

    action = forms.ChoiceField(
        label="Action sur les réservations", widget=forms.RadioSelect, initial=ADD,
        choices=[(ADD, "Ajouter les nouvelles réservations à celles existantes"),
                 (REPLACE, "Remplacer les réservations existantes (non facturées)")],
        error_messages={"required": "Choisissez une action."},
    )
    school_weeks_only = forms.TypedChoiceField(
        label="Critère", coerce=lambda v: v == "ecole", initial="aucun",
        choices=[("aucun", "Aucun"), ("ecole", "Semaines d'école uniquement (hors vacances)")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].label = "Date de début"
        self.fields["ends_on"].label = "Date de fin"


def first_open_day(service: Service, *, action: str, now: datetime) -> date:
    """The first day a family may still book (and, when replacing, cancel) on `service`.
    Deadlines grow with the day, so every later day is open too."""
    day = timezone.localdate(now)
    for _ in range(SEARCH_DAYS):
        deadlines = service_deadlines(service, day)
        if now < deadlines.book and (action != REPLACE or now < deadlines.cancel):
            return day
        day += timedelta(days=1)
    return day


def _registered(household: Household) -> tuple[list[Service], dict[int, set[int]]]:
    """Services the household's children are registered to this school year, and for each
    service the ids of the registered children."""
    year = school_year_current()
    if year is None:
        return [], {}
    rows = Registration.objects.filter(
        school_year=year, child__memberships__household=household, service__active=True,
    ).select_related("service").order_by("service__name")
    services: dict[int, Service] = {}
    children: dict[int, set[int]] = {}
    for registration in rows:
        services.setdefault(registration.service_id, registration.service)
        children.setdefault(registration.service_id, set()).add(registration.child_id)
    return list(services.values()), children


def _context(request: HttpRequest, household: Household) -> dict[str, Any]:
    services, registered = _registered(household)
    raw = request.POST.get("service") or request.GET.get("service") or ""
    service = next((s for s in services if str(s.pk) == raw), None)
    all_children = list(Child.objects.filter(memberships__household=household)
                        .order_by("birth_date", "first_name").distinct())
    chosen_ids = {int(v) for v in request.POST.getlist("children") if v.isdigit()}
    allowed = registered.get(service.pk, set()) if service else set()
    chosen = [c for c in all_children if c.pk in chosen_ids and c.pk in allowed]
    return {"services": services, "service": service, "all_children": all_children,
            "registered_ids": allowed, "chosen": chosen}


def _weekdays_per_child(request: HttpRequest, chosen: list[Child],
                        service: Service) -> dict[int, list[int]]:
    runs = set(service.weekdays)
    return {
        child.pk: sorted(int(v) for v in request.POST.getlist(f"jours_{child.pk}")
                         if v.isdigit() and int(v) in runs)
        for child in chosen
    }


def _day_rows(chosen: list[Child], service: Service,
              per_child: dict[int, list[int]] | None) -> list[dict[str, Any]]:
    return [{
        "child": child,
        "days": [{"value": value, "label": label,
                  "checked": value in (per_child or {}).get(child.pk, service.weekdays)}
                 for value, label in WEEKDAYS if value in service.weekdays],
    } for child in chosen]


@guardian_required
def mass_page(request: HttpRequest) -> HttpResponse:
    household = guardian_household_or_404(user=acting_user(request))
    ctx = _context(request, household)
    service, chosen = ctx["service"], ctx["chosen"]
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step == "" or service is None:
        status = 400 if step and service is None else 200
        return render(request, "bookings/portal/mass_service.html",
                      {**ctx, "error": "Choisissez une prestation." if status == 400 else ""},
                      status=status)
    if step == "children" or not chosen:
        error = "Choisissez au moins un enfant inscrit." if step != "children" else ""
        return render(request, "bookings/portal/mass_children.html", {**ctx, "error": error},
                      status=400 if error else 200)
    now = timezone.now()
    if step == "options":
        year = school_year_current()
        opens = first_open_day(service, action=ADD, now=now)
        form = MassPeriodForm(initial={
            "starts_on": opens, "ends_on": year.ends_on if year else opens, "action": ADD,
            "school_weeks_only": "aucun",
        })
        return render(request, "bookings/portal/mass_options.html", {
            **ctx, "form": form, "day_rows": _day_rows(chosen, service, None)})
    form = MassPeriodForm(request.POST)
    per_child = _weekdays_per_child(request, chosen, service)
    if not form.is_valid() or not any(per_child.values()):
        if form.is_valid():
            form.add_error(None, "Cochez au moins un jour de la semaine.")
        return render(request, "bookings/portal/mass_options.html", {
            **ctx, "form": form, "day_rows": _day_rows(chosen, service, per_child)}, status=400)
    data = form.cleaned_data
    opens = first_open_day(service, action=data["action"], now=now)
    starts_on = max(data["starts_on"], opens)
    if starts_on > data["ends_on"]:
        form.add_error("ends_on", f"La date limite est passée pour toute cette période : "
                                  f"réservez à partir du {opens:%d/%m/%Y}.")
        return render(request, "bookings/portal/mass_options.html", {
            **ctx, "form": form, "day_rows": _day_rows(chosen, service, per_child)}, status=400)
    try:
        plan = mass_booking_plan(
            service=service, children=chosen, weekdays_per_child=per_child,
            starts_on=starts_on, ends_on=data["ends_on"], action=data["action"],
            school_weeks_only=data["school_weeks_only"],
        )
    except ValidationError as error:
        form.add_error(None, error.messages[0])
        return render(request, "bookings/portal/mass_options.html", {
            **ctx, "form": form, "day_rows": _day_rows(chosen, service, per_child)}, status=400)
    result = {
        **ctx, "form": form, "day_rows": _day_rows(chosen, service, per_child),
        "per_child": _per_child(plan, chosen, prices_on(
            day=starts_on, rows=[(c.pk, household.pk, service.pk) for c in chosen])),
        "starts_on": starts_on,
        "clamped": starts_on != data["starts_on"], "ends_on": data["ends_on"],
        "action_label": dict(form.fields["action"].choices)[data["action"]],  # type: ignore[attr-defined]
    }
    if step == "confirm":
        mass = mass_booking_apply(plan=plan, actor=acting_user(request))
        return render(request, "bookings/portal/mass_done.html",
                      {**result, "summary": mass.summary})
    return render(request, "bookings/portal/mass_preview.html",
                  {**result, "summary": plan.summary()})


def _per_child(plan: Any, chosen: list[Child],
               prices: dict[tuple[int, int], int]) -> list[dict[str, Any]]:
    """What the plan does for each child: new bookings, waiting list, refusals by reason,
    and what the new bookings will cost at the current tariff."""
    created = Counter((c.child_id, c.state) for c in plan.create)
    refused: dict[int, Counter[str]] = {}
    for refusal in plan.refused:
        refused.setdefault(refusal.child_id, Counter())[refusal.reason] += 1
    service_id = plan.service.pk
    return [{
        "child": child,
        "booked": created[(child.pk, "booked")],
        "waiting": created[(child.pk, "waiting")],
        "refused": sorted(refused.get(child.pk, Counter()).items()),
        "unit_cents": prices.get((child.pk, service_id)),
        "cost_cents": (created[(child.pk, "booked")] * prices[(child.pk, service_id)]
                       if (child.pk, service_id) in prices else None),
    } for child in chosen]
