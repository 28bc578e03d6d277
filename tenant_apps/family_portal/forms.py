"""Portal forms: one per card, built from the policy (only the editable fields), with the
families models' own field definitions (lengths, choices). Input parsing only: the rules
and the policy are enforced by the services."""

from typing import Any

from django import forms

from tenant_apps.backoffice.form_styles import BootstrapFormMixin
from tenant_apps.families.forms import ContactForm, DocumentForm
from tenant_apps.family_portal.policy import EditMode, PolicyField
from tenant_apps.family_portal.values import MODELS

WIDGETS: dict[str, forms.Widget] = {
    "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "allergies": forms.Textarea(attrs={"rows": 2}),
    "medical_notes": forms.Textarea(attrs={"rows": 2}),
}
AUTOCOMPLETE = {
    "email": "email", "phone_mobile": "tel", "phone_home": "tel", "phone_work": "tel",
    "address": "street-address", "postcode": "postal-code", "city": "address-level2",
    "last_name": "family-name", "first_name": "given-name", "occupation": "organization-title",
}
HELP = {
    "email": "C'est aussi votre identifiant de connexion au portail.",
    "allergies": "Précisez l'aliment et la réaction ; joignez le PAI dans Documents.",
}


class CardForm(BootstrapFormMixin, forms.Form):
    """The editable fields of one card (built by card_form_class)."""

    modes: dict[str, str] = {}


def card_form_class(*, entity: str, fields: list[PolicyField],
                    policy: dict[str, str]) -> type[CardForm]:
    """A form class with the card's fields the policy lets parents edit, defined like the
    families model's fields (lengths, choices), labelled as parents read them."""
    model = MODELS[entity]
    built: dict[str, forms.Field] = {}
    modes = {f.name: policy[f.key] for f in fields}
    for f in fields:
        if modes[f.name] not in EditMode.EDITABLE:
            continue
        form_field = model._meta.get_field(f.name).formfield(  # type: ignore[union-attr]
            widget=WIDGETS.get(f.name))
        if form_field is None:
            continue
        form_field.label = f.label
        help_text = HELP.get(f.name, "")
        if modes[f.name] == EditMode.VALIDATED:
            help_text = f"{help_text} Validé par le service avant d'être pris en compte.".strip()
        form_field.help_text = help_text
        if f.name in AUTOCOMPLETE:
            form_field.widget.attrs["autocomplete"] = AUTOCOMPLETE[f.name]
        built[f.name] = form_field
    return type("CardForm", (CardForm,), {**built, "modes": modes})


class _CapitalisedLabels:
    """The families forms label fields in lower case (they read inline in the back office);
    the portal shows them as headings of their inputs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form: forms.BaseForm = self  # type: ignore[assignment]
        for field in form.fields.values():
            label = str(field.label or "")
            field.label = label[:1].upper() + label[1:]


class PortalContactForm(_CapitalisedLabels, BootstrapFormMixin, ContactForm):
    pass


class PortalDocumentForm(_CapitalisedLabels, BootstrapFormMixin, DocumentForm):
    pass


class RefuseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label="Motif du refus (envoyé à la famille)", max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez le motif du refus : la famille le recevra."},
    )
