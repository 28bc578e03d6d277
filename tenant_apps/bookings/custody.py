"""Agreed custody (garde selon accord): an agent assigns a child's days to its households.

Reads: `agreed_ranges` (what `rules.household_for_day` needs, for many children in one
query) and `custody_month` (the calendar of the custody screen). Writes:
`custody_assign` and `custody_assignment_delete`; both move the child's non-invoiced
bookings whose household changes to the household the day now belongs to (billing
reads `Booking.household`), with one BookingEvent each (reason "custody:<id>").
Invoiced bookings never change: they are counted and left alone."""

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tenant_apps.bookings.custody_notices import custody_change_notify
from tenant_apps.bookings.models import Booking, BookingEvent, CustodyAssignment
from tenant_apps.bookings.rules import AgreedRange, agreed_household, household_for_day
from tenant_apps.catalog.models import Registration
from tenant_apps.families.models import Child, ChildHousehold, Household

MAX_SPAN_DAYS = 366
FRENCH_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre"]


def _as_range(row: CustodyAssignment) -> AgreedRange:
    return AgreedRange(household_id=row.household_id, starts_on=row.starts_on,
                       ends_on=row.ends_on, weekdays=frozenset(row.weekdays or ()))


def agreed_ranges(
    child_ids: Iterable[int], *, first: date | None = None, last: date | None = None
) -> dict[int, list[AgreedRange]]:
    """Per child, the agents' assignments (oldest first, as `household_for_day` wants),
    only those overlapping [first, last] when given. One query."""
    rows = CustodyAssignment.objects.filter(child_id__in=list(child_ids))
    if first is not None:
        rows = rows.filter(ends_on__gte=first)
    if last is not None:
        rows = rows.filter(starts_on__lte=last)
    result: dict[int, list[AgreedRange]] = defaultdict(list)
    for row in rows.order_by("pk"):
        result[row.child_id].append(_as_range(row))
    return result


# --- The calendar of the custody screen ----------------------------------------------------


@dataclass(frozen=True)
class CustodyDay:
    day: date
    household_id: int
    assigned: bool  # by an agent's assignment (else: the usual pattern / registering home)


@dataclass
class CustodyMonth:
    first: date
    households: list[Household]
    weeks: list[list[CustodyDay | None]] = field(default_factory=list)
    assignments: list[CustodyAssignment] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{FRENCH_MONTHS[self.first.month - 1]} {self.first.year}"

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)


def child_households(child: Child) -> list[Household]:
    """The child's households, in the order they were linked."""
    return [m.household for m in
            ChildHousehold.objects.filter(child=child).select_related("household").order_by("pk")]


def _memberships(child: Child) -> list[tuple[int, str]]:
    return list(ChildHousehold.objects.filter(child=child).order_by("pk")
                .values_list("household_id", "custody"))


def _registering(child: Child) -> list[tuple[int | None, date, date, int]]:
    """(service id, school year start, end, household id) of the child's registrations."""
    return list(Registration.objects.filter(child=child).order_by("pk").values_list(
        "service_id", "school_year__starts_on", "school_year__ends_on", "household_id"))


def _registering_household(
    registrations: Sequence[tuple[int | None, date, date, int]], day: date,
    service_id: int | None, fallback: int,
) -> int:
    """The household that registered the child (to `service_id`, or to any service when
    None) for the school year of `day`; `fallback` when none did."""
    for service, start, end, household_id in registrations:
        if start <= day <= end and (service_id is None or service == service_id):
            return household_id
    return fallback


