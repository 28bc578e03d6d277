from typing import Any

from django import forms

from tenant_apps.catalog.models import Service
from tenant_apps.mailings.audience import current_school_year
from tenant_apps.mailings.models import AudienceKind
from tenant_apps.schooling.models import School, SchoolClass

REQUIRED = {"required": "Ce champ est obligatoire."}
BAD_CHOICE = {"invalid_choice": "Ce choix n'est pas valable : choisissez dans la liste."}


class MailingForm(forms.Form):
    """Input of a draft; the service checks the audience and sanitises the body."""

    subject = forms.CharField(label="Objet", max_length=200, error_messages={
        **REQUIRED, "max_length": "200 caractères au plus."})
    body_html = forms.CharField(label="Message", widget=forms.Textarea,
                                error_messages={"required": "Écrivez le message."})
    audience_kind = forms.ChoiceField(label="Destinataires", choices=AudienceKind.choices,
                                      initial=AudienceKind.ALL, widget=forms.RadioSelect,
                                      error_messages={**REQUIRED, **BAD_CHOICE})
    school = forms.ModelChoiceField(label="École", queryset=School.objects.none(),
                                    required=False, empty_label="Choisir une école",
                                    error_messages=BAD_CHOICE)
    school_class = forms.ModelChoiceField(label="Classe", queryset=SchoolClass.objects.none(),
                                          required=False, empty_label="Choisir une classe",
                                          error_messages=BAD_CHOICE)
    service = forms.ModelChoiceField(label="Prestation", queryset=Service.objects.none(),
                                     required=False, empty_label="Choisir une prestation",
                                     error_messages=BAD_CHOICE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = current_school_year()
        self.fields["school"].queryset = School.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["school_class"].queryset = (  # type: ignore[attr-defined]
            SchoolClass.objects.filter(school_year=year).select_related("school")
            if year else SchoolClass.objects.none()
        )
        self.fields["service"].queryset = Service.objects.filter(active=True)  # type: ignore[attr-defined]
        self.school_year = year
