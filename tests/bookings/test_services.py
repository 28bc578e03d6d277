"""Booking services: rules enforced, events written, waiting list and promotion."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking, BookingEvent, ClosurePeriod
from tenant_apps.families.models import Guardian
from tenant_apps.outbox.models import OutboxMessage
from tests.bookings import support
from tests.bookings.support import AFTER, BEFORE, MONDAY
from tests.conftest import inside, make_user
from tests.schooling import support as schooling

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(commune_alpha):
    return make_user(commune_alpha, role="agent")


def test_book_and_cancel_write_events(commune_alpha, agent):
    with inside(commune_alpha):
        service = support.service()
        household, child = support.registered_child(service)
        booking = services.booking_book(child=child, service=service, day=MONDAY, actor=agent,
                                        now=BEFORE)
        assert (booking.state, booking.household_id) == ("booked", household.pk)
        with pytest.raises(ValidationError, match="déjà réservé"):
            services.booking_book(child=child, service=service, day=MONDAY, actor=agent,
                                  now=BEFORE)
        services.booking_cancel(child=child, service=service, day=MONDAY, actor=agent,
                                now=BEFORE)
        services.booking_book(child=child, service=service, day=MONDAY, actor=agent, now=BEFORE)
        assert Booking.objects.filter(child=child).count() == 1
        events = list(BookingEvent.objects.filter(booking=booking).order_by("id")
                      .values_list("from_state", "to_state", "past_deadline"))
        assert events == [("", "booked", False), ("booked", "cancelled", False),
                          ("cancelled", "booked", False)]


def test_refusals_in_french(commune_alpha, agent):
    with inside(commune_alpha):
        service = support.service()
        _, child = support.registered_child(service)
        other = support.service()
        with pytest.raises(ValidationError, match="pas inscrit"):
            services.booking_book(child=child, service=other, day=MONDAY, actor=agent,
                                  now=BEFORE)
        with pytest.raises(ValidationError, match="n'a pas lieu"):  # Wednesday
            services.booking_book(child=child, service=service, day=MONDAY + timedelta(days=2),
                                  actor=agent, now=BEFORE)
        with pytest.raises(ValidationError, match="pas de réservation à annuler"):
            services.booking_cancel(child=child, service=service, day=MONDAY, actor=agent,
                                    now=BEFORE)
        reader = make_user(commune_alpha, role="read_only")
        connection_back = inside(commune_alpha)
        with connection_back, pytest.raises(ValidationError, match="rôle"):
            services.booking_book(child=child, service=service, day=MONDAY, actor=reader,
                                  now=BEFORE)


def test_closed_day_for_the_childs_class(commune_alpha, agent):
    with inside(commune_alpha):
        service = support.service()
        klass = schooling.school_class(schooling.school(), support.school_year())
        _, child = support.registered_child(service, school_class=klass)
        closure = ClosurePeriod.objects.create(label="Grève", starts_on=MONDAY, ends_on=MONDAY)
        closure.services.add(service)
        closure.classes.add(klass)
        with pytest.raises(ValidationError, match="fermée"):
            services.booking_book(child=child, service=service, day=MONDAY, actor=agent,
                                  now=BEFORE)
        services.booking_book(child=child, service=service, day=MONDAY + timedelta(days=1),
                              actor=agent, now=BEFORE)


def test_past_deadline_family_refused_agent_flagged(commune_alpha, agent):
    with inside(commune_alpha):
        service = support.service()
        household, child = support.registered_child(service)
        parent = make_user(commune_alpha, role="guardian")
    with inside(commune_alpha):
        Guardian.objects.create(household=household, user=parent, last_name="P", first_name="Q")
        booking = services.booking_book(child=child, service=service, day=MONDAY, actor=parent,
                                        now=BEFORE)
        with pytest.raises(ValidationError, match="date limite d'annulation"):
            services.booking_cancel(child=child, service=service, day=MONDAY, actor=parent,
                                    now=AFTER)
        services.booking_cancel(child=child, service=service, day=MONDAY, actor=agent, now=AFTER)
        event = BookingEvent.objects.filter(booking=booking).order_by("-id").first()
        assert event.past_deadline and event.actor_is_agent
        stranger, (other_child,) = schooling.family()
        with pytest.raises(ValidationError, match="pas rattaché"):
            services.booking_book(child=other_child, service=service, day=MONDAY, actor=parent,
                                  now=BEFORE)


def test_invoiced_booking_never_changes(commune_alpha, agent):
    with inside(commune_alpha):
        service = support.service()
        _, child = support.registered_child(service)
        booking = services.booking_book(child=child, service=service, day=MONDAY, actor=agent,
                                        now=BEFORE)
        Booking.objects.filter(pk=booking.pk).update(invoiced=True)
        with pytest.raises(ValidationError, match="facturée"):
            services.booking_cancel(child=child, service=service, day=MONDAY, actor=agent,
                                    now=BEFORE)


def test_waiting_list_promoted_in_order_and_notified(commune_alpha, agent):
    with inside(commune_alpha):
        service = support.service(capacity=1)
        kids = []
        for _ in range(3):
            household, child = support.registered_child(service)
            Guardian.objects.create(household=household, last_name="G", first_name="H",
                                    email=f"g{child.pk}@example.test")
            kids.append(child)
        states = [services.booking_book(child=c, service=service, day=MONDAY, actor=agent,
                                        now=BEFORE + timedelta(minutes=i)).state
                  for i, c in enumerate(kids)]
        assert states == ["booked", "waiting", "waiting"]
        services.booking_cancel(child=kids[0], service=service, day=MONDAY, actor=agent,
                                now=BEFORE)
        by_child = dict(Booking.objects.filter(service=service).values_list("child", "state"))
        assert by_child == {kids[0].pk: "cancelled", kids[1].pk: "booked",
                            kids[2].pk: "waiting"}
        promoted = Booking.objects.get(child=kids[1])
        message = OutboxMessage.objects.get(idempotency_key=f"booking-promoted:{promoted.pk}")
        assert message.recipients == [f"g{kids[1].pk}@example.test"]
        assert "Place confirmée" in message.subject


def test_shared_custody_books_the_household_of_the_week(commune_alpha, agent):
    with inside(commune_alpha):
        service = support.service()
        first_home, child = support.registered_child(service)
        second_home = schooling.second_home(child, "Foyer bis")  # even weeks
        week = services.booking_book_week(child=child, service=service, monday=MONDAY,
                                          actor=agent, now=BEFORE)
        assert len(week.booked) == 4 and not week.refused
        expected = second_home if MONDAY.isocalendar().week % 2 == 0 else first_home
        assert set(Booking.objects.filter(child=child).values_list("household", flat=True)) \
            == {expected.pk}
        again = services.booking_book_week(child=child, service=service, monday=MONDAY,
                                           actor=agent, now=BEFORE)
        assert not again.booked and len(again.refused) == 4
