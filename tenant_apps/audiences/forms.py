"""Target fields shared by the documents and questionnaires forms."""

from typing import Any

from django import forms

from tenant_apps.audiences.selectors import current_school_year
from tenant_apps.backoffice.form_styles import BootstrapFormMixin
from tenant_apps.catalog.models import Service
from tenant_apps.schooling.models import School, SchoolClass


class AudienceFormMixin(BootstrapFormMixin, forms.Form):
    """Three optional filters; the class must be of the current year and of the school."""

    target_school = forms.ModelChoiceField(
        label="École", required=False, queryset=School.objects.none(),
        empty_label="Toutes les écoles",
    )
    target_class = forms.ModelChoiceField(
        label="Classe (année en cours)", required=False, queryset=SchoolClass.objects.none(),
        empty_label="Toutes les classes",
    )
    target_service = forms.ModelChoiceField(
        label="Prestation", required=False, queryset=Service.objects.none(),
        empty_label="Toutes les prestations",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = current_school_year()
        self.fields["target_school"].queryset = School.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["target_class"].queryset = (  # type: ignore[attr-defined]
            SchoolClass.objects.filter(school_year=year).select_related("school")
            if year
            else SchoolClass.objects.none()
        )
        self.fields["target_service"].queryset = Service.objects.filter(active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        school, klass = data.get("target_school"), data.get("target_class")
        if school and klass and klass.school_id != school.pk:
            self.add_error("target_class", "Cette classe n'appartient pas à l'école choisie.")
        return data
