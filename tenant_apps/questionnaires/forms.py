from typing import Any

from django import forms
from django.utils import timezone

from tenant_apps.audiences.forms import AudienceFormMixin
from tenant_apps.backoffice.form_styles import BootstrapFormMixin
from tenant_apps.questionnaires.models import CHOICE_KINDS, QuestionKind


class QuestionnaireForm(AudienceFormMixin):
    title = forms.CharField(label="Titre", max_length=150)
    intro = forms.CharField(
        label="Introduction (facultative)", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Affichée aux familles au-dessus des questions.",
    )
    field_order = ["title", "intro", "target_school", "target_class", "target_service"]


class QuestionForm(BootstrapFormMixin, forms.Form):
    label = forms.CharField(label="Question", max_length=300)
    kind = forms.ChoiceField(label="Type de réponse", choices=QuestionKind.choices)
    choices = forms.CharField(
        label="Choix proposés (un par ligne)", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pour un choix unique ou multiple.",
    )
    required = forms.BooleanField(label="Réponse obligatoire", required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lines = [line.strip() for line in data.get("choices", "").splitlines() if line.strip()]
        data["choice_list"] = lines
        if data.get("kind") in CHOICE_KINDS and len(set(lines)) < 2:
            self.add_error("choices", "Proposez au moins deux choix, un par ligne.")
        return data


class OpenForm(BootstrapFormMixin, forms.Form):
    opens_on = forms.DateField(label="Ouvert à partir du",
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    closes_on = forms.DateField(label="Jusqu'au (inclus)",
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    notify_families = forms.BooleanField(
        label="Prévenir les familles concernées par courriel", required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opens_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("opens_on"), data.get("closes_on")
        if start and end and end < start:
            self.add_error("closes_on", "La date de clôture doit suivre la date d'ouverture.")
        elif end and end < timezone.localdate():
            self.add_error("closes_on", "La date de clôture est déjà passée.")
        return data
