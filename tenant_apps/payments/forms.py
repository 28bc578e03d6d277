"""Forms of online payment pages (French labels and messages)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from tenant_apps.backoffice.form_styles import BootstrapFormMixin
from tenant_apps.payments import rules
from tenant_apps.payments.models import PayfipSettings


class PayfipSettingsForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = PayfipSettings
        fields = ["enabled", "client_number", "mode", "label_prefix"]
        help_texts = {
            "client_number": "Les 6 chiffres communiqués par la DGFiP (votre SGC).",
            "mode": "Test tant que la DGFiP n'a pas validé l'activation ; Production ensuite.",
            "label_prefix": "Repris dans l'objet du paiement (sans accents).",
        }

    def clean_client_number(self) -> str:
        value = (self.cleaned_data.get("client_number") or "").strip()
        if value and not rules.NUMCLI_RE.match(value):
            raise forms.ValidationError("Le numéro client PayFiP compte exactement 6 chiffres.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("enabled") and not data.get("client_number"):
            self.add_error("client_number",
                           "Indiquez le numéro client avant d'activer le paiement en ligne.")
        return data


class TopUpForm(BootstrapFormMixin, forms.Form):
    amount = forms.CharField(label="Montant à verser (€)", max_length=12,
                             widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                           "placeholder": "30,00"}))

    def clean_amount(self) -> int:
        raw = (self.cleaned_data.get("amount") or "").replace("€", "").replace(" ", "")
        try:
            value = Decimal(raw.replace(",", "."))
        except InvalidOperation as exc:
            raise forms.ValidationError("Montant illisible : écrivez par exemple 30,00.") from exc
        if not value.is_finite():
            raise forms.ValidationError("Montant illisible : écrivez par exemple 30,00.")
        if value != value.quantize(Decimal("0.01")):
            raise forms.ValidationError("Deux chiffres après la virgule au plus.")
        cents = int(value * 100)
        if not rules.MIN_CENTS <= cents <= 100_000:
            raise forms.ValidationError("Le rechargement va de 1,00 € à 1 000,00 €.")
        return cents


class MandateRequestForm(BootstrapFormMixin, forms.Form):
    holder_name = forms.CharField(label="Titulaire du compte", max_length=70)
    iban = forms.CharField(label="IBAN", max_length=42,
                           widget=forms.TextInput(attrs={"autocomplete": "off",
                                                         "placeholder": "FR76 …"}))
    bic = forms.CharField(label="BIC (facultatif)", max_length=14, required=False)


class MandateForm(MandateRequestForm):
    household: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label="Foyer", queryset=None)  # type: ignore[arg-type]
    signed_on = forms.DateField(label="Signé le", widget=forms.DateInput(attrs={"type": "date"}))
    field_order = ["household", "holder_name", "iban", "bic", "signed_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from tenant_apps.families.models import Household

        super().__init__(*args, **kwargs)
        field = self.fields["household"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing)
        field.queryset = Household.objects.order_by("name")


class MandateValidateForm(forms.Form):
    signed_on = forms.DateField(label="Signé le", widget=forms.DateInput(attrs={"type": "date"}))


class DebitRunForm(BootstrapFormMixin, forms.Form):
    group: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label="Groupe de factures déposé", queryset=None)  # type: ignore[arg-type]
    collection_date = forms.DateField(label="Date de prélèvement",
                                      widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from tenant_apps.billing.models import InvoiceGroup

        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing)
        field.queryset = InvoiceGroup.objects.filter(deposit__isnull=False).order_by(
            "-period_start")


class SepaSettingsForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = PayfipSettings
        fields = ["creditor_identifier", "creditor_name", "creditor_iban", "creditor_bic"]

    def clean_creditor_identifier(self) -> str:
        from tenant_apps.payments.sepa_rules import ics_valid

        value = (self.cleaned_data.get("creditor_identifier") or "").strip().upper()
        if value and not ics_valid(value):
            raise forms.ValidationError("ICS invalide : FR + 2 chiffres de contrôle + 3 "
                                        "caractères + 6 caractères (ex. FR72ZZZ123456).")
        return value.replace(" ", "")

    def clean(self) -> dict[str, Any]:
        from tenant_apps.payments.sepa_rules import account_check

        data = super().clean() or {}
        if data.get("creditor_iban"):
            try:
                account = account_check(data["creditor_iban"], data.get("creditor_bic", ""))
            except ValueError as exc:
                self.add_error("creditor_iban", str(exc))
            else:
                data["creditor_iban"], data["creditor_bic"] = account.iban, account.bic
        return data
