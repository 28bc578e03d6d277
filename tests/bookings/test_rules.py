"""Booking rules and the service calendar: pure functions, property-based."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.bookings.calendar import is_public_holiday, service_runs_on
from tenant_apps.bookings.rules import (
    BOOK_DEADLINE_PASSED,
    CLOSED,
    INVOICED,
    Deadlines,
    cell_status,
    deadlines_for_day,
    household_for_day,
    refusal_to_book,
    refusal_to_cancel,
)

STATES = ["", "booked", "cancelled", "waiting", "attended", "absent_justified",
          "absent_unjustified", "unbooked_presence"]
# Hypothesis wants naive bounds and adds the time zone itself.
moments = st.datetimes(min_value=datetime(2025, 1, 1),  # noqa: DTZ001
                       max_value=datetime(2027, 12, 31),  # noqa: DTZ001
                       timezones=st.just(UTC))
cells = st.fixed_dictionaries({
    "state": st.sampled_from(STATES),
    "invoiced": st.booleans(),
    "registered": st.booleans(),
    "runs": st.booleans(),
    "closed": st.booleans(),
    "places_left": st.none() | st.integers(min_value=-3, max_value=5),
    "now": moments,
    "deadlines": st.builds(Deadlines, book=moments, cancel=moments),
    "is_agent": st.booleans(),
})


@given(cells)
def test_a_locked_cell_is_never_bookable_by_a_family_but_is_by_an_agent(cell):
    cell["now"] = cell["deadlines"].book + timedelta(seconds=1)
    family = cell_status(**{**cell, "is_agent": False})
    agent = cell_status(**{**cell, "is_agent": True})
    assert not family.can_book
    if cell["state"] in ("", "cancelled"):
        assert family.locked
        if not cell["invoiced"] and cell["registered"] and cell["runs"] and not cell["closed"]:
            assert family.reason == BOOK_DEADLINE_PASSED
            assert agent.can_book and agent.past_deadline


@given(cells)
def test_an_invoiced_booking_is_never_changeable(cell):
    status = cell_status(**{**cell, "invoiced": True})
    assert not status.can_book and not status.can_cancel
    assert refusal_to_book(status) and refusal_to_cancel(status)
    if cell["state"] in ("", "cancelled"):
        assert status.reason == INVOICED


@given(cells)
def test_closed_days_are_never_bookable(cell):
    status = cell_status(**{**cell, "closed": True})
    assert not status.can_book
    if cell["state"] in ("", "cancelled") and not cell["invoiced"] and cell["registered"] \
            and cell["runs"]:
        assert status.reason == CLOSED


@given(cells)
def test_the_rule_never_books_beyond_capacity(cell):
    status = cell_status(**cell)
    if cell["places_left"] is not None and cell["places_left"] <= 0:
        assert status.book_state == "waiting"
    else:
        assert status.book_state == "booked"


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31)),
       st.integers(1, 1000), st.integers(1001, 2000), st.booleans())
def test_even_and_odd_weeks_partition_the_year(day, even_home, odd_home, registered_even):
    memberships = [(even_home, "even_weeks"), (odd_home, "odd_weeks")]
    registering = even_home if registered_even else odd_home
    home = household_for_day(memberships, day, registering)
    expected = even_home if day.isocalendar().week % 2 == 0 else odd_home
    assert home == expected
    # The whole ISO week belongs to the same household.
    monday = day - timedelta(days=day.isoweekday() - 1)
    assert {household_for_day(memberships, monday + timedelta(days=i), registering)
            for i in range(7)} == {home}


def test_full_and_agreed_custody():
    assert household_for_day([(1, "full")], date(2026, 3, 2), 1) == 1
    assert household_for_day([(1, "agreed"), (2, "agreed")], date(2026, 3, 2), 2) == 2
    assert household_for_day([(1, "full"), (2, "full")], date(2026, 3, 2), 2) == 2


def test_deadlines_skip_public_holidays_in_working_days():
    # Monday 25 May 2026 is Whit Monday; J-1 (working days) of Tuesday 26 is Friday 22.
    deadlines = deadlines_for_day(
        date(2026, 5, 26), book_until=time(12), book_days_before=1, book_day_count="working",
        cancel_until=time(8, 30), cancel_days_before=0, cancel_day_count="calendar",
    )
    assert deadlines.book.date() == date(2026, 5, 22)
    assert deadlines.cancel.date() == date(2026, 5, 26)


def test_service_calendar():
    school_days = [1, 2, 4, 5]
    assert service_runs_on(school_days, "school_days", date(2026, 11, 23), "B")  # Monday
    assert not service_runs_on(school_days, "school_days", date(2026, 11, 25), "B")  # Wed
    assert service_runs_on([1, 2, 3, 4, 5], "school_days", date(2026, 11, 25), "B")
    assert not service_runs_on(school_days, "school_days", date(2026, 11, 11), "B")  # 11 Nov
    assert is_public_holiday(date(2026, 11, 11))
    assert not service_runs_on(school_days, "school_days", date(2026, 12, 28), "B")  # Noël
    assert service_runs_on(school_days, "holidays", date(2026, 12, 28), "B")
    assert not service_runs_on(school_days, "holidays", date(2026, 12, 25), "B")  # Christmas
    assert not service_runs_on(school_days, "holidays", date(2026, 11, 23), "B")
    assert service_runs_on([], "wednesdays", date(2026, 11, 25), "B")
    assert not service_runs_on([], "wednesdays", date(2026, 12, 30), "B")
    # Years without school holiday data count as school term.
    assert service_runs_on(school_days, "school_days", date(2035, 1, 8), "B")


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       st.integers(0, 60), st.integers(0, 60), st.sampled_from(["calendar", "working"]))
def test_deadlines_know_every_public_holiday_they_can_reach(day, book_before, cancel_before,
                                                            count):
    """The holidays `deadlines_for_day` passes to `deadline_for` cover every day the longest
    rule (60 working days) can step back over: same answer as with all holidays known."""
    from tenant_apps.bookings.calendar import public_holidays
    from tenant_apps.catalog.deadlines import deadline_for

    deadlines = deadlines_for_day(
        day, book_until=time(8, 30), book_days_before=book_before, book_day_count=count,
        cancel_until=time(18), cancel_days_before=cancel_before, cancel_day_count="working",
    )
    everything = public_holidays(range(day.year - 3, day.year + 1))
    assert deadlines.book == deadline_for(day, time(8, 30), book_before, count, everything)
    assert deadlines.cancel == deadline_for(day, time(18), cancel_before, "working", everything)
    # A working-days deadline never falls on a weekend or a public holiday.
    if cancel_before:
        assert deadlines.cancel.isoweekday() <= 5
        assert not is_public_holiday(deadlines.cancel.date())


@pytest.mark.django_db
def test_closures_do_not_move_deadlines(commune_alpha):
    """A closure on the day before does not change a working-days deadline (domain: working
    days are Monday to Friday minus public holidays)."""
    from tenant_apps.bookings.closures import closure_create
    from tenant_apps.bookings.selectors import service_deadlines
    from tests.bookings.support import MONDAY, registered_child, service
    from tests.conftest import inside
    from tests.schooling import support

    with inside(commune_alpha):
        meal = service(book_days_before=1, book_day_count="working")
        _home, child = registered_child(meal)
        klass = support.school_class(support.school(), child.registrations.get().school_year)
        before = service_deadlines(meal, MONDAY + timedelta(days=1))
        closure_create(label="Grève", starts_on=MONDAY, ends_on=MONDAY, services=[meal],
                       classes=[klass], actor=None)
        after = service_deadlines(meal, MONDAY + timedelta(days=1))
        assert before == after and after.book.date() == MONDAY
