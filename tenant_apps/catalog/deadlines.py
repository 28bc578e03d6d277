"""Booking and cancelling deadlines of a service: pure functions over plain values.

A rule reads "until HH:MM, N days before the day, counting calendar or working days".
N = 0 means the same day at HH:MM ("Fin de réservation : 08:30"). Working days are
Monday to Friday minus the given holidays (public holidays, closures the commune
chooses); calendar days are every day. The bookings issue locks a cell once
`now >= deadline_for(...)`.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
CALENDAR = "calendar"
WORKING = "working"
_ACTION_TITLES = {"réservation": "Fin de réservation", "annulation": "Fin d'annulation"}


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    """Monday to Friday, and not one of `holidays`."""
    return day.isoweekday() <= 5 and day not in holidays


def deadline_day(day: date, days_before: int, day_count: str, holidays: frozenset[date]) -> date:
    """The date on which the deadline falls.

    Calendar days: `day` minus `days_before`. Working days: step back one working day
    `days_before` times (so J-1 of a Monday is the Friday before, or the Thursday if that
    Friday is a holiday). `days_before` = 0 is `day` itself, whatever kind of day it is."""
    if days_before < 0:
        raise ValueError("days_before must be >= 0")
    if day_count == CALENDAR:
        return day - timedelta(days=days_before)
    if day_count != WORKING:
        raise ValueError(f"unknown day count: {day_count!r}")
    current = day
    for _ in range(days_before):
        current -= timedelta(days=1)
        while not is_working_day(current, holidays):
            current -= timedelta(days=1)
    return current


def deadline_for(
    day: date, until: time, days_before: int, day_count: str, holidays: frozenset[date]
) -> datetime:
    """The instant (Europe/Paris, aware) after which booking `day` is closed.

    The wall-clock time is `until` on the deadline day, whatever the UTC offset that
    day (DST-safe). Two edge cases of the clock change, where a commune would never set
    a deadline: an ambiguous time (autumn, 02:00–03:00 happens twice) is its first
    occurrence, the earlier instant; a time that does not exist (spring, 02:00–03:00 is
    skipped) moves forward by the hour the clocks skip."""
    on = deadline_day(day, days_before, day_count, holidays)
    local = datetime.combine(on, until.replace(tzinfo=None, fold=0), tzinfo=PARIS)  # first
    return local.astimezone(UTC).astimezone(PARIS)


def describe_deadline(
    until: time, days_before: int, day_count: str, *, action: str = "réservation"
) -> str:
    """The French label shown to parents and agents.

    "Fin de réservation : 08:30" (same day), "Fin de réservation : la veille à 18:00",
    "Fin de réservation : J-3 à 12:00", "Fin de réservation : J-2 à 12:00 (jours ouvrés)";
    `action="annulation"` gives "Fin d'annulation : ..."."""
    title = _ACTION_TITLES.get(action, f"Fin de {action}")
    hhmm = until.strftime("%H:%M")
    if days_before == 0:
        return f"{title} : {hhmm}"
    if day_count == WORKING:
        return f"{title} : J-{days_before} à {hhmm} (jours ouvrés)"
    if days_before == 1:
        return f"{title} : la veille à {hhmm}"
    return f"{title} : J-{days_before} à {hhmm}"
