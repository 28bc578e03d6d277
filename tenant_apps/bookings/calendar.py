"""Which days a service runs: French public holidays and school holidays per zone.

Pure functions over plain values (no database). Public holidays come from
`holidays.France` (metropolitan France), school holidays from
`vacances-scolaires-france` for the commune's zone (A, B or C). Years the school
holiday data does not cover count as school term (no holiday known)."""

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays
from vacances_scolaires_france import SchoolHolidayDates, UnsupportedYearException

ZONES = ("A", "B", "C")
WEDNESDAY = 3
SCHOOL_DAYS = "school_days"
WEDNESDAYS = "wednesdays"
HOLIDAYS = "holidays"


@lru_cache(maxsize=64)
def _public_holidays_of_year(year: int) -> frozenset[date]:
    return frozenset(holidays.France(years=year).keys())


def public_holidays(years: Iterable[int]) -> frozenset[date]:
    """French public holidays (jours fériés) of the given years."""
    result: frozenset[date] = frozenset()
    for year in set(years):
        result |= _public_holidays_of_year(year)
    return result


def public_holidays_around(day: date) -> frozenset[date]:
    """Public holidays of the day's year and the one before: enough to count working
    days back from `day` to a booking or cancel deadline."""
    return public_holidays((day.year - 1, day.year))


def is_public_holiday(day: date) -> bool:
    return day in _public_holidays_of_year(day.year)


@lru_cache(maxsize=1)
def _school_holiday_dates() -> SchoolHolidayDates:
    return SchoolHolidayDates()


@lru_cache(maxsize=4096)
def is_school_holiday(day: date, zone: str) -> bool:
    """True during the school holidays of `zone`; False for years without data."""
    if zone not in ZONES:
        raise ValueError(f"unknown school holiday zone: {zone!r}")
    try:
        return bool(_school_holiday_dates().is_holiday_for_zone(day, zone))
    except UnsupportedYearException:
        return False


def service_runs_on(
    service_weekdays: Iterable[int], calendar_kind: str, day: date, zone: str
) -> bool:
    """Whether a service with these ISO weekdays and calendar runs on `day`.

    - school_days: a listed weekday, in school term, not a public holiday, and not a
      Wednesday unless Wednesday is listed;
    - wednesdays: a Wednesday in school term, not a public holiday;
    - holidays: a listed weekday during the zone's school holidays, not a public holiday.
    """
    weekdays = set(service_weekdays)
    weekday = day.isoweekday()
    if is_public_holiday(day):
        return False
    if calendar_kind == SCHOOL_DAYS:
        return weekday in weekdays and not is_school_holiday(day, zone)
    if calendar_kind == WEDNESDAYS:
        return weekday == WEDNESDAY and not is_school_holiday(day, zone)
    if calendar_kind == HOLIDAYS:
        return weekday in weekdays and is_school_holiday(day, zone)
    raise ValueError(f"unknown service calendar: {calendar_kind!r}")
