"""Agents' pages: attendance (pointage), headcounts (effectifs), waiting list, a child's
booking history. Thin edges over tenant_apps.bookings.headcounts (reads) and .attendance."""

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from tenant_apps.accounts.access import acting_user, agent_required
from tenant_apps.bookings import headcounts
from tenant_apps.bookings.attendance import (
    ATTENDANCE_STATES,
    PRESENT_STATES,
    attendance_mark,
    can_mark,
)
from tenant_apps.bookings.models import Booking, BookingState
from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Child
from tenant_apps.schooling.models import School, SchoolClass

# The choices an agent sees on a booked child's row, in keyboard order.
BOOKED_CHOICES = [
    (BookingState.ATTENDED, "Présent", "success"),
    (BookingState.ABSENT_JUSTIFIED, "Absent justifié", "warning"),
    (BookingState.ABSENT_UNJUSTIFIED, "Absent non justifié", "danger"),
]


def _url(request: HttpRequest, name: str, *args: Any, **query: Any) -> str:
    """Reverse one of this module's pages in the namespace the current page was reached by,
    so the pages work wherever tenant_apps.bookings.urls_attendance is included."""
    match = request.resolver_match
    namespace = match.namespace if match is not None else ""
    url = reverse(f"{namespace}:{name}" if namespace else name, args=args)
    wanted = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(wanted)}" if wanted else url


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _day(raw: str | None) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return timezone.localdate()


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "routing/forbidden.html", status=403)


def _sheet_context(request: HttpRequest, params: Any) -> dict[str, Any]:
    day = _day(params.get("jour"))
    year = headcounts.school_year_of(day)
    services = list(headcounts.services_for_attendance())
    service_id = _int(params.get("prestation"))
    service = next((s for s in services if s.pk == service_id), None)
    if service is None and len(services) == 1:
        service = services[0]
    school_id, class_id = _int(params.get("ecole")), _int(params.get("classe"))
    classes = list(
        SchoolClass.objects.filter(school_year=year).select_related("school")
        .order_by("school__name", "name")
    ) if year is not None else []
    context: dict[str, Any] = {
        "day": day, "year": year, "services": services, "service": service,
        "schools": list(School.objects.filter(active=True).order_by("name")),
        "classes": classes, "school_id": school_id, "class_id": class_id,
        "previous_day": day - timedelta(days=1), "next_day": day + timedelta(days=1),
        "can_mark": can_mark(request.user), "choices": BOOKED_CHOICES,
        "runs_that_day": service is None or day.isoweekday() in service.weekdays,
        "action": _url(request, "attendance"),
    }
    if service is not None:
        rows = headcounts.attendance_sheet(
            service=service, day=day, year=year, school_id=school_id, class_id=class_id
        )
        context |= {
            "rows": rows, **_counts(rows),
            "candidates": headcounts.unbooked_candidates(
                service=service, day=day, year=year, school_id=school_id, class_id=class_id
            ) if context["can_mark"] else [],
        }
    return context


def _counts(rows: list[Booking]) -> dict[str, int]:
    return {
        "present_count": sum(r.state in PRESENT_STATES for r in rows),
        "unmarked_count": sum(r.state == BookingState.BOOKED for r in rows),
    }


def _row_response(request: HttpRequest, *, booking: Booking | None, error: str = "",
                  context: dict[str, Any]) -> HttpResponse:
    return render(request, "bookings/attendance_row.html", {
        **context, "row": booking, "error": error, "saved": not error,
    })


