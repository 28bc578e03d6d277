"""Réservations on the parents' portal: the household's weekly grid, one cell at a time
or a whole week of one service, with htmx swaps of the service row (plain POST and
redirect without JavaScript)."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import acting_user, guardian_required
from tenant_apps.billing.pricing import euros_label
from tenant_apps.billing.selectors import prices_on
from tenant_apps.bookings import selectors
from tenant_apps.bookings.portal_cells import BOOK, CANCEL, CellView, cell_view
from tenant_apps.bookings.services import booking_book, booking_cancel
from tenant_apps.families.models import Child, Household
from tenant_apps.families.selectors import guardian_household_or_404

STALE = "La case a changé entre-temps : voici son état actuel."


@dataclass(frozen=True)
class GridCell:
    day: date
    view: CellView


@dataclass(frozen=True)
class GridRow:
    child: Child
    service_week: selectors.ServiceWeek
    cells: list[GridCell]
    can_book_week: bool
    cancel_label: str = ""  # shown only when cancelling has its own deadline
    price_label: str = ""  # what one day costs this household, before booking it


def monday_of(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


def requested_monday(raw: str | None, today: date) -> date:
    """The Monday of the week asked for (?semaine=AAAA-MM-JJ); by default this week, or
    next week from Saturday on (families plan the coming week at the weekend)."""
    if raw:
        try:
            return monday_of(date.fromisoformat(raw))
        except ValueError:
            pass
    if today.isoweekday() >= 6:
        return monday_of(today + timedelta(days=7))
    return monday_of(today)


def _rows(week: selectors.ChildWeek, household: Household,
          prices: dict[tuple[int, int], int] | None = None) -> list[GridRow]:
    rows = []
    for service_week in week.services:
        cells = [
            GridCell(cell.day, cell_view(cell.status,
                                         own_day=cell.household_id in (None, household.pk)))
            for cell in service_week.cells
        ]
        service = service_week.service
        own_cancel_rule = (service.cancel_until, service.cancel_days_before,
                           service.cancel_day_count) != (
            service.book_until, service.book_days_before, service.book_day_count)
        rows.append(GridRow(
            child=week.child, service_week=service_week, cells=cells,
            can_book_week=any(c.view.action == BOOK for c in cells),
            cancel_label=service.cancel_deadline_label if own_cancel_rule else "",
            price_label=_price_label((prices or {}).get((week.child.pk, service.pk))),
        ))
    return rows


def _price_label(cents: int | None) -> str:
    return "" if cents is None else f"{euros_label(cents)} par jour"


def _week_prices(weeks: list[selectors.ChildWeek], household: Household,
                 monday: date) -> dict[tuple[int, int], int]:
    """Each row's price for this household on the week's first day (tariffs change at
    most a few times a year)."""
    return prices_on(day=monday, rows=[
        (week.child.pk, household.pk, row.service.pk) for week in weeks for row in week.services
    ])


def _shown_days(weeks: list[selectors.ChildWeek], monday: date) -> list[date]:
    """Monday to Friday, plus Saturday or Sunday when a service of the grid runs then."""
    weekdays = {d for week in weeks for row in week.services for d in row.service.weekdays}
    return [monday + timedelta(days=offset) for offset in range(7)
            if offset < 5 or offset + 1 in weekdays]


@guardian_required
def grid_page(request: HttpRequest) -> HttpResponse:
    household = guardian_household_or_404(user=acting_user(request))
    today = timezone.localdate()
    monday = requested_monday(request.GET.get("semaine"), today)
    weeks = selectors.household_week(household=household, monday=monday,
                                     actor=acting_user(request))
    days = _shown_days(weeks, monday)
    prices = _week_prices(weeks, household, monday)
    children: list[dict[str, Any]] = [
        {"child": week.child,
         "rows": [_trim(row, days) for row in _rows(week, household, prices)]}
        for week in weeks
    ]
    selected = request.GET.get("enfant", "")
    if not any(str(c["child"].pk) == selected for c in children):
        selected = str(children[0]["child"].pk) if children else ""
    return render(request, "bookings/portal/grid.html", {
        "monday": monday, "sunday": monday + timedelta(days=6), "days": days,
        "previous": monday - timedelta(days=7), "next": monday + timedelta(days=7),
        "this_week": requested_monday(None, today), "today": today,
        "week_number": monday.isocalendar().week, "children": children,
        "selected": selected,
    })


def _trim(row: GridRow, days: list[date]) -> GridRow:
    return replace(row, cells=[c for c in row.cells if c.day in days])


def _child_of(household: Household, raw: Any) -> Child:
    child = Child.objects.filter(pk=int(raw) if str(raw).isdigit() else 0,
                                 memberships__household=household).first()
    if child is None:
        raise Http404
    return child


def _row_for(child: Child, household: Household, service_id: int, monday: date,
             actor: Any) -> GridRow:
    """The child's row for one service this week, trimmed to the days the grid shows."""
    weeks = selectors.household_week_of_children(children=[child], monday=monday, actor=actor)
    days = _shown_days(weeks, monday)
    for row in _rows(weeks[0], household, _week_prices(weeks, household, monday)):
        if row.service_week.service.pk == service_id:
            return _trim(row, days)
    raise Http404


