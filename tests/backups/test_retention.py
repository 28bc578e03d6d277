"""The retention rule, as properties over arbitrary backup times (no database)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from backups.retention import DEFAULT_POLICY, backups_to_delete, backups_to_keep

NOW = datetime(2025, 3, 14, 10, 30, tzinfo=UTC)
offsets = st.lists(st.integers(min_value=0, max_value=500 * 24 * 60), max_size=120)


def times_from(minutes: list[int]) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


@given(offsets.filter(bool))
def test_the_newest_backup_is_always_kept(minutes):
    times = times_from(minutes)
    assert max(times) in backups_to_keep(times, NOW)


@given(offsets)
def test_keep_and_delete_split_the_backups(minutes):
    times = set(times_from(minutes))
    keep, delete = backups_to_keep(times, NOW), backups_to_delete(times, NOW)
    assert keep | delete == times and not keep & delete


@given(offsets)
def test_beyond_two_days_at_most_one_backup_per_day(minutes):
    kept = backups_to_keep(times_from(minutes), NOW)
    days = [t.date() for t in kept if NOW - t > DEFAULT_POLICY.hourly_for]
    assert len(days) == len(set(days))


@given(offsets)
def test_within_two_days_at_most_one_backup_per_hour(minutes):
    kept = [t for t in backups_to_keep(times_from(minutes), NOW) if NOW - t <= timedelta(days=2)]
    hours = [t.strftime("%Y%m%d%H") for t in kept]
    assert len(hours) == len(set(hours))


@given(offsets)
def test_beyond_five_weeks_at_most_one_per_month_and_nothing_past_a_year(minutes):
    kept = backups_to_keep(times_from(minutes), NOW)
    newest = max(kept, default=None)
    old = [t for t in kept if NOW - t > DEFAULT_POLICY.daily_for]
    months = [t.strftime("%Y%m") for t in old]
    assert len(months) == len(set(months))
    assert all(NOW - t <= DEFAULT_POLICY.monthly_for for t in old if t != newest)


@given(offsets)
def test_every_recent_hour_keeps_its_newest_backup(minutes):
    times = times_from(minutes)
    kept = backups_to_keep(times, NOW)
    for t in times:
        if NOW - t <= timedelta(days=2):
            hour = t.strftime("%Y%m%d%H")
            assert max(u for u in times if u.strftime("%Y%m%d%H") == hour) in kept


@given(offsets)
def test_keeping_is_stable_when_applied_again(minutes):
    kept = backups_to_keep(times_from(minutes), NOW)
    assert backups_to_keep(kept, NOW) == kept


def test_a_typical_year_of_hourly_backups():
    times = [NOW - timedelta(hours=h) for h in range(0, 400 * 24)]
    kept = backups_to_keep(times, NOW)
    assert len([t for t in kept if NOW - t <= timedelta(days=2)]) == 49
    assert 48 + 33 <= len(kept) <= 49 + 35 + 13
    assert min(kept) >= NOW - timedelta(days=365)
    assert backups_to_keep([], NOW) == set()
