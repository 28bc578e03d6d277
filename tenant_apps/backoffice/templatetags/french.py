"""French display of dates in templates: {{ day|day_fr }} gives "lun. 13 mai 2019"."""

from datetime import date, datetime

from django import template

register = template.Library()

WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


def day_label(value: date) -> str:
    """"lun. 13 mai 2019"; "1er" for the first day of a month, as French writes it."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{WEEKDAYS[value.weekday()]} {day} {MONTHS[value.month - 1]} {value.year}"


@register.filter
def day_fr(value: date | datetime | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return day_label(value)
