from tenant_apps.commune_settings.models import CommuneSettings
from tenants.db import current_schema


def commune_settings_get() -> CommuneSettings:
    """The commune's settings row; provisioning creates it, this never fails for a new schema."""
    row = CommuneSettings.objects.first()
    if row is None:
        row = CommuneSettings.objects.create(display_name=current_schema())
    return row
