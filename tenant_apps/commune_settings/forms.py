from django import forms

from tenant_apps.commune_settings.models import (
    PORTAL_HELP_PAGES,
    PORTAL_TEXT_MAX_LENGTH,
    CommuneSettings,
)
from tenant_apps.commune_settings.services import EDITABLE_FIELDS

HELP_PREFIX = "help_"


class CommuneSettingsForm(forms.ModelForm):
    class Meta:
        model = CommuneSettings
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "brand_colour": forms.TextInput(attrs={"type": "color"}),
            "address": forms.Textarea(attrs={"rows": 3}),
            "opening_hours": forms.Textarea(attrs={"rows": 3}),
        }


def _text_field(label: str, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=PORTAL_TEXT_MAX_LENGTH, strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": "Texte trop long : 20 000 caractères au plus."},
    )


class PortalTextsForm(forms.Form):
    """The welcome text, one help text per portal page, the legal and privacy notices."""

    welcome_text = _text_field("Texte d'accueil", rows=5)
    legal_notice = _text_field("Mentions légales", rows=8)
    privacy_notice = _text_field("Protection des données personnelles", rows=8)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for key, label in PORTAL_HELP_PAGES.items():
            self.fields[HELP_PREFIX + key] = _text_field(f"Aide de la page « {label} »", rows=3)

    @classmethod
    def initial_from(cls, row: CommuneSettings) -> dict[str, str]:
        initial = {
            "welcome_text": row.portal_welcome_text,
            "legal_notice": row.legal_notice,
            "privacy_notice": row.privacy_notice,
        }
        for key in PORTAL_HELP_PAGES:
            initial[HELP_PREFIX + key] = (row.portal_help_texts or {}).get(key, "")
        return initial

    def help_texts(self) -> dict[str, str]:
        return {key: self.cleaned_data[HELP_PREFIX + key] for key in PORTAL_HELP_PAGES}

    def help_fields(self) -> list[forms.BoundField]:
        return [self[HELP_PREFIX + key] for key in PORTAL_HELP_PAGES]
