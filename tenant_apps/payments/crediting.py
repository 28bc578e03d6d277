"""Crediting a PayFiP operation the provider reports paid (called by the settle service
inside its transaction, with the operation row locked).

Checks before any money is recorded: the provider's echo matches our record (numcli,
refdet, mode, exercise, amount) and the invoice can still take this payment. Otherwise
the operation becomes an anomaly that an agent resolves; nothing is credited."""

from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from tenant_apps.accounts.models import Role, User
from tenant_apps.billing.models import Invoice, InvoiceKind, InvoiceStatus, PaymentMethod
from tenant_apps.billing.payments import payment_record
from tenant_apps.billing.selectors import with_amounts
from tenant_apps.payments import rules
from tenant_apps.payments.models import OperationKind, OperationStatus, PayfipOperation

SYSTEM_EMAIL = "payfip@automatique.invalid"


def payfip_actor() -> User:
    """The account that records online payments (inactive, no password: it cannot log in;
    billing's payment services require a régisseur as the acting user)."""
    user = User.objects.filter(email=SYSTEM_EMAIL).first()
    if user is None:
        user = User.objects.create_user(email=SYSTEM_EMAIL, role=Role.REGISSEUR,
                                        full_name="PayFiP (paiement en ligne)",
                                        is_active=False)
    return user


def _transaction_day(answer: dict[str, str]) -> date:
    today = timezone.localdate()
    try:
        day = datetime.strptime(answer.get("dattrans", ""), "%d%m%Y").date()  # noqa: DTZ007
    except ValueError:
        return today
    return min(day, today)


def _anomaly(operation: PayfipOperation, reason: str) -> None:
    operation.status = OperationStatus.ANOMALY
    operation.anomaly = reason[:500]
    operation.settled_at = timezone.now()


def operation_credit(operation: PayfipOperation, answer: dict[str, str]) -> None:
    """Mark `operation` paid with one Payment (or prepaid top-up), or an anomaly."""
    expected = {"numcli": operation.numcli, "refdet": operation.refdet or "",
                "saisie": operation.mode, "exer": operation.exer,
                "montant": str(operation.amount_cents)}
    reasons = rules.mismatch_reasons(expected=expected, answered=answer)
    if reasons:
        _anomaly(operation, "Paiement annoncé par PayFiP mais différent de la demande : "
                 + " ".join(reasons) + " Rien n'a été crédité.")
        return
    if operation.kind == OperationKind.TOP_UP:
        _credit_top_up(operation)
        return
    invoice: Any = with_amounts(Invoice.objects.select_for_update(of=("self",)).filter(
        pk=operation.invoice_id or 0)).get()
    if invoice.status != InvoiceStatus.ISSUED or invoice.kind != InvoiceKind.INVOICE:
        _anomaly(operation, f"Paiement reçu pour la facture {invoice} qui est "
                 f"{invoice.get_status_display().lower()} : rien n'a été crédité.")
        return
    if invoice.due_cents < operation.amount_cents:
        _anomaly(operation, f"Paiement reçu ({rules.euros(operation.amount_cents)}) alors "
                 f"que la facture {invoice.number} n'attend plus que "
                 f"{rules.euros(max(0, int(invoice.due_cents)))} (réglée entre-temps) : "
                 "rien n'a été crédité.")
        return
    operation.payment = payment_record(
        household=invoice.household, method=PaymentMethod.ONLINE,
        amount_cents=operation.amount_cents, received_on=_transaction_day(answer),
        reference=f"PayFiP {operation.id_op}"[:80], payer_name=operation.email[:150],
        invoice=invoice, acting_user=payfip_actor())
    operation.status = OperationStatus.PAID
    operation.settled_at = timezone.now()
    operation.anomaly = ""
    _confirmation_email(operation, invoice)


def _credit_top_up(operation: PayfipOperation) -> None:
    from tenant_apps.billing.prepaid import prepaid_top_up

    operation.ledger_entry = prepaid_top_up(
        household=operation.household, amount_cents=operation.amount_cents,
        method=PaymentMethod.ONLINE, acting_user=payfip_actor())
    operation.status = OperationStatus.PAID
    operation.settled_at = timezone.now()
    operation.anomaly = ""
    _confirmation_email(operation, None)


def _confirmation_email(operation: PayfipOperation, invoice: Invoice | None) -> None:
    from tenant_apps.commune_settings.selectors import commune_settings_get
    from tenant_apps.outbox.services import outbox_email_enqueue
    from tenants.selectors import current_commune_url

    context = {
        "operation": operation, "invoice": invoice,
        "amount": rules.euros(operation.amount_cents),
        "commune_name": commune_settings_get().display_name,
        "link": current_commune_url("/factures/"),
        "receipt": operation.payment.receipt_number if operation.payment else
        (operation.ledger_entry.receipt_number if operation.ledger_entry else ""),
    }
    subject = (f"Paiement confirmé : facture {invoice.number}" if invoice is not None
               else "Paiement confirmé : rechargement de votre compte")
    outbox_email_enqueue(
        recipients=[operation.email], subject=subject,
        body_text=render_to_string("payments/emails/confirmation.txt", context),
        idempotency_key=f"payfip-confirmation:{operation.id_op}")
