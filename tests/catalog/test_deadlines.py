"""Deadline rules: labels for parents, and the instant after which a day is locked."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.catalog.deadlines import (
    CALENDAR,
    PARIS,
    WORKING,
    deadline_for,
    describe_deadline,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))
day_counts = st.sampled_from([CALENDAR, WORKING])


@st.composite
def holidays_near(draw: st.DrawFn, around: date) -> frozenset[date]:
    offsets = draw(st.lists(st.integers(min_value=-40, max_value=0), max_size=12))
    return frozenset(around + timedelta(days=o) for o in offsets)


def _in_spring_gap(moment: datetime, until: time) -> bool:
    """The wall-clock time does not exist that day (clocks jump from 02:00 to 03:00)."""
    naive = datetime.combine(moment.date(), until)
    aware = naive.replace(tzinfo=PARIS)
    return aware.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None) != naive


@pytest.mark.parametrize(("until", "before", "count", "label"), [
    (time(8, 30), 0, CALENDAR, "Fin de réservation : 08:30"),
    (time(8, 30), 0, WORKING, "Fin de réservation : 08:30"),
    (time(18, 0), 1, CALENDAR, "Fin de réservation : la veille à 18:00"),
    (time(12, 0), 3, CALENDAR, "Fin de réservation : J-3 à 12:00"),
    (time(12, 0), 2, WORKING, "Fin de réservation : J-2 à 12:00 (jours ouvrés)"),
])
def test_labels_read_like_the_portal(until, before, count, label):
    assert describe_deadline(until, before, count) == label


def test_cancel_label():
    assert describe_deadline(time(9, 0), 1, WORKING, action="annulation") == (
        "Fin d'annulation : J-1 à 09:00 (jours ouvrés)"
    )


@pytest.mark.parametrize(("day", "before", "count", "holidays", "expected"), [
    # Monday, J-1 working days: the Friday before.
    (date(2025, 5, 12), 1, WORKING, frozenset(), date(2025, 5, 9)),
    # Monday, J-1 calendar: the Sunday.
    (date(2025, 5, 12), 1, CALENDAR, frozenset(), date(2025, 5, 11)),
    # Friday 9 May 2025 J-2 working, Thursday 8 May (Victoire 1945) is a holiday: Tuesday.
    (date(2025, 5, 9), 2, WORKING, frozenset({date(2025, 5, 8)}), date(2025, 5, 6)),
])
def test_examples(day, before, count, holidays, expected):
    moment = deadline_for(day, time(12, 0), before, count, holidays)
    assert moment.date() == expected
    assert moment.tzinfo is PARIS and moment.time() == time(12, 0)


def test_same_day_deadline_across_clock_changes():
    # The last Sunday of March (summer time) and October (winter time): still 08:30 local.
    for day in (date(2025, 3, 30), date(2025, 10, 26), date(2025, 3, 31)):
        moment = deadline_for(day, time(8, 30), 0, CALENDAR, frozenset())
        assert moment.astimezone(PARIS).time() == time(8, 30)
    summer = deadline_for(date(2025, 3, 31), time(8, 30), 0, CALENDAR, frozenset())
    assert summer.utcoffset() == timedelta(hours=2)
    winter = deadline_for(date(2025, 3, 28), time(8, 30), 0, CALENDAR, frozenset())
    assert winter.utcoffset() == timedelta(hours=1)


def test_nonexistent_time_moves_forward_by_the_skipped_hour():
    moment = deadline_for(date(2025, 3, 30), time(2, 30), 0, CALENDAR, frozenset())
    assert moment.astimezone(PARIS).time() == time(3, 30)


@given(day=days, until=times, before=st.integers(min_value=1, max_value=30), count=day_counts,
       data=st.data())
def test_deadline_is_before_the_day_starts(day, until, before, count, data):
    holidays = data.draw(holidays_near(day))
    moment = deadline_for(day, until, before, count, holidays)
    assert moment < datetime.combine(day, time(0), tzinfo=PARIS)


@given(day=days, until=times, before=st.integers(min_value=1, max_value=30), data=st.data())
def test_working_day_deadline_is_never_a_weekend_or_holiday(day, until, before, data):
    holidays = data.draw(holidays_near(day))
    moment = deadline_for(day, until, before, WORKING, holidays)
    on = moment.date()
    assert on.isoweekday() <= 5
    assert on not in holidays


@given(first=days, gap=st.integers(min_value=0, max_value=60), until=times,
       before=st.integers(min_value=0, max_value=30), count=day_counts, data=st.data())
def test_monotonic_in_day(first, gap, until, before, count, data):
    second = first + timedelta(days=gap)
    holidays = data.draw(holidays_near(second))
    assert deadline_for(first, until, before, count, holidays) <= deadline_for(
        second, until, before, count, holidays
    )


@given(day=days, until=times, before=st.integers(min_value=0, max_value=30), count=day_counts,
       data=st.data())
def test_wall_clock_time_is_until_whatever_the_offset(day, until, before, count, data):
    holidays = data.draw(holidays_near(day))
    moment = deadline_for(day, until, before, count, holidays)
    assert moment.tzinfo is PARIS
    assert moment.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    if not _in_spring_gap(moment, until):
        assert moment.astimezone(PARIS).time() == until
    else:
        assert moment.astimezone(PARIS).time().hour == until.hour + 1


@given(before=st.integers(min_value=0, max_value=30), count=day_counts, until=times)
def test_label_always_names_the_time(before, count, until):
    label = describe_deadline(until, before, count)
    assert label.startswith("Fin de réservation : ")
    assert until.strftime("%H:%M") in label
    assert ("jours ouvrés" in label) == (count == WORKING and before > 0)
