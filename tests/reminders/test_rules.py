"""The pure due-time rules of booking reminders, DST included (hypothesis)."""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.catalog.deadlines import PARIS
from tenant_apps.reminders.rules import (
    ReminderRule,
    due_reminders,
    last_occurrence,
    next_due,
    next_occurrence,
    occurrence,
    target_week,
)

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
instants = st.datetimes(min_value=datetime(2024, 1, 1),  # noqa: DTZ001
                        max_value=datetime(2030, 12, 31),  # noqa: DTZ001
                        timezones=st.just(UTC))
rules = st.builds(
    ReminderRule, reminder_id=st.integers(1, 50), weekday=st.integers(1, 7),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    not_before=st.just(LONG_AGO),
)


def _wall(at: datetime) -> time:
    return at.astimezone(PARIS).time().replace(tzinfo=None)


@given(rule=rules, now=instants)
def test_the_last_and_next_due_times_frame_now_on_the_right_weekday_and_time(rule, now):
    last, upcoming = last_occurrence(rule, now=now), next_occurrence(rule, now=now)
    assert last <= now < upcoming
    assert timedelta(days=7) - timedelta(hours=1) <= upcoming - last <= (
        timedelta(days=7) + timedelta(hours=1))
    for at in (last, upcoming):
        local = at.astimezone(PARIS)
        shifted = local - timedelta(hours=1)
        # The wall time is the rule's, except in the spring gap: one hour later.
        assert _wall(at) == rule.at or (
            _wall(shifted.astimezone(UTC)) != rule.at and local.hour == rule.at.hour + 1
            and local.minute == rule.at.minute)
        assert local.isoweekday() == rule.weekday


@given(rule=rules, now=instants, after=st.none() | instants)
def test_at_most_one_due_time_per_reminder_and_never_twice(rule, now, after):
    due = due_reminders([rule], after=after, now=now)
    assert len(due) <= 1
    for item in due:
        assert (after is None or after < item.due_at) and item.due_at <= now
        monday, sunday = target_week(item.due_at)
        assert monday.isoweekday() == 1 and (sunday - monday).days == 6
        assert now < datetime.combine(monday, time(0), tzinfo=PARIS)
        # Recorded as the last run: nothing is due again at the same instant.
        assert due_reminders([rule], after=item.due_at, now=now) == []


@given(rule=rules, now=instants)
def test_nothing_is_due_before_the_schedule_was_set(rule, now):
    fresh = ReminderRule(reminder_id=rule.reminder_id, weekday=rule.weekday, at=rule.at,
                         not_before=now)
    assert due_reminders([fresh], after=None, now=now) == []
    upcoming = next_due([fresh], now=now)
    assert upcoming is not None and upcoming.due_at > now


def test_the_spring_gap_and_the_autumn_repeat():
    # 29 March 2026: 02:30 does not exist in Paris; 25 October 2026: 02:30 happens twice.
    spring = occurrence(7, time(2, 30), date(2026, 3, 23))
    assert spring.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert _wall(spring) == time(3, 30)
    autumn = occurrence(7, time(2, 30), date(2026, 10, 19))
    assert autumn.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # first one
    # 18:00 stays 18:00 on both sides of a change.
    before = occurrence(3, time(18, 0), date(2026, 3, 23))
    after = occurrence(3, time(18, 0), date(2026, 3, 30))
    assert (before.astimezone(UTC).hour, after.astimezone(UTC).hour) == (17, 16)
