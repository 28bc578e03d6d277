"""Rows the reminder tests build (inside a commune's schema)."""

from datetime import UTC, date, datetime, time
from typing import Any

from tenant_apps.bookings.models import Booking
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Guardian, Household
from tenant_apps.reminders.models import BookingReminder
from tenant_apps.reminders.services import reminder_save
from tests.bookings import support as bookings
from tests.schooling import support as schooling

# Wednesday 25 November 2026, 18:00 in Paris (UTC+1): about the week of Monday 30 November.
WED_18H = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
NEXT_MONDAY = date(2026, 11, 30)
LONG_AGO = datetime(2026, 9, 1, tzinfo=UTC)


def guardian(household: Household, email: str) -> Guardian:
    return Guardian.objects.create(household=household, last_name=household.name.split()[-1],
                                   first_name="Parent", email=email)


def family(service: Service | None, *, emails: tuple[str, ...] = ()) -> Household:
    """A household with one child registered to `service` (None: not registered)."""
    if service is None:
        household, _ = schooling.family()
    else:
        household, _ = bookings.registered_child(service)
    for email in emails or (f"{household.name.replace(' ', '.').lower()}@famille.example",):
        guardian(household, email)
    return household


def book(household: Household, service: Service, day: date, state: str = "booked") -> Booking:
    child = Registration.objects.filter(household=household).first().child  # type: ignore[union-attr]
    return Booking.objects.create(child=child, service=service, household=household, day=day,
                                  state=state)


def reminder(actor: Any, *, weekday: int = 3, at: time = time(18, 0),
             audience: str = "unbooked", set_at: datetime = LONG_AGO) -> BookingReminder:
    return reminder_save(reminder=None, acting_user=actor, now=set_at, weekday=weekday, at=at,
                         audience=audience, subject="Pensez à réserver",
                         body="Pensez à réserver la semaine prochaine avant jeudi.")


def world() -> dict[str, Any]:
    """A meal service (Mon, Tue, Thu, Fri) and households in every situation."""
    bookings.school_year()
    service = bookings.service(name=f"Repas {next(schooling._seq)}")
    idle = bookings.service(name=f"Ancien {next(schooling._seq)}", active=False)
    w: dict[str, Any] = {"service": service}
    w["unbooked"] = family(service, emails=("a@famille.example", "b@famille.example",
                                            "A@Famille.example"))
    w["booked"] = family(service)
    book(w["booked"], service, date(2026, 12, 1))
    w["cancelled"] = family(service)
    book(w["cancelled"], service, NEXT_MONDAY, state="cancelled")
    w["waiting"] = family(service)
    book(w["waiting"], service, NEXT_MONDAY, state="waiting")
    w["booked_other_week"] = family(service)
    book(w["booked_other_week"], service, date(2026, 11, 26))
    w["not_registered"] = family(None)
    w["idle_service"] = family(idle)
    w["no_email"] = family(service, emails=("",))
    return w
