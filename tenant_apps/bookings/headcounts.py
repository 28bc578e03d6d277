"""Reads of the agents' views: the attendance sheet, headcounts (effectifs), the waiting
list and a child's booking history. Each is a fixed number of queries, whatever the rows."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import CharField, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tenant_apps.bookings.attendance import BOOKED_STATES
from tenant_apps.bookings.models import Booking, BookingEvent, BookingState
from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Child
from tenant_apps.schooling.models import Enrolment, SchoolYear

# Rows of the attendance sheet: the family's bookings and the unbooked presences.
SHEET_STATES = (*BOOKED_STATES, BookingState.UNBOOKED_PRESENCE)
NO_SCHOOL = "Sans classe"


def school_year_of(day: date) -> SchoolYear | None:
    """The school year `day` falls in, else the current one."""
    return (
        SchoolYear.objects.filter(starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on").first()
        or SchoolYear.objects.filter(is_current=True).first()
    )


def _enrolment(year: SchoolYear | None, column: str) -> Subquery:
    return Subquery(
        Enrolment.objects.filter(child=OuterRef("child_id"), school_year=year)
        .values(column)[:1]
    )


def services_for_attendance() -> QuerySet[Service]:
    return Service.objects.filter(active=True).order_by("name")


def attendance_sheet(
    *, service: Service, day: date, year: SchoolYear | None,
    school_id: int | None = None, class_id: int | None = None, child_id: int | None = None,
) -> list[Booking]:
    """Children expected (booked) or present without a booking, by name, with their class."""
    rows = (
        Booking.objects.filter(service=service, day=day, state__in=SHEET_STATES)
        .select_related("child")
        .annotate(
            class_name=_enrolment(year, "school_class__name"),
            school_name=_enrolment(year, "school_class__school__name"),
        )
        .order_by("child__last_name", "child__first_name", "pk")
    )
    if child_id:
        rows = rows.filter(child_id=child_id)
    if class_id:
        rows = rows.filter(child__enrolments__school_year=year,
                           child__enrolments__school_class_id=class_id)
    elif school_id:
        rows = rows.filter(child__enrolments__school_year=year,
                           child__enrolments__school_class__school_id=school_id)
    return list(rows)


def unbooked_candidates(
    *, service: Service, day: date, year: SchoolYear | None, class_id: int | None = None,
    school_id: int | None = None,
) -> list[Child]:
    """Children registered to the service that are not on the sheet for `day`."""
    if year is None:
        return []
    on_sheet = Booking.objects.filter(service=service, day=day, state__in=SHEET_STATES)
    children = (
        Child.objects.filter(registrations__service=service, registrations__school_year=year)
        .exclude(pk__in=on_sheet.values("child_id"))
    )
    if class_id:
        children = children.filter(enrolments__school_year=year,
                                   enrolments__school_class_id=class_id)
    elif school_id:
        children = children.filter(enrolments__school_year=year,
                                   enrolments__school_class__school_id=school_id)
    return list(children.distinct().order_by("last_name", "first_name", "pk"))


@dataclass
class Headcount:
    """Counts of one service and school over one day (or summed over a week)."""

    expected: int = 0  # booked by the family (place-holding, unbooked presences aside)
    attended: int = 0
    absent_justified: int = 0
    absent_unjustified: int = 0
    unbooked_presence: int = 0
    unmarked: int = 0  # still "booked": attendance not taken yet
    waiting: int = 0

    @property
    def present(self) -> int:
        return self.attended + self.unbooked_presence

    def add(self, other: "Headcount") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class HeadcountRow:
    service_name: str
    school_name: str
    days: dict[date, Headcount] = field(default_factory=dict)
    total: Headcount = field(default_factory=Headcount)
    service_id: int | None = None
    school_id: int | None = None  # None: children without a class that school year

    def cells(self, days: list[date]) -> list[Headcount | None]:
        return [self.days.get(day) for day in days]


def _counts() -> dict[str, Any]:
    def count(*states: str) -> Count:
        return Count("id", filter=Q(state__in=states))

    return {
        "expected": count(*BOOKED_STATES),
        "attended": count(BookingState.ATTENDED),
        "absent_justified": count(BookingState.ABSENT_JUSTIFIED),
        "absent_unjustified": count(BookingState.ABSENT_UNJUSTIFIED),
        "unbooked_presence": count(BookingState.UNBOOKED_PRESENCE),
        "unmarked": count(BookingState.BOOKED),
        "waiting": count(BookingState.WAITING),
    }


def headcounts(
    *, start: date, end: date, service_id: int | None = None, school_id: int | None = None,
    year: SchoolYear | None = None,
) -> list[HeadcountRow]:
    """Per service and school (the child's class in `year`, by default the school year of
    `start`), counts per day from `start` to `end` inclusive, with a total. One query
    (and the school year's when not given)."""
    year = year or school_year_of(start)
    school_of_child = Coalesce(
        _enrolment(year, "school_class__school__name"), Value(NO_SCHOOL, output_field=CharField())
    )
    bookings = Booking.objects.filter(day__gte=start, day__lte=end)
    if service_id:
        bookings = bookings.filter(service_id=service_id)
    if school_id:
        bookings = bookings.filter(child__enrolments__school_year=year,
                                   child__enrolments__school_class__school_id=school_id)
    grouped = (
        bookings.annotate(school_label=school_of_child,
                          school_ref=_enrolment(year, "school_class__school_id"))
        .values("service__name", "service_id", "school_label", "school_ref", "day")
        .annotate(**_counts())
        .order_by("service__name", "service_id", "school_label", "school_ref", "day")
    )
    rows: dict[tuple[str, int, str, int | None], HeadcountRow] = {}
    for item in grouped:
        key = (item["service__name"], item["service_id"], item["school_label"],
               item["school_ref"])
        row = rows.setdefault(key, HeadcountRow(service_name=key[0], school_name=key[2],
                                                service_id=key[1], school_id=key[3]))
        count = Headcount(**{name: item[name] for name in Headcount.__dataclass_fields__})
        row.days[item["day"]] = count
        row.total.add(count)
    return list(rows.values())


@dataclass
class ServiceDayBooked:
    """One service's bookings of one day, as the dashboard shows them."""

    booked: int = 0  # "réservés": booked by families (attendance marked or not)
    present: int = 0
    waiting: int = 0
    by_school: list[tuple[str, int | None, int]] = field(default_factory=list)  # name, id, n


def booked_by_service(rows: list[HeadcountRow]) -> dict[int, ServiceDayBooked]:
    """Per service id, the totals and per-school "réservés" of `headcounts` rows (one day)."""
    result: dict[int, ServiceDayBooked] = {}
    for row in rows:
        if row.service_id is None:
            continue
        figure = result.setdefault(row.service_id, ServiceDayBooked())
        figure.booked += row.total.expected
        figure.present += row.total.present
        figure.waiting += row.total.waiting
        if row.total.expected:
            figure.by_school.append((row.school_name, row.school_id, row.total.expected))
    return result


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=n) for n in range(7)]


