"""When booking reminders are due: pure functions over plain values (no database).

A reminder is due every week on its weekday at its wall-clock time in Europe/Paris. On
the night clocks go forward, a time in the missing hour (02:00-02:59) happens one hour
later (03:xx); on the night they go back, a repeated time happens the first time.

A reminder is about the week AFTER its due time (Monday to Sunday): "book next week".
After an outage only the LAST missed due time of each reminder is sent, and only while
the week it announces has not started (a reminder for a week already under way, or
several weeks of old reminders, would only confuse families)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tenant_apps.catalog.deadlines import PARIS

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class ReminderRule:
    """A reminder's schedule. Due times at or before `not_before` (the moment the
    schedule was last set or switched on) are never due."""

    reminder_id: int
    weekday: int  # ISO: 1 = Monday ... 7 = Sunday
    at: time
    not_before: datetime


@dataclass(frozen=True, order=True)
class DueReminder:
    due_at: datetime
    reminder_id: int


def occurrence(weekday: int, at: time, monday: date) -> datetime:
    """The instant of the reminder in the week starting `monday` (aware, Europe/Paris)."""
    day = monday + timedelta(days=weekday - 1)
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=PARIS)
    # Round trip through UTC: a wall time in the spring gap becomes the real instant
    # one hour later; fold=0 picks the first of two repeated autumn times.
    return wall.astimezone(UTC).astimezone(PARIS)


def _monday(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


def last_occurrence(rule: ReminderRule, *, now: datetime) -> datetime:
    """The latest due time at or before `now`."""
    monday = _monday(now.astimezone(PARIS).date())
    at = occurrence(rule.weekday, rule.at, monday)
    while at > now:
        monday -= WEEK
        at = occurrence(rule.weekday, rule.at, monday)
    return at


def next_occurrence(rule: ReminderRule, *, now: datetime) -> datetime:
    """The first due time strictly after `now`."""
    monday = _monday(now.astimezone(PARIS).date())
    at = occurrence(rule.weekday, rule.at, monday)
    while at <= now:
        monday += WEEK
        at = occurrence(rule.weekday, rule.at, monday)
    return at


def target_week(due_at: datetime) -> tuple[date, date]:
    """Monday and Sunday of the week a reminder due at `due_at` is about (the next one)."""
    monday = _monday(due_at.astimezone(PARIS).date()) + WEEK
    return monday, monday + timedelta(days=6)


def still_useful(due_at: datetime, *, now: datetime) -> bool:
    """A reminder is worth sending until the week it announces starts."""
    monday, _ = target_week(due_at)
    return now < datetime.combine(monday, time(0), tzinfo=PARIS)


def due_reminders(
    rules: Iterable[ReminderRule], *, after: datetime | None, now: datetime
) -> list[DueReminder]:
    """For each reminder, its last due time in (after, now] if still useful; oldest first.

    `after` is the due time of the last recorded run (None: never ran)."""
    due: list[DueReminder] = []
    for rule in rules:
        at = last_occurrence(rule, now=now)
        if at <= rule.not_before or (after is not None and at <= after):
            continue
        if still_useful(at, now=now):
            due.append(DueReminder(due_at=at, reminder_id=rule.reminder_id))
    return sorted(due)


def next_due(rules: Iterable[ReminderRule], *, now: datetime) -> DueReminder | None:
    """The first reminder due after `now` (for the operators' "late run" alert)."""
    found = [
        DueReminder(due_at=next_occurrence(rule, now=now), reminder_id=rule.reminder_id)
        for rule in rules
    ]
    return min(found) if found else None
