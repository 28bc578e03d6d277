"""French display of dates in templates: {{ day|day_fr }} gives "lun. 13 mai 2019"."""

from datetime import date, datetime

from django import template

# One French wording of dates for pages, PDFs and exports.
from tenant_apps.billing.formats.french import WEEKDAYS
from tenant_apps.billing.formats.french import day_fr as day_label

register = template.Library()


@register.filter
def day_fr(value: date | datetime | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return day_label(value)


SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin",
                "juil.", "août", "sept.", "oct.", "nov.", "déc.")


@register.filter
def day_short(value: date | None) -> str:
    """"lun. 30 nov." for grid headers, where the year is already shown."""
    if value is None or value == "":
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{WEEKDAYS[value.weekday()]} {day} {SHORT_MONTHS[value.month - 1]}"
