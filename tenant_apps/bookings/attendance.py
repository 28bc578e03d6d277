"""Attendance (pointage): what actually happened to a child on a service's day.

Marking writes the booking's new state and one BookingEvent per change. An invoiced
booking never changes; a child present without a booking gets an unbooked-presence row
(billed to the household the day belongs to, see rules.household_for_day)."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from tenant_apps.accounts.models import Role
from tenant_apps.bookings.custody import agreed_ranges
from tenant_apps.bookings.models import Booking, BookingEvent, BookingState
from tenant_apps.bookings.rules import household_for_day
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Child, ChildHousehold

# The animateur marks attendance, as do agents and administrators; nobody else.
MARKER_ROLES = frozenset({Role.ADMINISTRATOR, Role.AGENT, Role.ANIMATEUR})

ATTENDANCE_STATES = (
    BookingState.ATTENDED,
    BookingState.ABSENT_JUSTIFIED,
    BookingState.ABSENT_UNJUSTIFIED,
    BookingState.UNBOOKED_PRESENCE,
)
PRESENT_STATES = (BookingState.ATTENDED, BookingState.UNBOOKED_PRESENCE)
# States of a booking the family made (as opposed to an unbooked presence).
BOOKED_STATES = (
    BookingState.BOOKED,
    BookingState.ATTENDED,
    BookingState.ABSENT_JUSTIFIED,
    BookingState.ABSENT_UNJUSTIFIED,
)
ATTENDANCE_REASON = "attendance"


def can_mark(user: Any) -> bool:
    return getattr(user, "role", None) in MARKER_ROLES


def _household_of_day(*, child: Child, service: Service, day: date) -> int:
    """The household billed for an unbooked presence: the one the day belongs to (shared
    or agreed custody), from the household that registered the child to the service."""
    registration = (
        Registration.objects.filter(child=child, service=service)
        .filter(Q(school_year__starts_on__lte=day, school_year__ends_on__gte=day)
                | Q(school_year__is_current=True))
        .order_by("-school_year__starts_on", "pk")
        .first()
    )
    if registration is None:
        raise ValidationError(
            f"{child} n'est pas inscrit(e) à « {service.name} » : "
            "inscrivez l'enfant à la prestation avant de le pointer présent."
        )
    memberships = list(
        ChildHousehold.objects.filter(child=child).values_list("household_id", "custody")
    )
    agreed = agreed_ranges([child.pk], first=day, last=day).get(child.pk, [])
    return household_for_day(memberships, day, registration.household_id, agreed)


def _target_state(*, current: str | None, wanted: str) -> str:
    """The state a mark gives, from the booking's current state (None: no row)."""
    was_booked = current in BOOKED_STATES
    if wanted in PRESENT_STATES:
        return BookingState.ATTENDED if was_booked else BookingState.UNBOOKED_PRESENCE
    if not was_booked:
        raise ValidationError(
            "Cet enfant n'avait pas de réservation ce jour-là : il ne peut pas être noté absent."
        )
    return wanted


@transaction.atomic
def attendance_mark(
    *, child: Child, service: Service, day: date, state: str, actor: Any
) -> Booking:
    """Mark `child` at `service` on `day` as present, absent (justified or not) or present
    without a booking. Returns the booking row (created for an unbooked presence)."""
    if not can_mark(actor):
        raise PermissionDenied("Votre rôle ne permet pas de pointer les présences.")
    if state not in ATTENDANCE_STATES:
        raise ValidationError("État de pointage inconnu.")
    booking = (
        Booking.objects.select_for_update()
        .filter(child=child, service=service, day=day)
        .first()
    )
    if booking is not None and booking.invoiced:
        raise ValidationError(
            "Cette réservation est déjà facturée : son pointage ne peut plus être modifié."
        )
    current = booking.state if booking is not None else None
    target = _target_state(current=current, wanted=state)
    if booking is None:
        booking = Booking.objects.create(
            child=child, service=service, day=day, state=target,
            household_id=_household_of_day(child=child, service=service, day=day),
        )
    elif current == target:
        return booking
    else:
        booking.state = target
        booking.waiting_since = None
        booking.save(update_fields=["state", "waiting_since", "updated_at"])
    BookingEvent.objects.create(
        booking=booking, from_state=current or "", to_state=target,
        actor_id=getattr(actor, "pk", None), actor_email=getattr(actor, "email", "") or "",
        actor_is_agent=True, past_deadline=True, reason=ATTENDANCE_REASON,
    )
    return booking
