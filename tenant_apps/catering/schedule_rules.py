"""When caterer orders are due: pure functions over plain values (no database).

An order for delivery day D is due at the caterer's cut-off for D ("HH:MM, N days
before", calendar or working days, Europe/Paris wall-clock time, DST-safe: see
`tenant_apps.catalog.deadlines.deadline_for`). A caterer delivers on D when one of the
services it counts runs that day (weekdays, calendar, school holidays of the zone,
public holidays). `due_orders` lists, oldest first, the orders whose cut-off passed
since the last recorded run: after an outage, every missed cut-off is caught up, in
order, within `CATCH_UP`."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tenant_apps.bookings.calendar import public_holidays, service_runs_on
from tenant_apps.catalog.deadlines import PARIS, deadline_for

CATCH_UP = timedelta(days=14)
LOOK_AHEAD_DAYS = 45


@dataclass(frozen=True)
class ServiceDays:
    weekdays: tuple[int, ...]
    calendar: str


@dataclass(frozen=True)
class CutoffRule:
    """A caterer's cut-off and delivery days. Cut-offs at or before `not_before` (the
    caterer's creation) are never due."""

    caterer_id: int
    until: time
    days_before: int
    day_count: str
    services: tuple[ServiceDays, ...]
    zone: str
    not_before: datetime


@dataclass(frozen=True, order=True)
class DueOrder:
    due_at: datetime
    caterer_id: int
    day: date


def delivers_on(rule: CutoffRule, day: date) -> bool:
    return any(
        service_runs_on(s.weekdays, s.calendar, day, rule.zone) for s in rule.services
    )


def _holidays(start: date, end: date) -> frozenset[date]:
    return public_holidays(range(start.year - 1, end.year + 1))


def cutoff_at(rule: CutoffRule, day: date, holidays: frozenset[date] | None = None) -> datetime:
    """The instant the order for `day` is due (aware, Europe/Paris)."""
    if holidays is None:
        holidays = _holidays(day, day)
    return deadline_for(day, rule.until, rule.days_before, rule.day_count, holidays)


def _span(rule: CutoffRule) -> int:
    # Calendar days between a cut-off and its delivery day, at most (weekends, holidays).
    return rule.days_before * 2 + 7


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def due_orders(
    rules: Iterable[CutoffRule], *, after: datetime | None, now: datetime
) -> list[DueOrder]:
    """Orders whose cut-off is in (after, now] (and within CATCH_UP of now), oldest first.

    `after` is the due time of the last recorded run (None: never ran)."""
    due: list[DueOrder] = []
    for rule in rules:
        low = max(t for t in (after, now - CATCH_UP, rule.not_before) if t is not None)
        first = low.astimezone(PARIS).date()
        last = now.astimezone(PARIS).date() + timedelta(days=_span(rule))
        holidays = _holidays(first, last)
        for day in _days(first, last):
            if not delivers_on(rule, day):
                continue
            at = cutoff_at(rule, day, holidays)
            if low < at <= now:
                due.append(DueOrder(due_at=at, caterer_id=rule.caterer_id, day=day))
    return sorted(due)


def next_due(rules: Iterable[CutoffRule], *, now: datetime) -> DueOrder | None:
    """The first order due after `now` (for the operators' "late run" alert)."""
    found: DueOrder | None = None
    today = now.astimezone(PARIS).date()
    for rule in rules:
        last = today + timedelta(days=LOOK_AHEAD_DAYS)
        holidays = _holidays(today, last)
        for day in _days(today, last):
            if not delivers_on(rule, day):
                continue
            at = cutoff_at(rule, day, holidays)
            if at > now and at > rule.not_before:
                candidate = DueOrder(due_at=at, caterer_id=rule.caterer_id, day=day)
                found = candidate if found is None else min(found, candidate)
                break
    return found


def open_days(rule: CutoffRule, *, now: datetime, holidays: frozenset[date] | None = None
              ) -> list[date]:
    """Delivery days whose cut-off has passed but which are not over: an order for them
    may need an amendment (today, and the next days for a D-n cut-off)."""
    today = now.astimezone(PARIS).date()
    last = today + timedelta(days=_span(rule))
    holidays = holidays if holidays is not None else _holidays(today, last)
    return [
        day for day in _days(today, last)
        if delivers_on(rule, day) and cutoff_at(rule, day, holidays) <= now
    ]
