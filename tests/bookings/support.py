"""Rows the booking tests build (inside a commune's schema)."""

from datetime import UTC, date, datetime, time
from typing import Any

from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Child, Household
from tenant_apps.schooling.models import Enrolment, SchoolClass, SchoolYear
from tests.schooling import support

MONDAY = date(2026, 11, 30)  # a school week in every zone
BEFORE = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
AFTER = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def school_year() -> SchoolYear:
    return SchoolYear.objects.filter(label="2026-2027").first() or support.year("2026-2027")


def service(**fields: Any) -> Service:
    values: dict[str, Any] = {"weekdays": [1, 2, 4, 5], "book_until": time(8, 30),
                              "cancel_until": time(8, 30)}
    values.update(fields)
    return support.service(**values)


def registered_child(service_: Service, *, name: str | None = None,
                     school_class: SchoolClass | None = None) -> tuple[Household, Child]:
    year = school_year()
    household, (child,) = support.family(name)
    Registration.objects.create(child=child, service=service_, school_year=year,
                                household=household)
    if school_class is not None:
        Enrolment.objects.create(child=child, school_year=year, school_class=school_class)
    return household, child
