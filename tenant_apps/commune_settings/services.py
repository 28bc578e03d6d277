from typing import Any

from django.db import transaction

from tenant_apps.commune_settings.models import CommuneSettings
from tenant_apps.commune_settings.selectors import commune_settings_get

EDITABLE_FIELDS = (
    "display_name",
    "address",
    "phone",
    "email",
    "opening_hours",
    "brand_colour",
    "logo",
    "portal_welcome_text",
)


@transaction.atomic
def commune_settings_update(**changes: Any) -> CommuneSettings:
    """Apply the given changes (only editable fields), validated, and save.

    A logo of None keeps the current one (the form sends None when no file is chosen)."""
    row = commune_settings_get()
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"champ non modifiable : {name}")
        if name == "logo" and value is None:
            continue
        setattr(row, name, value)
    row.full_clean()
    row.save()
    return row
