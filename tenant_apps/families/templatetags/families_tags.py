"""Small display helpers of the family pages."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def age(birth_date: datetime.date | None) -> str:
    """ "7 ans", "1 an", "8 mois" on today's date."""
    if not birth_date:
        return ""
    today = timezone.localdate()
    years = today.year - birth_date.year - ((today.month, today.day)
                                            < (birth_date.month, birth_date.day))
    if years >= 2:
        return f"{years} ans"
    if years == 1:
        return "1 an"
    months = (today.year - birth_date.year) * 12 + today.month - birth_date.month
    months -= today.day < birth_date.day
    return f"{max(months, 0)} mois"


@register.filter
def filesize_fr(size: int) -> str:
    """ "1,2 Mo", "340 ko"."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} Mo".replace(".", ",")
    return f"{max(1, round(size / 1024))} ko"
