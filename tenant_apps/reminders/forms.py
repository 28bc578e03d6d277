"""Input of the reminders page; the rules themselves are checked by the service."""

from django import forms

from tenant_apps.backoffice.form_styles import BootstrapFormMixin
from tenant_apps.reminders.models import WEEKDAY_CHOICES, ReminderAudience

TIME = forms.TimeInput(
    attrs={"placeholder": "18:00", "inputmode": "numeric", "maxlength": "5", "size": "5"},
    format="%H:%M",
)


class ReminderForm(BootstrapFormMixin, forms.Form):
    weekday = forms.TypedChoiceField(
        label="Jour d'envoi", choices=WEEKDAY_CHOICES, coerce=int,
        error_messages={"required": "Choisissez le jour d'envoi.",
                        "invalid_choice": "Choisissez le jour d'envoi."},
    )
    at = forms.TimeField(label="Heure d'envoi (heure de Paris)", widget=TIME,
                         error_messages={"required": "Indiquez l'heure d'envoi.",
                                         "invalid": "Heure invalide : écrivez-la comme 18:00."})
    audience = forms.ChoiceField(label="Destinataires", choices=ReminderAudience.choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Choisissez les destinataires."})
    subject = forms.CharField(label="Objet", max_length=200,
                              error_messages={"required": "Indiquez l'objet du rappel.",
                                              "max_length": "L'objet ne doit pas dépasser "
                                                            "200 caractères."})
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 7}),
                           error_messages={"required": "Écrivez le message du rappel."},
                           help_text="Le courriel indique en plus la semaine concernée et le "
                                     "nom de la commune.")
    active = forms.BooleanField(label="Rappel actif", required=False, initial=True)
