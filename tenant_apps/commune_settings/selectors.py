from tenant_apps.commune_settings.formatting import render_portal_text
from tenant_apps.commune_settings.models import PORTAL_HELP_PAGES, CommuneSettings
from tenants.db import current_schema


def commune_settings_get() -> CommuneSettings:
    """The commune's settings row; provisioning creates it, this never fails for a new schema."""
    row = CommuneSettings.objects.first()
    if row is None:
        row = CommuneSettings.objects.create(display_name=current_schema())
    return row


def portal_help_text(page_key: str, row: CommuneSettings | None = None) -> str:
    """The raw help text of a portal page ("" when none); unknown keys raise KeyError,
    so a typo in a template fails in tests rather than showing nothing forever."""
    if page_key not in PORTAL_HELP_PAGES:
        raise KeyError(f"page du portail inconnue : {page_key!r}")
    row = row or commune_settings_get()
    value = (row.portal_help_texts or {}).get(page_key, "")
    return value if isinstance(value, str) else ""


def portal_help_html(page_key: str, row: CommuneSettings | None = None) -> str:
    """The help text of a portal page rendered to safe HTML ("" when none)."""
    return render_portal_text(portal_help_text(page_key, row))
