from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tenant_apps.commune_settings.models import (
    PORTAL_HELP_PAGES,
    PORTAL_TEXT_MAX_LENGTH,
    CommuneSettings,
)
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.history.models import ChangeAction
from tenant_apps.history.services import change_record

EDITABLE_FIELDS = (
    "display_name",
    "address",
    "phone",
    "email",
    "opening_hours",
    "brand_colour",
    "logo",
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


@transaction.atomic
def portal_texts_update(
    *,
    welcome_text: str,
    help_texts: dict[str, str],
    legal_notice: str,
    privacy_notice: str,
    acting_user: Any,
) -> CommuneSettings:
    """Replace the portal's texts (welcome, page helps, legal and privacy notices).

    Texts are stored as typed; they are escaped and formatted when shown
    (tenant_apps.commune_settings.formatting). Unknown page keys and texts longer than
    20,000 characters are refused with a French ValidationError."""
    unknown = sorted(set(help_texts) - set(PORTAL_HELP_PAGES))
    if unknown:
        raise ValidationError(f"Page du portail inconnue : {', '.join(unknown)}.")
    too_long = [key for key, text in help_texts.items() if len(text) > PORTAL_TEXT_MAX_LENGTH]
    if too_long:
        raise ValidationError("Un texte d'aide dépasse 20 000 caractères.")
    row = CommuneSettings.objects.select_for_update().get(pk=commune_settings_get().pk)
    before = _texts_snapshot(row)
    row.portal_welcome_text = welcome_text.strip()
    row.portal_help_texts = {key: text.strip() for key, text in help_texts.items() if text.strip()}
    row.legal_notice = legal_notice.strip()
    row.privacy_notice = privacy_notice.strip()
    row.full_clean()
    row.save()
    change_record(
        actor=acting_user, entity="portal_texts", entity_id=row.pk, action=ChangeAction.UPDATE,
        before=before, after=_texts_snapshot(row), summary="Textes du portail modifiés",
    )
    return row


def _texts_snapshot(row: CommuneSettings) -> dict[str, str]:
    """Every portal text by its French name, for the change history."""
    snapshot = {
        "Accueil": row.portal_welcome_text,
        "Mentions légales": row.legal_notice,
        "Données personnelles": row.privacy_notice,
    }
    for key, label in PORTAL_HELP_PAGES.items():
        snapshot[f"Aide : {label}"] = (row.portal_help_texts or {}).get(key, "")
    return snapshot
