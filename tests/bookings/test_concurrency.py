"""Capacity and one-row-per-cell hold when many connections act at once.

Committed-database pattern (tests.committed): every thread has its own connection, so
rows are committed; this module creates uniquely named rows in alpha's schema and
deletes them afterwards."""

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tenant_apps.accounts.models import User
from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking, BookingEvent
from tenant_apps.catalog.models import Registration
from tenant_apps.families.models import Child, ChildHousehold, Guardian, Household
from tenant_apps.schooling.models import SchoolYear
from tests.bookings import support
from tests.bookings.support import BEFORE, MONDAY
from tests.committed import _django_db_marker  # noqa: F401  (commits, no transaction)
from tests.conftest import inside

pytestmark = pytest.mark.django_db
AGENT = SimpleNamespace(role="agent", pk=None, email="agent@example.test")


@pytest.fixture
def world(commune_alpha) -> Iterator[dict[str, Any]]:
    """A throwaway school year and service in alpha, removed with all it gathered."""
    tag = uuid.uuid4().hex[:8]
    with inside(commune_alpha):
        year = SchoolYear.objects.create(label=f"T{tag}", starts_on=date(2026, 9, 1),
                                         ends_on=date(2027, 7, 4))
        service = support.service(name=f"Concurrence {tag}", capacity=3)
    made: dict[str, Any] = {"commune": commune_alpha, "year": year, "service": service,
                            "tag": tag, "users": []}
    try:
        yield made
    finally:
        with inside(commune_alpha):
            children = Child.objects.filter(last_name=f"Conc{tag}")
            bookings = Booking.objects.filter(service=service)
            BookingEvent.objects.filter(booking__in=bookings).delete()
            bookings.delete()
            Registration.objects.filter(service=service).delete()
            households = list(Household.objects.filter(name__startswith=f"Conc{tag}"))
            Guardian.objects.filter(household__in=households).delete()
            ChildHousehold.objects.filter(child__in=children).delete()
            children.delete()
            Household.objects.filter(pk__in=[h.pk for h in households]).delete()
            User.objects.filter(pk__in=[u.pk for u in made["users"]]).delete()
            service.delete()
            year.delete()


def _child(world: dict[str, Any], n: int) -> tuple[Household, Child]:
    household = Household.objects.create(name=f"Conc{world['tag']} {n}")
    child = Child.objects.create(last_name=f"Conc{world['tag']}", first_name=f"E{n}",
                                 birth_date=date(2018, 1, 1))
    ChildHousehold.objects.create(child=child, household=household)
    Registration.objects.create(child=child, service=world["service"],
                                school_year=world["year"], household=household)
    return household, child


def _run_together(commune: Any, jobs: list[Callable[[], None]]) -> list[BaseException]:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            connection.set_tenant(commune)
            barrier.wait()
            job()
        except BaseException as error:  # collected and checked by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_the_last_places_go_to_exactly_capacity_families(world):
    commune, service = world["commune"], world["service"]
    with inside(commune):
        _, first = _child(world, 0)
        services.booking_book(child=first, service=service, day=MONDAY, actor=AGENT,
                              now=BEFORE)
        kids = [_child(world, n)[1] for n in range(1, 9)]

    def book(child: Child) -> Callable[[], None]:
        def job() -> None:
            services.booking_book(child=child, service=service, day=MONDAY, actor=AGENT,
                                  now=BEFORE)
        return job

    assert _run_together(commune, [book(child) for child in kids]) == []
    with inside(commune):
        states = list(Booking.objects.filter(service=service, day=MONDAY)
                      .values_list("state", flat=True))
        assert sorted(states) == ["booked"] * 3 + ["waiting"] * 6
        # Cancelling a place promotes the longest-waiting family, and only one.
        services.booking_cancel(child=first, service=service, day=MONDAY, actor=AGENT,
                                now=BEFORE)
        assert Booking.objects.filter(service=service, day=MONDAY, state="booked").count() == 3


def test_two_guardians_toggling_one_cell_leave_one_consistent_row(world):
    commune, service = world["commune"], world["service"]
    with inside(commune):
        household, child = _child(world, 0)
        guardians = []
        for n in range(2):
            user = User.objects.create_user(email=f"conc{world['tag']}-{n}@example.test",
                                            password="Motdepasse-1", role="guardian")
            world["users"].append(user)
            Guardian.objects.create(household=household, user=user, last_name="G",
                                    first_name=str(n))
            guardians.append(user)

    def toggle(actor: User) -> Callable[[], None]:
        def job() -> None:
            for _ in range(10):
                current = Booking.objects.filter(child=child, service=service, day=MONDAY
                                                 ).values_list("state", flat=True).first()
                action = (services.booking_cancel if current == "booked"
                          else services.booking_book)
                try:
                    action(child=child, service=service, day=MONDAY, actor=actor, now=BEFORE)
                except ValidationError:
                    pass  # the other guardian changed the cell first: a French refusal
        return job

    assert _run_together(commune, [toggle(g) for g in guardians]) == []
    with inside(commune):
        (booking,) = Booking.objects.filter(child=child, service=service, day=MONDAY)
        assert booking.state in ("booked", "cancelled")
        events = list(BookingEvent.objects.filter(booking=booking).order_by("id"))
        assert events[-1].to_state == booking.state
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_state == before.to_state
