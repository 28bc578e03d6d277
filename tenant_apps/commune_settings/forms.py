from django import forms

from tenant_apps.commune_settings.models import CommuneSettings
from tenant_apps.commune_settings.services import EDITABLE_FIELDS


class CommuneSettingsForm(forms.ModelForm):
    class Meta:
        model = CommuneSettings
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "brand_colour": forms.TextInput(attrs={"type": "color"}),
            "address": forms.Textarea(attrs={"rows": 3}),
            "opening_hours": forms.Textarea(attrs={"rows": 3}),
            "portal_welcome_text": forms.Textarea(attrs={"rows": 5}),
        }
