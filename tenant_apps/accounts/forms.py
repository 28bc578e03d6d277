from typing import Any

from django import forms


class LoginForm(forms.Form):
    email = forms.EmailField(
        label="Courriel",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, allow_remember: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allow_remember:
            self.fields["remember"] = forms.BooleanField(
                label="Se souvenir de cet appareil (30 jours)",
                required=False,
                help_text="À ne pas cocher sur un ordinateur partagé.",
            )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="Votre adresse électronique",
        max_length=254,
        error_messages={
            "required": "Indiquez votre adresse électronique.",
            "invalid": "Cette adresse électronique n'est pas valide.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class PasswordSetForm(forms.Form):
    password1 = forms.CharField(
        label="Nouveau mot de passe",
        strip=False,
        max_length=128,
        error_messages={"required": "Choisissez un mot de passe."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirmation",
        strip=False,
        max_length=128,
        error_messages={"required": "Saisissez le mot de passe une seconde fois."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise forms.ValidationError("Les deux mots de passe ne sont pas identiques.")
        return data
