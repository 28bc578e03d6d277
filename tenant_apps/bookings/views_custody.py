"""Garde selon accord: the custody screen of a child (/gestion/reservations/garde/<id>/).

A month calendar says which household each day belongs to; an editor assigns a date
range (every day or some weekdays) to one of the child's households, or removes an
assignment. Thin edges over tenant_apps.bookings.custody."""

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from tenant_apps.accounts.access import acting_user, agent_required, can_edit
from tenant_apps.backoffice.form_styles import BootstrapFormMixin, add_service_errors
from tenant_apps.bookings import custody
from tenant_apps.bookings.models import CustodyAssignment
from tenant_apps.bookings.period_form import PeriodForm
from tenant_apps.families.models import Child, Household

WEEKDAY_CHOICES = [("1", "Lundi"), ("2", "Mardi"), ("3", "Mercredi"), ("4", "Jeudi"),
                   ("5", "Vendredi"), ("6", "Samedi"), ("7", "Dimanche")]
WEEKDAY_SHORT = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]


class CustodyForm(BootstrapFormMixin, PeriodForm):
    field_order = ["household", "starts_on", "ends_on", "weekdays"]

    household = forms.ModelChoiceField(
        Household.objects.none(), label="Foyer", empty_label=None,
        error_messages={"required": "Choisissez un des foyers de l'enfant.",
                        "invalid_choice": "Choisissez un des foyers de l'enfant."},
    )
    weekdays = forms.MultipleChoiceField(
        choices=WEEKDAY_CHOICES, label="Jours", required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucun jour coché : tous les jours de la période.",
        error_messages={"invalid_choice": "Jour de la semaine inconnu."},
    )

    def __init__(self, *args: Any, households: list[Household], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = (  # type: ignore[attr-defined]
            Household.objects.filter(pk__in=[h.pk for h in households]))


def _month(raw: str | None) -> date:
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _weekdays_label(days: list[int]) -> str:
    if not days:
        return "tous les jours"
    return ", ".join(WEEKDAY_SHORT[d - 1] for d in sorted(days))


@agent_required
def custody_page(request: HttpRequest, child_id: int) -> HttpResponse:
    child = get_object_or_404(Child, pk=child_id)
    households = custody.child_households(child)
    editable = can_edit(request.user)
    form = CustodyForm(request.POST or None, households=households)
    status = 200
    if request.method == "POST":
        if not editable:
            return render(request, "routing/forbidden.html", status=403)
        if form.is_valid():
            data = form.cleaned_data
            try:
                change = custody.custody_assign(
                    child=child, household=data["household"], starts_on=data["starts_on"],
                    ends_on=data["ends_on"], weekdays=[int(d) for d in data["weekdays"]],
                    acting_user=acting_user(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _change_text("attribués au foyer "
                                                       f"{data['household'].name}", change))
                url = reverse("backoffice:bookings:custody", args=[child.pk])
                return redirect(f"{url}?mois={data['starts_on']:%Y-%m}")
        status = 400
    month = custody.custody_month(child=child, month=_month(request.GET.get("mois")))
    names = {h.pk: h.name for h in households}
    slots = {h.pk: index % 2 for index, h in enumerate(households)}
    weeks = [[None if cell is None else {
        "day": cell.day, "assigned": cell.assigned, "household_id": cell.household_id,
        "name": names.get(cell.household_id, "—"), "slot": slots.get(cell.household_id, 0),
    } for cell in week] for week in month.weeks]
    for assignment in month.assignments:
        assignment.weekdays_label = _weekdays_label(assignment.weekdays)  # type: ignore[attr-defined]
    return render(request, "bookings/custody.html", {
        "child": child, "month": month, "households": households, "form": form,
        "can_edit": editable, "weeks": weeks, "today": timezone.localdate(),
        "weekday_names": WEEKDAY_SHORT,
    }, status=status)


def _change_text(what: str, change: custody.CustodyChange) -> str:
    a = change.assignment
    text = (f"Jours du {a.starts_on:%d/%m/%Y} au {a.ends_on:%d/%m/%Y} "
            f"({_weekdays_label(a.weekdays)}) {what}. ")
    text += (f"{change.moved} réservation{'s' if change.moved > 1 else ''} "
             f"rattachée{'s' if change.moved > 1 else ''} au foyer du jour.")
    if change.invoiced:
        text += (f" {change.invoiced} réservation(s) déjà facturée(s) inchangée(s) : "
                 "à régulariser sur la facturation.")
    if change.notified:
        text += (f" {change.notified} foyer{'s' if change.notified > 1 else ''} "
                 f"prévenu{'s' if change.notified > 1 else ''} par courriel.")
    return text


@agent_required
def custody_delete_action(request: HttpRequest, child_id: int, pk: int) -> HttpResponse:
    assignment = get_object_or_404(CustodyAssignment, pk=pk, child_id=child_id)
    url = reverse("backoffice:bookings:custody", args=[child_id])
    if request.method != "POST":
        return redirect(url)
    if not can_edit(request.user):
        return render(request, "routing/forbidden.html", status=403)
    change = custody.custody_assignment_delete(assignment=assignment,
                                               acting_user=acting_user(request))
    messages.success(request, _change_text("rendus au mode de garde habituel", change))
    return redirect(f"{url}?mois={change.assignment.starts_on:%Y-%m}")
