"""Booking and cancelling cells, with the waiting list and its promotions.

Every change of one service-day runs in a transaction holding a PostgreSQL advisory
lock on (schema, service, day), so capacity is never exceeded however many families
book at once, and the waiting list is promoted in order (waiting_since) when a place
frees up. Every change writes a BookingEvent; an agent acting past the deadline is
flagged `past_deadline`."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenant_apps.accounts.access import EDITOR_ROLES
from tenant_apps.accounts.models import Role
from tenant_apps.bookings import selectors
from tenant_apps.bookings.calendar import service_runs_on
from tenant_apps.bookings.custody import agreed_ranges
from tenant_apps.bookings.models import Booking, BookingEvent, BookingState
from tenant_apps.bookings.rules import (
    CellStatus,
    cell_status,
    household_for_day,
    refusal_to_book,
    refusal_to_cancel,
)
from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Child, ChildHousehold, Guardian
from tenant_apps.outbox.services import outbox_email_enqueue
from tenants.db import transaction_advisory_lock

ROLE_REFUSED = "Votre rôle ne permet pas de modifier les réservations."
NOT_YOUR_CHILD = "Cet enfant n'est pas rattaché à votre foyer."


def lock_service_day(service_id: int, day: date) -> None:
    """Serialise every change of this service-day until the transaction ends."""
    transaction_advisory_lock(f"booking:{service_id}:{day.isoformat()}")


def _lock_service_day(service: Service, day: date) -> None:
    lock_service_day(service.pk, day)


def _check_actor(actor: Any, child: Child) -> bool:
    """Editors act for anyone; a guardian only for a child of their household.
    Returns whether the actor is an agent."""
    role = getattr(actor, "role", None)
    if role in EDITOR_ROLES:
        return True
    if role == Role.GUARDIAN:
        household_ids = ChildHousehold.objects.filter(child=child).values("household_id")
        if not Guardian.objects.filter(user=actor, household_id__in=household_ids).exists():
            raise ValidationError(NOT_YOUR_CHILD)
        return False
    raise ValidationError(ROLE_REFUSED)


@dataclass
class _Cell:
    booking: Booking | None
    status: CellStatus
    registering_household_id: int | None


def _load_cell(*, child: Child, service: Service, day: date, is_agent: bool,
               now: datetime) -> _Cell:
    """The cell's current state, read under the service-day lock."""
    booking = (
        Booking.objects.select_for_update()
        .filter(child=child, service=service, day=day).first()
    )
    registration = selectors.registration_for(child, service, day)
    places_left = (
        None if service.capacity is None
        else service.capacity - selectors.places_taken(service, day)
    )
    status = cell_status(
        state=booking.state if booking else "",
        invoiced=bool(booking and booking.invoiced),
        registered=registration is not None,
        runs=service.active and service_runs_on(
            service.weekdays, service.calendar, day, selectors.school_holiday_zone()
        ),
        closed=(service.pk, day) in selectors.closed_days(child, [service.pk], day, day),
        places_left=places_left,
        now=now,
        deadlines=selectors.service_deadlines(service, day),
        is_agent=is_agent,
    )
    return _Cell(booking, status, registration.household_id if registration else None)


def _record(booking: Booking, *, from_state: str, actor: Any, is_agent: bool,
            past_deadline: bool, reason: str = "") -> None:
    BookingEvent.objects.create(
        booking=booking, from_state=from_state, to_state=booking.state,
        actor_id=getattr(actor, "pk", None), actor_email=getattr(actor, "email", "") or "",
        actor_is_agent=is_agent, past_deadline=past_deadline, reason=reason,
    )


def notify_promoted(booking: Booking) -> None:
    """Tell the household (outbox) that its waiting-list entry got a place."""
    recipients = sorted(
        {e for e in Guardian.objects.filter(household_id=booking.household_id)
         .values_list("email", flat=True) if e}
    )
    if not recipients:
        return
    child = booking.child
    day = booking.day.strftime("%d/%m/%Y")
    outbox_email_enqueue(
        recipients=recipients,
        subject=f"Place confirmée : {booking.service.name} le {day}",
        body_text=(
            f"Bonjour,\n\nUne place s'est libérée : la réservation de {child.first_name} "
            f"{child.last_name} pour « {booking.service.name} » le {day} est confirmée "
            "(elle était sur liste d'attente).\n\nCordialement,\nLe service enfance"
        ),
        idempotency_key=f"booking-promoted:{booking.pk}",
    )


