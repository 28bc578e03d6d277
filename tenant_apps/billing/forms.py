"""Billing forms. Amounts are typed in euros ("3,85") and handled as integer cents."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from tenant_apps.backoffice.form_styles import BootstrapFormMixin
from tenant_apps.billing import pricing
from tenant_apps.billing.models import (
    COUNTER_PAYMENT_METHODS,
    BillingSettings,
    InvoiceStatus,
    TariffKind,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def cents_of(value: Decimal | None) -> int | None:
    if value is None:
        return None
    return pricing.round_cents(value * 100)


class EurosField(forms.DecimalField):
    """A French amount in euros ("3,85" or "3.85"), at most two decimals."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = "Saisissez un montant en euros, par exemple 3,85."
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.replace("€", "").replace("\u00a0", "").replace(" ", "").replace(",",
                                                                                          ".")
        try:
            return super().to_python(value)
        except InvalidOperation as error:  # pragma: no cover - DecimalField handles it
            raise ValidationError(self.error_messages["invalid"]) from error


class TariffForm(BootstrapFormMixin, forms.Form):
    label = forms.CharField(label="Libellé", max_length=120, required=False)
    effective_from = forms.DateField(label="Applicable du", widget=DATE_WIDGET)
    effective_to = forms.DateField(label="Au (inclus)", widget=DATE_WIDGET, required=False,
                                   help_text="Vide : sans date de fin.")
    kind = forms.ChoiceField(label="Type de tarif", choices=TariffKind.choices)
    amount = EurosField(label="Prix (€)", required=False,
                        help_text="Prix fixe ; ignoré pour les autres types.")
    brackets = forms.CharField(
        label="Tranches de quotient familial", required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Une tranche par ligne : « QF max ; prix », la dernière sans QF max. "
                  "Exemple : 500 ; 1,00 puis 900 ; 2,50 puis ; 4,20")
    effort_rate_percent = forms.DecimalField(
        label="Taux d'effort (% du QF)", required=False, min_value=Decimal(0),
        max_digits=7, decimal_places=4, localize=True,
        help_text="Prix = QF × taux ; exemple : 0,35 % d'un QF de 800 → 2,80 €.")
    floor = EurosField(label="Prix plancher (€)", required=False)
    ceiling = EurosField(label="Prix plafond (€)", required=False)
    non_resident = EurosField(label="Tarif hors commune (€)", required=False)
    pai = EurosField(label="Tarif PAI (€)", required=False,
                     help_text="Enfant avec PAI qui apporte son repas.")
    sibling_discount_percent = forms.DecimalField(
        label="Réduction fratrie (%)", required=False, min_value=Decimal(0),
        max_value=Decimal(100), decimal_places=2, localize=True,
        help_text="À partir du 2ᵉ enfant du foyer (par âge).")
    unbooked_presence_penalty = EurosField(label="Majoration présence sans réservation (€)",
                                           required=False)
    late_cancel_penalty = EurosField(label="Pénalité annulation tardive (€)", required=False)
    bill_unjustified_absence = forms.BooleanField(
        label="Facturer les absences non justifiées", required=False, initial=True)

    def clean_brackets(self) -> list[pricing.Bracket]:
        text = self.cleaned_data.get("brackets") or ""
        out = []
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            qf_text, sep, amount_text = raw.partition(";")
            if not sep:
                raise ValidationError(f"Ligne {number} : écrivez « QF max ; prix ».")
            qf_text = qf_text.strip()
            try:
                qf = int(qf_text) if qf_text else None
                amount = Decimal(amount_text.strip().replace(",", ".").replace("€", ""))
            except (ValueError, InvalidOperation) as error:
                raise ValidationError(f"Ligne {number} : « {raw.strip()} » n'est pas lisible."
                                      ) from error
            if (qf is not None and qf < 0) or amount < 0:
                raise ValidationError(f"Ligne {number} : valeurs négatives interdites.")
            out.append(pricing.Bracket(qf, cents_of(amount) or 0))
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data = data or {}
        if data.get("kind") == pricing.QF_BRACKETS and not data.get("brackets"):
            self.add_error("brackets", "Saisissez les tranches de quotient familial.")
        if data.get("kind") == pricing.EFFORT_RATE and not data.get("effort_rate_percent"):
            self.add_error("effort_rate_percent", "Saisissez le taux d'effort.")
        return data

    def service_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "label": d["label"], "effective_from": d["effective_from"],
            "effective_to": d.get("effective_to"), "kind": d["kind"],
            "amount_cents": cents_of(d.get("amount")) or 0,
            "effort_rate_percent": d.get("effort_rate_percent") or Decimal(0),
            "floor_cents": cents_of(d.get("floor")) or 0,
            "ceiling_cents": cents_of(d.get("ceiling")) or 0,
            "non_resident_cents": cents_of(d.get("non_resident")),
            "pai_cents": cents_of(d.get("pai")),
            "sibling_discount_percent": d.get("sibling_discount_percent") or Decimal(0),
            "unbooked_presence_penalty_cents": cents_of(d.get("unbooked_presence_penalty")) or 0,
            "late_cancel_penalty_cents": cents_of(d.get("late_cancel_penalty")) or 0,
            "bill_unjustified_absence": d.get("bill_unjustified_absence", False),
        }


