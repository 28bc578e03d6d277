"""Template filters of billing: {{ cents|euros }} → "23,10 €"."""

from typing import Any

from django import template

from tenant_apps.billing.pricing import euros_label

register = template.Library()


@register.filter
def euros(cents: Any) -> str:
    if cents is None or cents == "":
        return ""
    return euros_label(int(cents))


@register.filter
def euros_input(cents: Any) -> str:
    """Cents as the form field shows them: 385 → "3,85"."""
    if cents is None or cents == "":
        return ""
    value = int(cents)
    return f"{value // 100},{value % 100:02d}"
