"""HTML forms of the family pages: input parsing only; rules live in the services."""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from tenant_apps.families.access import FamilyAccess
from tenant_apps.families.models import (
    Child,
    ChildContact,
    ContactRole,
    CustodyPattern,
    Guardian,
    Household,
)
from tenant_apps.families.services import CHILD_FIELDS, GUARDIAN_FIELDS, HOUSEHOLD_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AccessAwareForm(forms.ModelForm):
    """Drops the fields the user may not see (medical, finances) from the form."""

    def __init__(self, *args: Any, access: FamilyAccess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in access.hidden_fields() & set(self.fields):
            del self.fields[name]

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's errors next to their fields (or on top of the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            target = name if name in self.fields else None
            if name == NON_FIELD_ERRORS:
                target = None
            for item in errors:
                self.add_error(target, item)


class HouseholdForm(AccessAwareForm):
    class Meta:
        model = Household
        fields = [f for f in HOUSEHOLD_FIELDS if f != "billing_guardian"] + ["billing_guardian"]
        widgets = {
            "qf_valid_from": DATE_WIDGET,
            "qf_valid_until": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, access: FamilyAccess, **kwargs: Any) -> None:
        super().__init__(*args, access=access, **kwargs)
        if "billing_guardian" in self.fields:
            field = self.fields["billing_guardian"]
            if self.instance.pk and isinstance(field, forms.ModelChoiceField):
                field.queryset = self.instance.guardians.all()  # type: ignore[attr-defined]
                field.empty_label = "— choisir —"
            else:
                del self.fields["billing_guardian"]


class GuardianForm(AccessAwareForm):
    class Meta:
        model = Guardian
        fields = GUARDIAN_FIELDS


class ChildForm(AccessAwareForm):
    class Meta:
        model = Child
        fields = CHILD_FIELDS
        widgets = {
            "birth_date": DATE_WIDGET,
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "medical_notes": forms.Textarea(attrs={"rows": 2}),
        }


class ChildCreateForm(ChildForm):
    custody = forms.ChoiceField(label="garde dans ce foyer", choices=CustodyPattern.choices,
                                initial=CustodyPattern.FULL)


class LinkForm(forms.Form):
    household = forms.ModelChoiceField(label="second foyer", queryset=Household.objects.none(),
                                       empty_label="— choisir un foyer —")
    custody = forms.ChoiceField(
        label="rythme de garde dans ce foyer",
        choices=[c for c in CustodyPattern.choices if c[0] != CustodyPattern.FULL],
    )

    def __init__(self, *args: Any, households: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households  # type: ignore[attr-defined]


class ContactForm(forms.ModelForm):
    role = forms.ChoiceField(label="rôle", choices=ContactRole.choices, initial=ContactRole.BOTH)

    class Meta:
        model = ChildContact
        fields = ["name", "relationship", "phone", "role"]


class DocumentForm(forms.Form):
    title = forms.CharField(label="titre", max_length=150)
    upload = forms.FileField(
        label="fichier (PDF, JPEG ou PNG, 10 Mo au plus)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