@agent_required
def attendance_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "bookings/attendance.html", _sheet_context(request, request.GET))
    if not can_mark(request.user):
        return _forbidden(request)
    day = _day(request.POST.get("jour"))
    service = get_object_or_404(Service, pk=_int(request.POST.get("prestation")) or 0)
    child = get_object_or_404(Child, pk=_int(request.POST.get("enfant")) or 0)
    state = request.POST.get("etat", "")
    back = _url(request, "attendance", jour=day.isoformat(), prestation=service.pk,
                ecole=request.POST.get("ecole"), classe=request.POST.get("classe"))
    error = ""
    try:
        attendance_mark(child=child, service=service, day=day, state=state,
                        actor=acting_user(request))
    except PermissionDenied:
        return _forbidden(request)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:  # type: ignore[attr-defined]
        if error:
            messages.error(request, f"{child} : {error}")
        elif state not in ATTENDANCE_STATES:
            messages.error(request, "Choisissez un état de pointage.")
        else:
            messages.success(request, f"{child} : pointage enregistré.")
        return redirect(f"{back}#ligne-{child.pk}")
    year = headcounts.school_year_of(day)
    school_id, class_id = _int(request.POST.get("ecole")), _int(request.POST.get("classe"))
    rows = headcounts.attendance_sheet(service=service, day=day, year=year,
                                       school_id=school_id, class_id=class_id)
    row = next((r for r in rows if r.child_id == child.pk), None)
    # The row, and the page's counters (out of band) so they stay true without a reload.
    return _row_response(request, booking=row, error=error, context={
        "day": day, "service": service, "school_id": school_id, "class_id": class_id,
        "can_mark": True, "choices": BOOKED_CHOICES, "action": _url(request, "attendance"),
        "counts_oob": True, "total": len(rows), **_counts(rows),
    })


@agent_required
def headcounts_page(request: HttpRequest) -> HttpResponse:
    day = _day(request.GET.get("jour"))
    weekly = request.GET.get("vue") == "semaine"
    start = day - timedelta(days=day.weekday()) if weekly else day
    days = headcounts.week_days(start)[:5] if weekly else [day]
    end = days[-1]
    service_id, school_id = _int(request.GET.get("prestation")), _int(request.GET.get("ecole"))
    rows = headcounts.headcounts(start=start, end=end, service_id=service_id,
                                 school_id=school_id)
    step = timedelta(days=7 if weekly else 1)
    for row in rows:
        row.day_cells = row.cells(days)  # type: ignore[attr-defined]
    return render(request, "bookings/headcounts.html", {
        "day": day, "weekly": weekly, "days": days, "rows": rows,
        "totals": headcounts.headcount_totals(rows, days),
        "services": list(headcounts.services_for_attendance()),
        "schools": list(School.objects.filter(active=True).order_by("name")),
        "service_id": service_id, "school_id": school_id,
        "previous_day": day - step, "next_day": day + step,
        "action": _url(request, "headcounts"),
    })


@agent_required
def waiting_page(request: HttpRequest) -> HttpResponse:
    day = _day(request.GET.get("jour"))
    services = list(headcounts.services_for_attendance())
    service_id = _int(request.GET.get("prestation"))
    service = next((s for s in services if s.pk == service_id), None)
    waiting = headcounts.waiting_list(service=service, day=day) if service else []
    for booking in waiting:
        booking.history_url = _url(  # type: ignore[attr-defined]
            request, "child-history", booking.child_id
        )
    summary = headcounts.waiting_days(start=timezone.localdate())
    for item in summary:
        item["url"] = _url(request, "waiting", jour=item["day"].isoformat(),
                           prestation=item["service_id"])
    return render(request, "bookings/waiting.html", {
        "day": day, "services": services, "service": service,
        "waiting": waiting, "summary": summary, "action": _url(request, "waiting"),
    })


# BookingEvent.reason is a code ("attendance", "closure:12", "mass:5"): said in French.
REASON_LABELS = {"attendance": "pointage", "closure": "fermeture", "mass": "réservation en masse"}


def _reason_label(reason: str) -> str:
    kind, _, ref = reason.partition(":")
    label = REASON_LABELS.get(kind)
    if label is None:
        return reason
    return f"{label} n° {ref}" if ref else label


@agent_required
def child_history_page(request: HttpRequest, child_id: int) -> HttpResponse:
    child = get_object_or_404(Child, pk=child_id)
    bookings = headcounts.child_history(child=child)
    labels = dict(BookingState.choices)
    for booking in bookings:
        for event in booking.events.all():
            event.from_label = labels.get(event.from_state, event.from_state)  # type: ignore[attr-defined]
            event.to_label = labels.get(event.to_state, event.to_state)  # type: ignore[attr-defined]
            event.reason_label = _reason_label(event.reason)  # type: ignore[attr-defined]
    waiting = headcounts.child_waiting(child=child, start=timezone.localdate())
    for booking in waiting:
        booking.waiting_url = _url(  # type: ignore[attr-defined]
            request, "waiting", jour=booking.day.isoformat(), prestation=booking.service_id)
    return render(request, "bookings/child_history.html", {
        "child": child, "bookings": bookings, "waiting": waiting,
        "waiting_page": _url(request, "waiting"),
    })
