"""Reading what the booking rules need from the database, one cell or one week at a time."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from tenant_apps.accounts.models import AGENT_ROLES
from tenant_apps.bookings.calendar import service_runs_on
from tenant_apps.bookings.custody import agreed_ranges
from tenant_apps.bookings.models import PLACE_HOLDING_STATES, Booking, ClosurePeriod
from tenant_apps.bookings.rules import (
    CellStatus,
    Deadlines,
    cell_status,
    deadlines_for_day,
    household_for_day,
)
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.commune_settings.models import CommuneSettings
from tenant_apps.families.models import Child, ChildHousehold, Household
from tenant_apps.schooling.models import Enrolment


def school_holiday_zone() -> str:
    """The commune's school holiday zone (B until it is set)."""
    zone = CommuneSettings.objects.values_list("school_holiday_zone", flat=True).first()
    return zone or "B"


def actor_is_agent(actor: object) -> bool:
    return getattr(actor, "role", None) in AGENT_ROLES


def service_deadlines(service: Service, day: date) -> Deadlines:
    return deadlines_for_day(
        day,
        book_until=service.book_until, book_days_before=service.book_days_before,
        book_day_count=service.book_day_count, cancel_until=service.cancel_until,
        cancel_days_before=service.cancel_days_before, cancel_day_count=service.cancel_day_count,
    )


def registration_for(child: Child, service: Service, day: date) -> Registration | None:
    """The child's registration to the service for the school year containing `day`."""
    return (
        Registration.objects.filter(
            child=child, service=service,
            school_year__starts_on__lte=day, school_year__ends_on__gte=day,
        )
        .select_related("household")
        .order_by("pk")
        .first()
    )


def _class_ids(
    child_ids: list[int], first: date, last: date
) -> dict[int, dict[int, tuple[date, date]]]:
    """Per child, its class ids in school years overlapping [first, last], with the
    year's dates."""
    rows = Enrolment.objects.filter(
        child_id__in=child_ids, school_year__starts_on__lte=last, school_year__ends_on__gte=first
    ).values_list("child_id", "school_class_id", "school_year__starts_on", "school_year__ends_on")
    result: dict[int, dict[int, tuple[date, date]]] = defaultdict(dict)
    for child_id, class_id, start, end in rows:
        result[child_id][class_id] = (start, end)
    return result


def closed_days_for(
    child_ids: list[int], service_ids: list[int], first: date, last: date
) -> set[tuple[int, int, date]]:
    """(child id, service id, day) triples in [first, last] closed for the child's class;
    two queries whatever the number of children and services."""
    classes = _class_ids(child_ids, first, last)
    class_ids = {class_id for per_child in classes.values() for class_id in per_child}
    if not class_ids or not service_ids:
        return set()
    closures = (
        ClosurePeriod.objects.filter(
            deleted_at__isnull=True, starts_on__lte=last, ends_on__gte=first,
            services__in=service_ids, classes__in=class_ids,
        )
        .values_list("services", "classes", "starts_on", "ends_on")
        .distinct()
    )
    result: set[tuple[int, int, date]] = set()
    for service_id, class_id, starts_on, ends_on in closures:
        if service_id not in service_ids:
            continue
        for child_id, per_child in classes.items():
            if class_id not in per_child:
                continue
            year_start, year_end = per_child[class_id]
            day = max(starts_on, first, year_start)
            while day <= min(ends_on, last, year_end):
                result.add((child_id, service_id, day))
                day += timedelta(days=1)
    return result


def closed_days(
    child: Child, service_ids: list[int], first: date, last: date
) -> set[tuple[int, date]]:
    """(service id, day) pairs in [first, last] closed for the child's class."""
    return {
        (service_id, day)
        for _child, service_id, day in closed_days_for([child.pk], service_ids, first, last)
    }


def places_taken(service: Service, day: date) -> int:
    return Booking.objects.filter(service=service, day=day, state__in=PLACE_HOLDING_STATES).count()


@dataclass(frozen=True)
class Cell:
    day: date
    status: CellStatus
    # The household the day belongs to (shared custody); None when not registered.
    household_id: int | None = None


@dataclass(frozen=True)
class ServiceWeek:
    service: Service
    household_id: int
    cells: list[Cell]


@dataclass(frozen=True)
class ChildWeek:
    child: Child
    services: list[ServiceWeek]


