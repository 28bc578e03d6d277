"""A household with a portal account, its children registered to services, and a week
in the future whose days are all open (for tests of the portal's booking pages)."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from tenant_apps.accounts.models import Role
from tenant_apps.bookings.calendar import is_public_holiday, is_school_holiday
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Child, Guardian, Household
from tenant_apps.schooling.models import SchoolYear
from tests.conftest import inside, make_user
from tests.schooling import support


def open_monday() -> date:
    """The first Monday at least a week ahead whose weekdays are all school days (zone B)."""
    day = timezone.localdate() + timedelta(days=7)
    day += timedelta(days=(7 - day.weekday()) % 7)
    while any(is_school_holiday(day + timedelta(days=i), "B")
              or is_public_holiday(day + timedelta(days=i)) for i in range(5)):
        day += timedelta(days=7)
    return day


def year_of(day: date) -> SchoolYear:
    start = day.year if day.month >= 8 else day.year - 1
    label = f"{start}-{start + 1}"
    return (SchoolYear.objects.filter(label=label).first()
            or support.year(label, current=True))


@dataclass
class PortalFamily:
    user: Any
    household: Household
    children: list[Child]
    services: list[Service]
    monday: date


def portal_family(commune: Any, *, children: int = 1, services: int = 1,
                  **service_fields: Any) -> PortalFamily:
    """A household with a guardian account, `children` children each registered to
    `services` services running Monday, Tuesday, Thursday and Friday."""
    user = make_user(commune, role=Role.GUARDIAN)
    monday = open_monday()
    with inside(commune):
        year = year_of(monday)
        household, kids = support.family(children=children)
        Guardian.objects.create(household=household, user=user, last_name=household.name,
                                first_name="Parent", email=user.email)  # type: ignore[attr-defined]
        made = [support.service(**service_fields) for _ in range(services)]
        for child in kids:
            for service in made:
                Registration.objects.create(child=child, service=service, school_year=year,
                                            household=household)
    return PortalFamily(user, household, kids, made, monday)