def _promote_waiting(service: Service, day: date) -> list[Booking]:
    """Fill free places from the waiting list, oldest first; under the service-day lock."""
    promoted: list[Booking] = []
    waiting = (
        Booking.objects.select_for_update()
        .filter(service=service, day=day, state=BookingState.WAITING, invoiced=False)
        .select_related("child", "service")
        .order_by("waiting_since", "pk")
    )
    if service.capacity is not None:
        free = service.capacity - selectors.places_taken(service, day)
        if free <= 0:
            return promoted
        waiting = waiting[:free]
    for booking in waiting:
        booking.state = BookingState.BOOKED
        booking.waiting_since = None
        booking.save(update_fields=["state", "waiting_since", "updated_at"])
        _record(booking, from_state=BookingState.WAITING, actor=None, is_agent=False,
                past_deadline=False, reason="promotion:liste d'attente")
        notify_promoted(booking)
        promoted.append(booking)
    return promoted


def booking_book(
    *, child: Child, service: Service, day: date, actor: Any, now: datetime | None = None,
    reason: str = "",
) -> Booking:
    """Book `child` on `service` for `day`: "booked" while places remain, else "waiting".

    Refused with a French ValidationError when the child is not registered, the service
    does not run that day, the day is closed for the child's class, the cell is already
    booked, the booking is invoiced, or (for a family) the booking deadline has passed.
    An agent may book past the deadline; the event is then flagged `past_deadline`."""
    now = now or timezone.now()
    is_agent = _check_actor(actor, child)
    with transaction.atomic():
        _lock_service_day(service, day)
        _promote_waiting(service, day)
        cell = _load_cell(child=child, service=service, day=day, is_agent=is_agent, now=now)
        refusal = refusal_to_book(cell.status)
        if refusal:
            raise ValidationError(refusal)
        if cell.registering_household_id is None:  # registered, per the rules
            raise ValidationError(refusal_to_book(cell.status) or "Inscription introuvable.")
        memberships = list(
            ChildHousehold.objects.filter(child=child).values_list("household_id", "custody")
        )
        agreed = agreed_ranges([child.pk], first=day, last=day).get(child.pk, [])
        household_id = household_for_day(memberships, day, cell.registering_household_id,
                                         agreed)
        new_state = BookingState(cell.status.book_state)
        booking = cell.booking
        from_state = booking.state if booking else ""
        if booking is None:
            booking = Booking(child=child, service=service, day=day)
        booking.household_id = household_id
        booking.state = new_state
        booking.waiting_since = now if new_state == BookingState.WAITING else None
        booking.save()
        _record(booking, from_state=from_state, actor=actor, is_agent=is_agent,
                past_deadline=cell.status.past_deadline, reason=reason)
        return booking


def booking_cancel(
    *, child: Child, service: Service, day: date, actor: Any, now: datetime | None = None,
    reason: str = "",
) -> Booking:
    """Cancel the child's booking (or waiting-list entry) on `service` for `day`.

    Refused with a French ValidationError when there is nothing to cancel, the booking
    is invoiced or attendance is marked, or (for a family) the cancel deadline has
    passed. A freed place goes to the first family on the waiting list, who is told by
    email through the outbox."""
    now = now or timezone.now()
    is_agent = _check_actor(actor, child)
    with transaction.atomic():
        _lock_service_day(service, day)
        cell = _load_cell(child=child, service=service, day=day, is_agent=is_agent, now=now)
        refusal = refusal_to_cancel(cell.status)
        if refusal:
            raise ValidationError(refusal)
        booking = cell.booking
        if booking is None:  # cancellable, per the rules
            raise ValidationError("Il n'y a pas de réservation à annuler ce jour-là.")
        from_state = booking.state
        booking.state = BookingState.CANCELLED
        booking.waiting_since = None
        booking.save(update_fields=["state", "waiting_since", "updated_at"])
        _record(booking, from_state=from_state, actor=actor, is_agent=is_agent,
                past_deadline=cell.status.past_deadline, reason=reason)
        if from_state == BookingState.BOOKED:
            _promote_waiting(service, day)
        return booking


@dataclass
class WeekResult:
    """What booking a week did: days booked, put on the waiting list, and refused."""

    booked: list[date] = field(default_factory=list)
    waiting: list[date] = field(default_factory=list)
    refused: dict[date, str] = field(default_factory=dict)


def booking_book_week(
    *, child: Child, service: Service, monday: date, actor: Any, now: datetime | None = None
) -> WeekResult:
    """Book every day of the week starting `monday` that the service runs and that can
    be booked; each day is its own transaction. Days already booked are left as they
    are; the others that cannot be booked are returned with their French reason."""
    if monday.isoweekday() != 1:
        raise ValidationError("La semaine doit commencer un lundi.")
    now = now or timezone.now()
    zone = selectors.school_holiday_zone()
    result = WeekResult()
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if not service_runs_on(service.weekdays, service.calendar, day, zone):
            continue
        try:
            booking = booking_book(child=child, service=service, day=day, actor=actor, now=now)
        except ValidationError as error:
            result.refused[day] = error.messages[0]
            continue
        (result.waiting if booking.state == BookingState.WAITING else result.booked).append(day)
    return result
