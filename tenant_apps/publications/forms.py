from typing import Any

from django import forms
from django.utils import timezone

from tenant_apps.audiences.forms import AudienceFormMixin
from tenant_apps.publications.files import validate_upload


class PublicationForm(AudienceFormMixin):
    title = forms.CharField(label="Titre", max_length=150)
    file = forms.FileField(
        label="Fichier (PDF, JPEG ou PNG, 10 Mo au plus)",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
        error_messages={"required": "Choisissez le fichier à publier."},
    )
    description = forms.CharField(
        label="Description (facultative)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visible_from = forms.DateField(
        label="Visible à partir du",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    visible_until = forms.DateField(
        label="Visible jusqu'au (facultatif)", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    field_order = ["title", "file", "description", "visible_from", "visible_until",
                   "target_school", "target_class", "target_service"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visible_from"].initial = timezone.localdate()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        validate_upload(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("visible_from"), data.get("visible_until")
        if start and end and end < start:
            self.add_error("visible_until", "La date de fin doit suivre la date de début.")
        return data