def week_cells(
    *, child: Child, monday: date, actor: object, now: datetime | None = None
) -> list[ServiceWeek]:
    """Each service the child is registered to in the week, with its seven cells."""
    weeks = _children_weeks([child], monday=monday, actor=actor, now=now)
    return weeks[0].services


def household_week(
    *, household: Household, monday: date, actor: object, now: datetime | None = None
) -> list[ChildWeek]:
    """The week of every child of the household (the portal's grid), in a fixed number
    of queries whatever the number of children and services."""
    children = list(
        Child.objects.filter(memberships__household=household)
        .order_by("birth_date", "first_name", "pk")
        .distinct()
    )
    return _children_weeks(children, monday=monday, actor=actor, now=now)


def household_week_of_children(
    *, children: list[Child], monday: date, actor: object, now: datetime | None = None
) -> list[ChildWeek]:
    """The week of the given children (e.g. one row to redraw after a tap)."""
    return _children_weeks(children, monday=monday, actor=actor, now=now)


def _children_weeks(
    children: list[Child], *, monday: date, actor: object, now: datetime | None
) -> list[ChildWeek]:
    now = now or timezone.now()
    sunday = monday + timedelta(days=6)
    days = [monday + timedelta(days=offset) for offset in range(7)]
    child_ids = [child.pk for child in children]
    registrations = list(
        Registration.objects.filter(
            child_id__in=child_ids, school_year__starts_on__lte=sunday,
            school_year__ends_on__gte=monday,
        )
        .select_related("service", "school_year")
        .order_by("service__kind", "service__name", "pk")
    )
    services: dict[int, Service] = {}
    # Per child and service: the registering household of each registered day.
    registered: dict[tuple[int, int], dict[date, int]] = {}
    for registration in registrations:
        services.setdefault(registration.service_id, registration.service)
        per_day = registered.setdefault((registration.child_id, registration.service_id), {})
        for day in days:
            if registration.school_year.starts_on <= day <= registration.school_year.ends_on:
                per_day.setdefault(day, registration.household_id)
    service_ids = list(services)
    memberships: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for child_id, household_id, custody in ChildHousehold.objects.filter(
        child_id__in=child_ids
    ).values_list("child_id", "household_id", "custody"):
        memberships[child_id].append((household_id, custody))
    bookings = {
        (b.child_id, b.service_id, b.day): b
        for b in Booking.objects.filter(child_id__in=child_ids, day__range=(monday, sunday),
                                        service_id__in=service_ids)
    }
    taken = {
        (row["service_id"], row["day"]): row["n"]
        for row in Booking.objects.filter(
            service_id__in=service_ids, day__range=(monday, sunday),
            state__in=PLACE_HOLDING_STATES,
        ).values("service_id", "day").annotate(n=Count("pk"))
    }
    closed = closed_days_for(child_ids, service_ids, monday, sunday)
    agreed = agreed_ranges(child_ids, first=monday, last=sunday)
    zone = school_holiday_zone()
    is_agent = actor_is_agent(actor)
    deadlines = {
        (service_id, day): service_deadlines(service, day)
        for service_id, service in services.items() for day in days
    }
    runs = {
        (service_id, day): service.active
        and service_runs_on(service.weekdays, service.calendar, day, zone)
        for service_id, service in services.items() for day in days
    }
    result = []
    for child in children:
        rows = []
        for service_id, service in services.items():
            child_days = registered.get((child.pk, service_id))
            if child_days is None:
                continue
            cells = []
            for day in days:
                booking = bookings.get((child.pk, service_id, day))
                places_left = (
                    None if service.capacity is None
                    else service.capacity - taken.get((service_id, day), 0)
                )
                registering = child_days.get(day)
                status = cell_status(
                    state=booking.state if booking else "",
                    invoiced=bool(booking and booking.invoiced),
                    registered=registering is not None,
                    runs=runs[(service_id, day)],
                    closed=(child.pk, service_id, day) in closed,
                    places_left=places_left,
                    now=now,
                    deadlines=deadlines[(service_id, day)],
                    is_agent=is_agent,
                )
                day_household = (
                    booking.household_id if booking
                    else household_for_day(memberships[child.pk], day, registering,
                                           agreed.get(child.pk, ()))
                    if registering is not None else None
                )
                cells.append(Cell(day=day, status=status, household_id=day_household))
            registering_household = next(iter(child_days.values()), 0)
            rows.append(ServiceWeek(service=service, household_id=registering_household,
                                    cells=cells))
        result.append(ChildWeek(child=child, services=rows))
    return result
