"""Rows the billing tests build (inside a commune's schema)."""

from datetime import date, timedelta
from typing import Any

from tenant_apps.billing import pricing
from tenant_apps.billing.models import Tariff
from tenant_apps.billing.tariffs import tariff_create
from tenant_apps.bookings.models import Booking
from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Child, Guardian, Household
from tests.bookings import support as bookings

NOV_1 = date(2026, 11, 1)
NOV_30 = date(2026, 11, 30)
MONDAY = date(2026, 11, 2)


def service(**fields: Any) -> Service:
    return bookings.service(**fields)


def tariff(service_: Service, actor: Any, *, amount_cents: int = 400,
           brackets: tuple[pricing.Bracket, ...] = (), **fields: Any) -> Tariff:
    values: dict[str, Any] = {
        "effective_from": date(2026, 9, 1), "effective_to": None,
        "kind": pricing.QF_BRACKETS if brackets else pricing.FLAT,
        "amount_cents": amount_cents,
    }
    values.update(fields)
    return tariff_create(service=service_, fields=values, brackets=brackets,
                         acting_user=actor)


def family(service_: Service, *, name: str | None = None, email: str = "",
           **household_fields: Any) -> tuple[Household, Child]:
    household, child = bookings.registered_child(service_, name=name)
    if household_fields:
        Household.objects.filter(pk=household.pk).update(**household_fields)
        household.refresh_from_db()
    guardian = Guardian.objects.create(household=household, last_name=household.name,
                                       first_name="Camille", email=email)
    Household.objects.filter(pk=household.pk).update(billing_guardian=guardian)
    return household, child


def book(child: Child, service_: Service, household: Household, day: date,
         state: str = "booked") -> Booking:
    return Booking.objects.create(child=child, service=service_, household=household, day=day,
                                  state=state)


def book_days(child: Child, service_: Service, household: Household, days: int,
              start: date = MONDAY, state: str = "booked") -> list[Booking]:
    out = []
    day = start
    while len(out) < days:
        if day.isoweekday() in service_.weekdays:
            out.append(book(child, service_, household, day, state))
        day += timedelta(days=1)
    return out
