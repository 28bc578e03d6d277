"""The dashboard shows today's "réservés" per service and school from the bookings, links
to the attendance list, and runs a fixed number of queries whatever the bookings."""

import pytest
from django.utils import timezone

from tenant_apps.bookings.models import Booking, BookingState
from tenant_apps.catalog.models import Registration
from tenant_apps.schooling.models import Enrolment
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support

pytestmark = pytest.mark.django_db


class Today:
    def __init__(self) -> None:
        self.day = timezone.localdate()
        year = support.year()
        self.school_a = support.school("École des Tilleuls")
        self.school_b = support.school("École du Port")
        self.class_a = support.school_class(self.school_a, year)
        self.class_b = support.school_class(self.school_b, year)
        self.meal = support.service("Repas du jour", weekdays=[self.day.isoweekday()],
                                    capacity=3)
        self.year = year

    def child(self, klass, state=None, service=None):
        service = service or self.meal
        household, (kid,) = support.family()
        Enrolment.objects.create(child=kid, school_year=self.year, school_class=klass)
        Registration.objects.create(child=kid, service=service, school_year=self.year,
                                    household=household)
        if state:
            Booking.objects.create(child=kid, service=service, household=household,
                                   day=self.day, state=state)
        return kid


def test_dashboard_counts_bookings_per_service_and_school_and_links_to_attendance(
        commune_alpha):
    with inside(commune_alpha):
        t = Today()
        t.child(t.class_a, BookingState.BOOKED)
        t.child(t.class_a, BookingState.ATTENDED)
        t.child(t.class_b, BookingState.ABSENT_JUSTIFIED)
        t.child(t.class_b, BookingState.WAITING)
        t.child(t.class_b, BookingState.CANCELLED)
        t.child(t.class_b)  # registered, not booked
    body = logged_in_client(commune_alpha, make_user(commune_alpha, role="read_only")).get(
        "/gestion/").content.decode()
    assert "Réservés aujourd&#x27;hui" in body or "Réservés aujourd'hui" in body
    assert "École des Tilleuls : <strong>2</strong>" in body
    assert "École du Port : <strong>1</strong>" in body
    assert "1 en liste d&#x27;attente" in body or "1 en liste d'attente" in body
    day = t.day.isoformat()
    assert (f"/gestion/reservations/pointage/?jour={day}&amp;prestation={t.meal.pk}"
            f"&amp;ecole={t.school_a.pk}") in body
    assert "<span class=\"fw-semibold\">3</span>" in body  # réservés / 3 places


def test_dashboard_queries_do_not_grow_with_bookings(commune_alpha, django_assert_max_num_queries):
    with inside(commune_alpha):
        t = Today()
        t.child(t.class_a, BookingState.BOOKED)
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    few = support.real_queries(client, "/gestion/")
    with inside(commune_alpha):
        for n in range(12):
            other = support.service(weekdays=[t.day.isoweekday()])
            klass = t.class_a if n % 2 else t.class_b
            t.child(klass, BookingState.BOOKED, service=other)
            t.child(klass, BookingState.WAITING)
    # Shell (session, user, branding, banner, unread badge), outbox, and the figures:
    # school year, counts, services of the day, registrations and bookings per school;
    # django-tenants sets the search_path before each one (counted by the fixture).
    with django_assert_max_num_queries(30) as captured:
        assert client.get("/gestion/").status_code == 200
    many = sum(1 for q in captured.captured_queries if not q["sql"].startswith("SET "))
    assert few == many <= 14
