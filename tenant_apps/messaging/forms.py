from django import forms

from tenant_apps.messaging.models import MessageBox
from tenant_apps.messaging.services import BODY_MAX, SUBJECT_MAX

REQUIRED = "Ce champ est obligatoire."


def _body_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Écrivez votre message.",
                        "max_length": f"Votre message est trop long ({BODY_MAX} caractères "
                                      "au plus)."},
    )


class ReplyForm(forms.Form):
    body = _body_field("Votre réponse")
    mark_handled = forms.BooleanField(label="Marquer la conversation comme traitée",
                                      required=False, initial=True)


class FamilyReplyForm(forms.Form):
    body = _body_field("Votre réponse")


class ConversationStartForm(forms.Form):
    box = forms.ModelChoiceField(
        label="Service à contacter", queryset=MessageBox.objects.none(),
        widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": "Choisissez le service à contacter.",
                        "invalid_choice": "Choisissez le service à contacter dans la liste."},
    )
    subject = forms.CharField(
        label="Objet", max_length=SUBJECT_MAX,
        error_messages={"required": "Indiquez l'objet de votre message.",
                        "max_length": f"L'objet est trop long ({SUBJECT_MAX} caractères au "
                                      "plus)."},
    )
    body = _body_field("Votre message")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["box"].queryset = MessageBox.objects.filter(  # type: ignore[attr-defined]
            active=True
        ).order_by("name")


class MessageBoxForm(forms.Form):
    name = forms.CharField(label="Nom du service", max_length=80,
                           error_messages={"required": "Indiquez le nom du service.",
                                           "max_length": "80 caractères au plus."})
    description = forms.CharField(label="Description pour les familles", max_length=250,
                                  required=False)
    notify_email = forms.EmailField(
        label="Courriel prévenu des nouveaux messages", required=False,
        error_messages={"invalid": "Saisissez une adresse de courriel valide."},
    )
    active = forms.BooleanField(label="Ouvert aux familles", required=False, initial=True)
