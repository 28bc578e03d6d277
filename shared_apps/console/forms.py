"""Console forms: input shape only; the rules live in the services they feed."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from provisioning.payfip import MODE_CHOICES as PAYFIP_MODE_CHOICES
from shared_apps.announcements.models import AnnouncementKind
from tenants.models import BillingMode, Commune, Module, PaymentMode
from tenants.naming import InvalidSlug, validate_insee_code, validate_slug

COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def add_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's French ValidationError on the form, on the field it names if any."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error.messages)
    else:
        form.add_error(None, exc.messages)


class ConsoleForm(forms.Form):
    """Bootstrap classes on text inputs and selects; Django marks invalid ones aria-invalid."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class CommuneCreateForm(ConsoleForm):
    name = forms.CharField(label="Nom de la commune", max_length=120)
    slug = forms.CharField(
        label="Identifiant",
        max_length=40,
        help_text="Lettres minuscules, chiffres et tirets ; donne l'adresse "
        "<identifiant>.<domaine>. Ne peut plus changer ensuite.",
    )
    insee_code = forms.CharField(label="Code INSEE", max_length=5, min_length=5)
    address = forms.CharField(
        label="Adresse de la mairie", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    contact_name = forms.CharField(label="Nom du contact", max_length=120, required=False)
    contact_email = forms.EmailField(label="Courriel du contact")
    contact_phone = forms.CharField(label="Téléphone du contact", max_length=30, required=False)
    billing_mode = forms.ChoiceField(
        label="Mode de facturation",
        choices=BillingMode.choices,
        initial=BillingMode.REGIE,
        widget=forms.RadioSelect,
    )
    payment_modes = forms.MultipleChoiceField(
        label="Moyens de paiement",
        choices=PaymentMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    modules = forms.MultipleChoiceField(
        label="Modules",
        choices=Module.choices,
        required=False,
        initial=[Module.CANTINE, Module.PERISCOLAIRE, Module.PORTAL],
        widget=forms.CheckboxSelectMultiple,
    )
    brand_colour = forms.CharField(
        label="Couleur principale",
        initial="#1d4e89",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    admin_email = forms.EmailField(
        label="Courriel du premier administrateur",
        help_text="Il recevra une invitation pour choisir son mot de passe.",
    )
    admin_name = forms.CharField(label="Nom du premier administrateur", max_length=150)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip()
        try:
            return validate_slug(slug)
        except InvalidSlug as exc:
            raise ValidationError(str(exc)) from exc

    def clean_insee_code(self) -> str:
        code = self.cleaned_data["insee_code"].strip().upper()
        try:
            return validate_insee_code(code)
        except InvalidSlug as exc:
            raise ValidationError(str(exc)) from exc

    def clean_brand_colour(self) -> str:
        colour = self.cleaned_data["brand_colour"].strip()
        if not COLOUR_RE.match(colour):
            raise ValidationError("Couleur au format #RRVVBB, par exemple #1d4e89.")
        return colour.lower()


class DomainAddForm(ConsoleForm):
    hostname = forms.CharField(
        label="Nom de domaine",
        max_length=253,
        widget=forms.TextInput(attrs={"placeholder": "cantine.mairie-exemple.fr"}),
    )


class CommuneDeleteForm(ConsoleForm):
    confirmation = forms.CharField(label="Identifiant de la commune", max_length=40)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class AnnouncementForm(ConsoleForm):
    kind = forms.ChoiceField(
        label="Type", choices=AnnouncementKind.choices, initial=AnnouncementKind.INFORMATION
    )
    title = forms.CharField(label="Titre", max_length=150)
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 4}))
    all_communes = forms.BooleanField(label="Toutes les communes", required=False, initial=True)
    communes = forms.ModelMultipleChoiceField(
        label="Communes choisies",
        queryset=Commune.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Utilisé seulement si « Toutes les communes » n'est pas coché.",
    )
    show_on_portal = forms.BooleanField(
        label="Afficher aussi sur le portail des familles", required=False
    )
    starts_at = forms.DateTimeField(
        label="Début", input_formats=[DATETIME_LOCAL], widget=DateTimeLocalInput()
    )
    ends_at = forms.DateTimeField(
        label="Fin", input_formats=[DATETIME_LOCAL], widget=DateTimeLocalInput()
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "La fin doit être postérieure au début.")
        if not data.get("all_communes") and not data.get("communes"):
            self.add_error(
                "communes", "Choisissez au moins une commune, ou « Toutes les communes »."
            )
        return data


class RestoreForm(ConsoleForm):
    """Replace the commune, or restore it as a separate commune; the operator types the
    slug to confirm."""

    REPLACE, COPY = "replace", "copy"
    mode = forms.ChoiceField(
        label="Que faire de la sauvegarde ?",
        choices=[
            (REPLACE, "Remplacer la commune en service par cette sauvegarde"),
            (COPY, "La restaurer comme une commune séparée, pour consultation"),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=REPLACE,
    )
    new_slug = forms.CharField(
        label="Identifiant de la commune séparée",
        max_length=40,
        required=False,
        help_text="Uniquement pour une commune séparée, ex. lannion-copie.",
    )
    confirmation = forms.CharField(label="Identifiant de la commune", max_length=40)

    def __init__(self, *args: Any, commune: Commune, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commune = commune

    def clean_confirmation(self) -> str:
        value = str(self.cleaned_data["confirmation"]).strip()
        if value != self.commune.slug:
            raise ValidationError(f"Tapez « {self.commune.slug} » pour confirmer.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new_slug = str(data.get("new_slug") or "").strip()
        if data.get("mode") == self.COPY and not new_slug:
            self.add_error("new_slug", "Indiquez l'identifiant de la commune séparée.")
        data["new_slug"] = new_slug if data.get("mode") == self.COPY else ""
        return data


class PayfipForm(ConsoleForm):
    """Input shape only: provisioning.payfip validates with the back office's own rules."""

    enabled = forms.BooleanField(label="Paiement en ligne activé", required=False)
    client_number = forms.CharField(
        label="Numéro client PayFiP (numcli)",
        max_length=20,
        required=False,
        help_text="Les 6 chiffres communiqués par la DGFiP (SGC de la commune).",
    )
    mode = forms.ChoiceField(label="Mode", choices=PAYFIP_MODE_CHOICES)
