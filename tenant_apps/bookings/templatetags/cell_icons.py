"""{% cell_icon "lock" %}: the small inline SVG icons of the booking grid (a tag rather
than an include: the grid draws dozens of them per page)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_PATHS = {
    "check": '<path d="M2.5 8.5l3.5 3.5 7.5-8" fill="none" stroke="currentColor" '
             'stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>',
    "lock": '<rect x="3" y="7" width="10" height="7.5" rx="1.5" fill="currentColor"/>'
            '<path d="M5.2 7V5.2a2.8 2.8 0 0 1 5.6 0V7" fill="none" stroke="currentColor" '
            'stroke-width="1.8"/>',
    "hourglass": '<path d="M4 2h8M4 14h8M5 2c0 4 6 4 6 6s-6 2-6 6M11 2c0 4-6 4-6 6s6 2 6 6" '
                 'fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
    "plus": '<path d="M8 3v10M3 8h10" stroke="currentColor" stroke-width="2" '
            'stroke-linecap="round"/>',
    "euro": '<path d="M12 3.5a5 5 0 1 0 0 9M2.5 6.5h7M2.5 9.5h7" fill="none" '
            'stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
    "dash": '<path d="M5 8h6" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
}
_ICONS = {
    name: mark_safe(  # noqa: S308 - constant markup above
        '<svg class="cell-icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">'
        f"{path}</svg>"
    )
    for name, path in _PATHS.items()
}


@register.simple_tag
def cell_icon(name: str) -> SafeString:
    return _ICONS.get(name, _ICONS["dash"])
