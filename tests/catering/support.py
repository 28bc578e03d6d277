"""Rows the catering tests build (inside a commune's schema)."""

from datetime import UTC, date, datetime, time
from typing import Any

from tenant_apps.bookings.models import Booking
from tenant_apps.catalog.models import Service
from tenant_apps.catering.models import Caterer, CatererSite  # noqa: F401 (tests use it)
from tenant_apps.families.models import Child
from tenant_apps.schooling.models import School, SchoolClass
from tests.bookings import support as bookings
from tests.schooling import support as schooling

MONDAY = bookings.MONDAY  # 2026-11-30, a school week in every zone
LONG_AGO = datetime(2026, 9, 1, tzinfo=UTC)


def caterer(*, schools: list[School], services: list[Service], adults: int = 0,
            until: time = time(9, 0), days_before: int = 0, day_count: str = "working",
            created_at: datetime = LONG_AGO, **fields: Any) -> Caterer:
    values: dict[str, Any] = {"name": f"Prestataire {schooling._seq.__next__()}",
                              "emails": ["commandes@traiteur.example"]}
    values.update(fields)
    row = Caterer.objects.create(cutoff_time=until, cutoff_days_before=days_before,
                                 cutoff_day_count=day_count, **values)
    row.services.set(services)
    for school in schools:
        CatererSite.objects.create(caterer=row, school=school, adult_meals=adults)
    Caterer.objects.filter(pk=row.pk).update(created_at=created_at)
    row.refresh_from_db()
    return row


def child_at(school_class: SchoolClass, service: Service, *, diet: str = "standard",
             has_pai: bool = False) -> Child:
    _, child = bookings.registered_child(service, school_class=school_class)
    Child.objects.filter(pk=child.pk).update(diet=diet, has_pai=has_pai)
    child.refresh_from_db()
    return child


def book(child: Child, service: Service, day: date, state: str = "booked") -> Booking:
    household = child.memberships.first().household  # type: ignore[union-attr]
    return Booking.objects.create(child=child, service=service, household=household, day=day,
                                  state=state)


def setting() -> dict[str, Any]:
    """A school with one class, a meal service (Mon, Tue, Thu, Fri) and a caterer."""
    year = bookings.school_year()
    school = schooling.school()
    klass = schooling.school_class(school, year)
    service = bookings.service(name=f"Repas enfant {schooling._seq.__next__()}")
    return {"year": year, "school": school, "klass": klass, "service": service}
