"""{% payfip_available as ok %}: whether the commune offers online payment (one query
per request, cached on the request)."""

from typing import Any

from django import template

from tenant_apps.payments.selectors import online_payment_available

register = template.Library()


@register.simple_tag(takes_context=True)
def payfip_available(context: Any) -> bool:
    request = context.get("request")
    if request is None:
        return online_payment_available()
    if not hasattr(request, "_payfip_available"):
        request._payfip_available = online_payment_available()
    return bool(request._payfip_available)
