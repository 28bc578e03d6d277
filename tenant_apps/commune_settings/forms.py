from django import forms

from tenant_apps.commune_settings.models import CommuneSettings


class CommuneSettingsForm(forms.ModelForm):
    class Meta:
        model = CommuneSettings
        fields = [
            "display_name",
            "address",
            "phone",
            "email",
            "opening_hours",
            "brand_colour",
            "logo",
            "portal_welcome_text",
        ]
        widgets = {
            "brand_colour": forms.TextInput(attrs={"type": "color"}),
            "address": forms.Textarea(attrs={"rows": 3}),
            "opening_hours": forms.Textarea(attrs={"rows": 3}),
            "portal_welcome_text": forms.Textarea(attrs={"rows": 5}),
        }
