"""Reading what the booking rules need from the database, one cell or one week at a time."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from tenant_apps.accounts.models import AGENT_ROLES
from tenant_apps.bookings.calendar import service_runs_on
from tenant_apps.bookings.models import PLACE_HOLDING_STATES, Booking, ClosurePeriod
from tenant_apps.bookings.rules import CellStatus, Deadlines, cell_status, deadlines_for_day
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.commune_settings.models import CommuneSettings
from tenant_apps.families.models import Child
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


def _class_ids(child: Child, first: date, last: date) -> dict[int, tuple[date, date]]:
    """The child's class ids in school years overlapping [first, last], with the year's dates."""
    rows = Enrolment.objects.filter(
        child=child, school_year__starts_on__lte=last, school_year__ends_on__gte=first
    ).values_list("school_class_id", "school_year__starts_on", "school_year__ends_on")
    return {class_id: (start, end) for class_id, start, end in rows}


def closed_days(
    child: Child, service_ids: list[int], first: date, last: date
) -> set[tuple[int, date]]:
    """(service id, day) pairs in [first, last] closed for the child's class."""
    classes = _class_ids(child, first, last)
    if not classes:
        return set()
    closures = (
        ClosurePeriod.objects.filter(
            deleted_at__isnull=True, starts_on__lte=last, ends_on__gte=first,
            services__in=service_ids, classes__in=list(classes),
        )
        .values_list("services", "classes", "starts_on", "ends_on")
        .distinct()
    )
    result: set[tuple[int, date]] = set()
    for service_id, class_id, starts_on, ends_on in closures:
        if service_id not in service_ids or class_id not in classes:
            continue
        year_start, year_end = classes[class_id]
        day = max(starts_on, first, year_start)
        while day <= min(ends_on, last, year_end):
            result.add((service_id, day))
            day += timedelta(days=1)
    return result


def places_taken(service: Service, day: date) -> int:
    return Booking.objects.filter(service=service, day=day, state__in=PLACE_HOLDING_STATES).count()


@dataclass(frozen=True)
class Cell:
    day: date
    status: CellStatus


@dataclass(frozen=True)
class ServiceWeek:
    service: Service
    household_id: int
    cells: list[Cell]


def week_cells(
    *, child: Child, monday: date, actor: object, now: datetime | None = None
) -> list[ServiceWeek]:
    """Each service the child is registered to in the week, with its seven cells."""
    now = now or timezone.now()
    sunday = monday + timedelta(days=6)
    registrations = list(
        Registration.objects.filter(
            child=child, school_year__starts_on__lte=sunday, school_year__ends_on__gte=monday
        )
        .select_related("service", "school_year")
        .order_by("service__kind", "service__name", "pk")
    )
    services: dict[int, Service] = {}
    registered: dict[int, set[date]] = {}
    household_of: dict[int, int] = {}
    for registration in registrations:
        services.setdefault(registration.service_id, registration.service)
        household_of.setdefault(registration.service_id, registration.household_id)
        days = registered.setdefault(registration.service_id, set())
        for offset in range(7):
            day = monday + timedelta(days=offset)
            if registration.school_year.starts_on <= day <= registration.school_year.ends_on:
                days.add(day)
    service_ids = list(services)
    bookings = {
        (b.service_id, b.day): b
        for b in Booking.objects.filter(child=child, day__range=(monday, sunday),
                                        service_id__in=service_ids)
    }
    taken = {
        (row["service_id"], row["day"]): row["n"]
        for row in Booking.objects.filter(
            service_id__in=service_ids, day__range=(monday, sunday),
            state__in=PLACE_HOLDING_STATES,
        ).values("service_id", "day").annotate(n=Count("pk"))
    }
    closed = closed_days(child, service_ids, monday, sunday)
    zone = school_holiday_zone()
    is_agent = actor_is_agent(actor)
    result = []
    for service_id, service in services.items():
        cells = []
        for offset in range(7):
            day = monday + timedelta(days=offset)
            booking = bookings.get((service_id, day))
            places_left = (
                None if service.capacity is None
                else service.capacity - taken.get((service_id, day), 0)
            )
            status = cell_status(
                state=booking.state if booking else "",
                invoiced=bool(booking and booking.invoiced),
                registered=day in registered[service_id],
                runs=service.active
                and service_runs_on(service.weekdays, service.calendar, day, zone),
                closed=(service_id, day) in closed,
                places_left=places_left,
                now=now,
                deadlines=service_deadlines(service, day),
                is_agent=is_agent,
            )
            cells.append(Cell(day=day, status=status))
        result.append(ServiceWeek(service=service, household_id=household_of[service_id],
                                  cells=cells))
    return result
