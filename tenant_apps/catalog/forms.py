"""Input of the catalog pages; the rules themselves are checked by the services."""

from typing import Any, cast

from django import forms

from tenant_apps.backoffice.form_styles import BootstrapFormMixin
from tenant_apps.catalog.models import DayCount, ServiceCalendar, ServiceKind
from tenant_apps.catalog.services import MAX_DAYS_BEFORE
from tenant_apps.catalog.weekdays import WEEKDAY_CHOICES
from tenant_apps.schooling.models import School

# A plain text box: "08:30" reads the same in every browser (no AM/PM picker).
TIME = forms.TimeInput(
    attrs={"placeholder": "08:30", "inputmode": "numeric", "maxlength": "5", "size": "5"},
    format="%H:%M",
)


class ServiceForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label="Nom de la prestation", max_length=120,
                           help_text="Tel que les familles le liront, par ex. « Repas Enfant ».")
    kind = forms.ChoiceField(label="Type", choices=ServiceKind.choices)
    weekdays = forms.MultipleChoiceField(
        label="Jours de fonctionnement", choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un jour."},
    )
    calendar = forms.ChoiceField(label="Calendrier", choices=ServiceCalendar.choices)
    capacity = forms.IntegerField(
        label="Capacité (places)", required=False, min_value=1,
        help_text="Laissez vide si le nombre de places n'est pas limité.",
    )
    schools = forms.ModelMultipleChoiceField(
        label="Écoles desservies", queryset=School.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    book_until = forms.TimeField(label="Réservation jusqu'à", widget=TIME)
    book_days_before = forms.IntegerField(
        label="Jours avant (réservation)", min_value=0, max_value=MAX_DAYS_BEFORE, initial=0
    )
    book_day_count = forms.ChoiceField(
        label="Décompte (réservation)", choices=DayCount.choices, initial=DayCount.CALENDAR
    )
    cancel_until = forms.TimeField(label="Annulation jusqu'à", widget=TIME)
    cancel_days_before = forms.IntegerField(
        label="Jours avant (annulation)", min_value=0, max_value=MAX_DAYS_BEFORE, initial=0
    )
    cancel_day_count = forms.ChoiceField(
        label="Décompte (annulation)", choices=DayCount.choices, initial=DayCount.CALENDAR
    )
    tariff_code = forms.CharField(
        label="Référence tarifaire", max_length=40, required=False,
        help_text="Le code du tarif à appliquer (grille définie dans la facturation).",
    )
    active = forms.BooleanField(label="Proposée aux familles", required=False, initial=True)

    def __init__(self, *args: Any, current_school_ids: list[int] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Active schools, plus any inactive one the service still serves.
        field = cast(forms.ModelMultipleChoiceField, self.fields["schools"])
        field.queryset = School.objects.filter(
            active=True
        ) | School.objects.filter(pk__in=current_school_ids or [])

    def clean_weekdays(self) -> list[int]:
        return sorted(int(d) for d in self.cleaned_data["weekdays"])


class RegistrationFilterForm(forms.Form):
    annee = forms.IntegerField(required=False)
    ecole = forms.IntegerField(required=False)
    classe = forms.IntegerField(required=False)
    q = forms.CharField(required=False, max_length=100)