class RunForm(BootstrapFormMixin, forms.Form):
    period_start = forms.DateField(label="Du", widget=DATE_WIDGET)
    period_end = forms.DateField(label="Au (inclus)", widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data = data or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "La fin de période précède son début.")
        return data


class InvoiceFilterForm(BootstrapFormMixin, forms.Form):
    statut = forms.ChoiceField(label="Statut", required=False,
                               choices=[("", "Tous"), *InvoiceStatus.choices,
                                        ("impayees", "Impayées")])
    du = forms.DateField(label="Du", required=False, widget=DATE_WIDGET)
    au = forms.DateField(label="Au", required=False, widget=DATE_WIDGET)
    q = forms.CharField(label="Foyer ou numéro", required=False, max_length=100)


class CreditNoteForm(BootstrapFormMixin, forms.Form):
    amount = EurosField(label="Montant de l'avoir (€)", required=False,
                        min_value=Decimal("0.01"),
                        help_text="Vide : tout ce qui reste de la facture.")
    reason = forms.CharField(label="Motif", max_length=150)


class PaymentForm(BootstrapFormMixin, forms.Form):
    method = forms.ChoiceField(label="Moyen de paiement", choices=COUNTER_PAYMENT_METHODS)
    amount = EurosField(label="Montant (€)", min_value=Decimal("0.01"))
    received_on = forms.DateField(label="Reçu le", widget=DATE_WIDGET)
    reference = forms.CharField(label="Référence (n° de chèque, de CESU…)", max_length=80,
                                required=False)
    payer_name = forms.CharField(label="Payé par", max_length=150, required=False)


class BillingSettingsForm(BootstrapFormMixin, forms.ModelForm):
    low_balance = EurosField(label="Seuil d'alerte du compte prépayé (€)", required=False)

    class Meta:
        model = BillingSettings
        fields = ["payment_info", "payment_term_days", "establishment_code", "product_code",
                  "poste_comptable", "collectivity_siret", "collectivity_code", "budget_code",
                  "accounting_nature"]
        widgets = {"payment_info": forms.Textarea(attrs={"rows": 4})}

    def clean_collectivity_siret(self) -> str:
        value = str(self.cleaned_data.get("collectivity_siret") or "").replace(" ", "")
        if value and (not value.isdigit() or len(value) != 14):
            raise ValidationError("Le SIRET compte 14 chiffres.")
        return value

    def clean_poste_comptable(self) -> str:
        value = str(self.cleaned_data.get("poste_comptable") or "").strip()
        if not value.isdigit():
            raise ValidationError("Le poste comptable est un code numérique (6 chiffres).")
        return value


class TopUpForm(BootstrapFormMixin, forms.Form):
    method = forms.ChoiceField(label="Moyen de paiement", choices=COUNTER_PAYMENT_METHODS)
    amount = EurosField(label="Montant (€)", min_value=Decimal("0.01"))


class PaymentReverseForm(BootstrapFormMixin, forms.Form):
    """"Annuler ce paiement": why, and when the money was found missing."""

    reason = forms.CharField(label="Motif", max_length=200,
                             help_text="Par exemple : chèque revenu impayé.")
    reversed_on = forms.DateField(label="Date de l'annulation", widget=DATE_WIDGET)