def custody_month(*, child: Child, month: date) -> CustodyMonth:
    """Which household each day of `month` belongs to, week by week (Monday first)."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    households = child_households(child)
    memberships = _memberships(child)
    registrations = _registering(child)
    agreed = agreed_ranges([child.pk]).get(child.pk, [])
    member_ids = {h for h, _ in memberships}
    fallback = households[0].pk if households else 0
    result = CustodyMonth(first=first, households=households)
    result.assignments = list(
        CustodyAssignment.objects.filter(child=child).select_related("household")
        .order_by("-pk")
    )
    week: list[CustodyDay | None] = [None] * first.weekday()
    day = first
    while day <= last:
        registering = _registering_household(registrations, day, None, fallback)
        week.append(CustodyDay(
            day=day,
            household_id=household_for_day(memberships, day, registering, agreed),
            assigned=agreed_household(agreed, day, member_ids) is not None,
        ))
        if len(week) == 7:
            result.weeks.append(week)
            week = []
        day += timedelta(days=1)
    if week:
        result.weeks.append(week + [None] * (7 - len(week)))
    return result


# --- Writes ---------------------------------------------------------------------------------


@dataclass
class CustodyChange:
    assignment: CustodyAssignment
    moved: int = 0  # non-invoiced bookings now billed to the other household
    invoiced: int = 0  # invoiced bookings that would have moved: left unchanged
    notified: int = 0  # households emailed about the change


def _validate(*, child: Child, household: Household | None, starts_on: date | None,
              ends_on: date | None, weekdays: Iterable[int]) -> None:
    errors: dict[str, list[str]] = {}
    if household is None or not ChildHousehold.objects.filter(
        child=child, household=household
    ).exists():
        errors["household"] = ["Choisissez un des foyers de l'enfant."]
    if starts_on is None:
        errors["starts_on"] = ["Indiquez la date de début."]
    if ends_on is None:
        errors["ends_on"] = ["Indiquez la date de fin."]
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = [
                "La date de fin doit être postérieure ou égale à la date de début."]
        elif (ends_on - starts_on).days >= MAX_SPAN_DAYS:
            errors["ends_on"] = ["Une attribution ne peut pas dépasser un an."]
    if any(d not in range(1, 8) for d in weekdays):
        errors["weekdays"] = ["Jour de la semaine inconnu."]
    if errors:
        raise ValidationError(errors)


def _rehome_bookings(*, child: Child, starts_on: date, ends_on: date, reason: str,
                     acting_user: Any) -> tuple[int, int]:
    """Give each booking of the child in [starts_on, ends_on] the household its day now
    belongs to. Returns (moved, invoiced left alone)."""
    memberships = _memberships(child)
    registrations = _registering(child)
    agreed = agreed_ranges([child.pk]).get(child.pk, [])
    fallback = memberships[0][0] if memberships else 0
    bookings = list(Booking.objects.select_for_update().filter(
        child=child, day__gte=starts_on, day__lte=ends_on))
    moved: list[Booking] = []
    invoiced = 0
    for booking in bookings:
        registering = _registering_household(registrations, booking.day, booking.service_id,
                                             booking.household_id or fallback)
        target = household_for_day(memberships, booking.day, registering, agreed)
        if target == booking.household_id:
            continue
        if booking.invoiced:
            invoiced += 1
            continue
        booking.household_id = target
        moved.append(booking)
    Booking.objects.bulk_update(moved, ["household"])
    BookingEvent.objects.bulk_create([
        BookingEvent(booking=b, from_state=b.state, to_state=b.state, reason=reason,
                     actor_id=getattr(acting_user, "pk", None),
                     actor_email=getattr(acting_user, "email", "") or "", actor_is_agent=True)
        for b in moved
    ])
    return len(moved), invoiced


@transaction.atomic
def custody_assign(
    *, child: Child, household: Household | None, starts_on: date | None,
    ends_on: date | None, weekdays: Iterable[int] = (), acting_user: Any,
) -> CustodyChange:
    """Assign the child's days from `starts_on` to `ends_on` (only `weekdays` when given)
    to `household`, one of the child's households; it wins over older assignments.
    Refused with French errors per field. Non-invoiced bookings of those days move to
    that household. Both households are told by email."""
    weekdays = sorted(set(weekdays))
    _validate(child=child, household=household, starts_on=starts_on, ends_on=ends_on,
              weekdays=weekdays)
    if household is None or starts_on is None or ends_on is None:  # refused above
        raise ValidationError("Attribution incomplète.")
    Child.objects.select_for_update().filter(pk=child.pk).first()  # one change at a time
    assignment = CustodyAssignment.objects.create(
        child=child, household=household, starts_on=starts_on, ends_on=ends_on,
        weekdays=weekdays, created_by_email=getattr(acting_user, "email", "") or "",
    )
    moved, invoiced = _rehome_bookings(child=child, starts_on=starts_on, ends_on=ends_on,
                                       reason=f"custody:{assignment.pk}",
                                       acting_user=acting_user)
    notified = custody_change_notify(assignment=assignment, moved=moved, removed=False)
    return CustodyChange(assignment=assignment, moved=moved, invoiced=invoiced,
                         notified=notified)


@transaction.atomic
def custody_assignment_delete(
    *, assignment: CustodyAssignment, acting_user: Any
) -> CustodyChange:
    """Remove an assignment: its days go back to what the other assignments and the
    custody pattern say; non-invoiced bookings follow."""
    Child.objects.select_for_update().filter(pk=assignment.child_id).first()
    child = assignment.child
    starts_on, ends_on, pk = assignment.starts_on, assignment.ends_on, assignment.pk
    assignment.delete()
    assignment.pk = pk
    moved, invoiced = _rehome_bookings(child=child, starts_on=starts_on, ends_on=ends_on,
                                       reason=f"custody:{pk}:delete", acting_user=acting_user)
    notified = custody_change_notify(assignment=assignment, moved=moved, removed=True)
    return CustodyChange(assignment=assignment, moved=moved, invoiced=invoiced,
                         notified=notified)
