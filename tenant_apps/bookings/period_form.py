"""The "Du … au …" date range of the booking forms (closures, custody, mass booking in
the back office and on the portal): both dates required, the end not before the start."""

from typing import Any

from django import forms

END_BEFORE_START = "La date de fin doit être postérieure ou égale à la date de début."


class PeriodForm(forms.Form):
    starts_on = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"required": "Indiquez la date de début.",
                                                "invalid": "Date de début invalide."})
    ends_on = forms.DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"required": "Indiquez la date de fin.",
                                              "invalid": "Date de fin invalide."})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", END_BEFORE_START)
        return data
