"""Which backups to keep: a pure rule over backup times (no database, no S3).

Grandfather-father-son, newest first:
- the newest backup is always kept, whatever its age;
- within HOURLY_FOR of now: the newest backup of each clock hour;
- within DAILY_FOR: the newest backup of each calendar day;
- within MONTHLY_FOR: the newest backup of each calendar month;
- anything older is dropped.
Hours, days and months are those of UTC, so the answer does not depend on the server's
time zone or on daylight saving changes. Backups dated after `now` (clock skew between
servers) count as recent and are kept."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class RetentionPolicy:
    hourly_for: timedelta = timedelta(days=2)
    daily_for: timedelta = timedelta(weeks=5)
    monthly_for: timedelta = timedelta(days=365)


DEFAULT_POLICY = RetentionPolicy()


def _tiers(policy: RetentionPolicy) -> list[tuple[timedelta, str]]:
    return [
        (policy.hourly_for, "%Y-%m-%dT%H"),
        (policy.daily_for, "%Y-%m-%d"),
        (policy.monthly_for, "%Y-%m"),
    ]


def backups_to_keep(
    times: Iterable[datetime], now: datetime, policy: RetentionPolicy = DEFAULT_POLICY
) -> set[datetime]:
    """The subset of `times` (aware datetimes) to keep at `now`; the rest may be deleted."""
    ordered = sorted(set(times), reverse=True)
    if not ordered:
        return set()
    keep = {ordered[0]}
    for horizon, bucket_format in _tiers(policy):
        seen: set[str] = set()
        for moment in ordered:
            if now - moment > horizon:
                break
            bucket = moment.astimezone(UTC).strftime(bucket_format)
            if bucket not in seen:
                seen.add(bucket)
                keep.add(moment)
    return keep


def backups_to_delete(
    times: Iterable[datetime], now: datetime, policy: RetentionPolicy = DEFAULT_POLICY
) -> set[datetime]:
    all_times = set(times)
    return all_times - backups_to_keep(all_times, now, policy)