def _respond(request: HttpRequest, *, child: Child, household: Household, service_id: int,
             monday: date, notice: str, error: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        row = _row_for(child, household, service_id, monday, acting_user(request))
        return render(request, "bookings/portal/_row.html", {
            "row": row, "monday": monday, "notice": notice, "error": error,
        })
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect(f"/reservations/?semaine={monday.isoformat()}&enfant={child.pk}")


def _parse_day(raw: str | None) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError as error:
        raise Http404 from error


@guardian_required
@require_POST
def cell_action(request: HttpRequest) -> HttpResponse:
    """Book or cancel one cell (action "reserver" or "annuler")."""
    household = guardian_household_or_404(user=acting_user(request))
    child = _child_of(household, request.POST.get("enfant"))
    day = _parse_day(request.POST.get("jour"))
    service_id = int(request.POST.get("prestation", "0") or 0)
    monday = monday_of(day)
    actor = acting_user(request)
    row = _row_for(child, household, service_id, monday, actor)
    cell = next((c for c in row.cells if c.day == day), None)
    if cell is None:
        raise Http404
    action = request.POST.get("action")
    notice = error = ""
    if cell.view.action != action or action not in (BOOK, CANCEL):
        # The grid the parent saw is stale (deadline passed, other household...): say why.
        error = cell.view.hint or STALE
        if cell.view.action:
            error = STALE
    else:
        service = row.service_week.service
        try:
            if action == BOOK:
                booking = booking_book(child=child, service=service, day=day, actor=actor)
                notice = (f"{child.first_name} : liste d'attente le {day:%d/%m}."
                          if booking.state == "waiting"
                          else f"{child.first_name} : réservé le {day:%d/%m}.")
            else:
                booking_cancel(child=child, service=service, day=day, actor=actor)
                notice = f"{child.first_name} : annulé le {day:%d/%m}."
        except ValidationError as refusal:
            error = refusal.messages[0]
    return _respond(request, child=child, household=household, service_id=service_id,
                    monday=monday, notice=notice, error=error)


@guardian_required
@require_POST
def week_action(request: HttpRequest) -> HttpResponse:
    """Réserver pour la semaine: book every free cell of one service row that belongs to
    this household; each day is its own transaction, refusals are reported."""
    household = guardian_household_or_404(user=acting_user(request))
    child = _child_of(household, request.POST.get("enfant"))
    monday = monday_of(_parse_day(request.POST.get("semaine")))
    service_id = int(request.POST.get("prestation", "0") or 0)
    actor = acting_user(request)
    row = _row_for(child, household, service_id, monday, actor)
    booked = waiting = 0
    refusals: list[str] = []
    for cell in row.cells:
        if cell.view.action != BOOK:
            continue
        try:
            booking = booking_book(child=child, service=row.service_week.service,
                                   day=cell.day, actor=actor)
        except ValidationError as refusal:
            refusals.append(f"{cell.day:%d/%m} : {refusal.messages[0]}")
            continue
        if booking.state == "waiting":
            waiting += 1
        else:
            booked += 1
    parts = []
    if booked:
        parts.append(f"{booked} jour{'s' if booked > 1 else ''} réservé{'s' if booked > 1 else ''}")
    if waiting:
        parts.append(f"{waiting} en liste d'attente")
    notice = (f"{child.first_name} : " + ", ".join(parts) + ".") if parts else ""
    error = " ; ".join(refusals)
    if not parts and not refusals:
        error = "Aucun jour à réserver cette semaine pour cette prestation."
    return _respond(request, child=child, household=household, service_id=service_id,
                    monday=monday, notice=notice, error=error)
