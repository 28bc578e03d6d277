"""Input of the catering pages; the rules themselves are checked by the services."""

from typing import Any

from django import forms

from tenant_apps.backoffice.form_styles import BootstrapFormMixin
from tenant_apps.catalog.models import Service
from tenant_apps.catering.models import CutoffDayCount
from tenant_apps.catering.services import MAX_DAYS_BEFORE
from tenant_apps.schooling.models import School

TIME = forms.TimeInput(
    attrs={"placeholder": "09:00", "inputmode": "numeric", "maxlength": "5", "size": "5"},
    format="%H:%M",
)


class CatererForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label="Nom du prestataire", max_length=150)
    emails = forms.CharField(
        label="Courriels des commandes", max_length=1000,
        help_text="Un ou plusieurs, séparés par des virgules.",
    )
    cutoff_time = forms.TimeField(label="Heure limite de commande", widget=TIME)
    cutoff_days_before = forms.IntegerField(
        label="Jours avant la livraison", min_value=0, max_value=MAX_DAYS_BEFORE, initial=0,
        help_text="0 : le jour même ; 2 : deux jours avant (J-2).",
    )
    cutoff_day_count = forms.ChoiceField(
        label="Décompte", choices=CutoffDayCount.choices, initial=CutoffDayCount.WORKING
    )
    services = forms.ModelMultipleChoiceField(
        label="Prestations comptées comme repas", queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins une prestation."},
    )
    active = forms.BooleanField(label="Commandes automatiques actives", required=False,
                                initial=True)

    def __init__(self, *args: Any, schools: list[School], services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schools = schools
        self.fields["services"].queryset = services  # type: ignore[attr-defined]
        for school in schools:
            self.fields[f"site_{school.pk}"] = forms.BooleanField(
                label=school.name, required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"adults_{school.pk}"] = forms.IntegerField(
                label=f"Repas adultes par jour à {school.name}", required=False, min_value=0,
                max_value=500, initial=0,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm",
                                                "style": "max-width: 7rem"}),
            )

    def clean_emails(self) -> list[str]:
        raw = self.cleaned_data.get("emails") or ""
        return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]

    def site_rows(self) -> list[tuple[School, forms.BoundField, forms.BoundField]]:
        return [(s, self[f"site_{s.pk}"], self[f"adults_{s.pk}"]) for s in self.schools]

    def chosen_sites(self) -> list[tuple[School, int]]:
        data = self.cleaned_data
        return [(s, int(data.get(f"adults_{s.pk}") or 0)) for s in self.schools
                if data.get(f"site_{s.pk}")]
