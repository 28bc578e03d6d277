from typing import Any

from django.http import HttpRequest

from shared_apps.announcements.selectors import announcements_active_for
from tenant_apps.commune_settings.selectors import commune_settings_get


def commune_shell(request: HttpRequest) -> dict[str, Any]:
    """Branding and announcements for the back office and portal shells."""
    commune = getattr(request, "tenant", None)
    if commune is None:
        return {}
    audience = "backoffice" if request.path.startswith("/gestion/") else "portal"
    return {
        "commune_settings": commune_settings_get(),
        "announcements": list(announcements_active_for(commune_id=commune.pk, audience=audience)),
    }