def headcount_totals(rows: list[HeadcountRow], days: list[date]) -> list[Headcount]:
    """Per day of `days`, the sum over `rows`."""
    totals: dict[date, Headcount] = defaultdict(Headcount)
    for row in rows:
        for day in days:
            if day in row.days:
                totals[day].add(row.days[day])
    return [totals[day] for day in days]


def waiting_list(*, service: Service, day: date) -> list[Booking]:
    """The waiting list of a service on a day, first come first served."""
    return list(
        Booking.objects.filter(service=service, day=day, state=BookingState.WAITING)
        .select_related("child", "household")
        .order_by(Coalesce("waiting_since", "created_at"), "pk")
    )


def waiting_days(*, start: date) -> list[dict[str, Any]]:
    """Services and days with a waiting list from `start` on: where to look."""
    return list(
        Booking.objects.filter(day__gte=start, state=BookingState.WAITING)
        .values("service_id", "service__name", "day")
        .annotate(waiting=Count("id"))
        .order_by("day", "service__name")[:100]
    )


def child_history(*, child: Child, limit: int = 200) -> list[Booking]:
    """A child's bookings, latest day first, each with its trail of events."""
    return list(
        Booking.objects.filter(child=child)
        .select_related("service", "household")
        .prefetch_related(Prefetch("events", queryset=BookingEvent.objects.order_by("-at", "-id")))
        .order_by("-day", "service__name")[:limit]
    )


def child_waiting(*, child: Child, start: date) -> list[Booking]:
    """The child's waiting-list entries from `start` on, each with its `rank` on the list
    of its service-day (1 = next to get a place). One query."""
    queued = Coalesce("waiting_since", "created_at")
    ahead = (
        Booking.objects.filter(service_id=OuterRef("service_id"), day=OuterRef("day"),
                               state=BookingState.WAITING)
        .annotate(queued=queued)
        .filter(Q(queued__lt=OuterRef("queued"))
                | Q(queued=OuterRef("queued"), pk__lt=OuterRef("pk")))
        .values("day").annotate(n=Count("pk")).values("n")[:1]
    )
    return list(
        Booking.objects.filter(child=child, state=BookingState.WAITING, day__gte=start)
        .select_related("service")
        .annotate(queued=queued)
        .annotate(rank=Coalesce(Subquery(ahead), Value(0)) + 1)
        .order_by("day", "service__name")[:50]
    )
