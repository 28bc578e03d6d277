"""The demo's bookings: a school year booked through mass booking, past days marked,
one school trip closure; re-seeding changes nothing."""

from datetime import date

import pytest

from provisioning.demo_bookings import TRIP_LABEL, seed_bookings
from provisioning.demo_families import DemoHousehold, seed_families
from tenant_apps.bookings.models import Booking, BookingEvent, BookingState, ClosurePeriod
from tenant_apps.catalog.models import Registration
from tests.conftest import inside

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)


def snapshot():
    return (
        sorted(Booking.objects.values_list("child_id", "service_id", "day", "state")),
        BookingEvent.objects.count(),
        list(ClosurePeriod.objects.values_list("label", "starts_on")),
    )


def test_demo_bookings_cover_the_year_marked_and_idempotent(commune_alpha):
    households = [DemoHousehold(n, "Martin", (("Camille", f"camille{n}@alpha.demo"),))
                  for n in range(25)]
    with inside(commune_alpha):
        seed_families(slug="alpha", town="Alphaville", households=households)
        created = seed_bookings(slug="alpha", today=TODAY)
        assert created > 0
        bookings = Booking.objects.all()
        assert min(b.day for b in bookings) >= date(2026, 9, 1)
        assert max(b.day for b in bookings) <= date(2026, 12, 22)
        # Every registered child has bookings on 3 or 4 weekdays of each 4-day service.
        for registration in Registration.objects.filter(service__name="Repas enfant"):
            weekdays = {b.day.isoweekday() for b in bookings
                        if (b.child_id, b.service_id) == (registration.child_id,
                                                          registration.service_id)}
            assert len(weekdays) in (3, 4), weekdays
        past = [b for b in bookings if b.day < TODAY and b.state != BookingState.WAITING]
        future = [b for b in bookings if b.day >= TODAY]
        assert past and future
        assert not any(b.state == BookingState.BOOKED for b in past)
        states = {b.state for b in past}
        assert {BookingState.ATTENDED, BookingState.ABSENT_JUSTIFIED,
                BookingState.ABSENT_UNJUSTIFIED} <= states
        attended = sum(b.state == BookingState.ATTENDED for b in past)
        assert attended / len(past) > 0.8
        assert {b.state for b in future} <= {BookingState.BOOKED, BookingState.WAITING,
                                             BookingState.CANCELLED}
        trip = ClosurePeriod.objects.get(label=TRIP_LABEL)
        assert trip.starts_on == trip.ends_on and trip.starts_on.isoweekday() == 4
        assert TODAY < trip.starts_on <= date(2026, 12, 22)

        before = snapshot()
        assert seed_bookings(slug="alpha", today=TODAY) == 0
        assert snapshot() == before
