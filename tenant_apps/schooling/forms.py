"""Input of the schooling pages; validation of rules lives in the services."""

from django import forms

from tenant_apps.backoffice.form_styles import BootstrapFormMixin
from tenant_apps.schooling.models import Level, SchoolKind


class SchoolYearForm(BootstrapFormMixin, forms.Form):
    label = forms.CharField(
        label="Année scolaire", max_length=9, help_text="Par exemple 2025-2026.",
        widget=forms.TextInput(attrs={"placeholder": "2025-2026", "inputmode": "numeric"}),
    )
    starts_on = forms.DateField(label="Début", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Fin", widget=forms.DateInput(attrs={"type": "date"}))
    make_current = forms.BooleanField(label="En faire l'année en cours", required=False)


class SchoolForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label="Nom de l'école", max_length=150)
    kind = forms.ChoiceField(label="Type", choices=SchoolKind.choices)
    address = forms.CharField(
        label="Adresse", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SchoolClassForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label="Nom de la classe", max_length=60,
        help_text="Par exemple « CP-CE1 de Mme Le Bihan ».",
    )
    levels = forms.MultipleChoiceField(
        label="Niveaux", choices=Level.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class EnrolmentForm(BootstrapFormMixin, forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.ChoiceField(
        label="Niveau", choices=[("", "—"), *Level.choices], required=False
    )
