"""When orders are due: cut-offs in Paris time (DST-safe), working days, catch-up."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.catering.schedule_rules import (
    CutoffRule,
    ServiceDays,
    cutoff_at,
    due_orders,
    next_due,
    open_days,
)

PARIS = ZoneInfo("Europe/Paris")
SCHOOL_DAYS = (ServiceDays((1, 2, 4, 5), "school_days"),)


def rule(until=time(9, 0), days_before=0, day_count="working", not_before=None):
    return CutoffRule(caterer_id=1, until=until, days_before=days_before, day_count=day_count,
                      services=SCHOOL_DAYS, zone="B",
                      not_before=not_before or datetime(2026, 1, 1, tzinfo=UTC))


def test_same_day_cutoff_in_paris_time_across_dst():
    # Winter (UTC+1) and summer (UTC+2): always 09:00 on the wall clock.
    assert cutoff_at(rule(), date(2026, 11, 30)) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert cutoff_at(rule(), date(2026, 6, 1 + 1)) == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)


def test_d_minus_2_in_working_days_skips_the_weekend():
    # Monday's order, D-2 working days at 10:00: the Thursday before.
    at = cutoff_at(rule(until=time(10, 0), days_before=2), date(2026, 11, 30))
    assert at.astimezone(PARIS) == datetime(2026, 11, 26, 10, 0, tzinfo=PARIS)


def test_catch_up_lists_every_missed_cutoff_in_order_and_only_delivery_days():
    after = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday's run happened
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # back a week later
    due = due_orders([rule()], after=after, now=now)
    assert [d.day for d in due] == [date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 4),
                                    date(2026, 12, 7)]  # no Wednesday, no weekend
    assert [d.due_at for d in due] == sorted(d.due_at for d in due)
    assert due_orders([rule()], after=due[-1].due_at, now=now) == []


def test_nothing_before_the_caterer_existed_and_catch_up_is_bounded():
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    created = datetime(2026, 12, 4, 9, 30, tzinfo=PARIS)
    assert [d.day for d in due_orders([rule(not_before=created)], after=None, now=now)] == [
        date(2026, 12, 7)]
    old = due_orders([rule()], after=None, now=now)
    assert min(d.due_at for d in old) >= now - timedelta(days=14)


@given(st.datetimes(min_value=datetime(2026, 9, 1), max_value=datetime(2027, 6, 1)),  # noqa: DTZ001
       st.integers(min_value=0, max_value=3), st.sampled_from(["working", "calendar"]))
def test_due_runs_split_anywhere_are_the_same_runs(naive_now, days_before, day_count):
    """Ticking once after an outage or at any intermediate time lists the same runs."""
    now = naive_now.replace(tzinfo=UTC)
    middle = now - timedelta(days=2, hours=5)
    start = now - timedelta(days=6)
    r = rule(days_before=days_before, day_count=day_count)
    at_once = due_orders([r], after=start, now=now)
    first = due_orders([r], after=start, now=middle)
    # The tick's `after` is the last recorded run (none recorded: the same start).
    second = due_orders([r], after=first[-1].due_at if first else start, now=now)
    assert [*first, *second] == at_once
    assert len(set(at_once)) == len(at_once)


def test_next_due_and_open_days():
    now = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # Monday 09:30 in Paris
    upcoming = next_due([rule()], now=now)
    assert upcoming is not None and upcoming.day == date(2026, 12, 1)
    assert open_days(rule(), now=now) == [date(2026, 11, 30)]
    two_days = rule(days_before=2)
    # D-2 working days at 09:00: Monday's and Tuesday's orders are out (Thursday's and
    # Friday's cut-offs); Thursday's is due on Tuesday.
    assert open_days(two_days, now=now) == [date(2026, 11, 30), date(2026, 12, 1)]
