"""{% load portal_texts %}: the commune's portal texts in portal templates.

    {% portal_help "documents" %}        the help box of a page (nothing when empty)
    {{ some_text|portal_text }}          a text rendered with the portal formatting
"""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from tenant_apps.commune_settings.formatting import render_portal_text
from tenant_apps.commune_settings.selectors import portal_help_html

register = template.Library()


@register.filter
def portal_text(value: str | None) -> SafeString:
    return render_portal_text(value or "")


@register.inclusion_tag("commune_settings/_help.html", takes_context=True)
def portal_help(context: Any, page_key: str) -> dict[str, Any]:
    row = context.get("commune_settings")
    return {"help_html": portal_help_html(page_key, row), "page_key": page_key}
