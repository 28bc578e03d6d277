"""Payments recorded by the régisseur, their allocation to invoices, their reversal
(a payment that did not hold: cheque returned unpaid, SEPA rejet after collection), and
reminders (relances) for unpaid invoices, sent through the outbox."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tenant_apps.accounts.access import BILLING_ROLES
from tenant_apps.accounts.models import User
from tenant_apps.billing.models import (
    Invoice,
    InvoiceKind,
    InvoiceReminder,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentReversal,
)
from tenant_apps.billing.numbering import number_take
from tenant_apps.billing.pricing import euros_label
from tenant_apps.billing.selectors import only_due, with_amounts
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.families.models import Guardian, Household
from tenant_apps.outbox.services import outbox_email_enqueue
from tenants.selectors import current_commune_url

ROLE_REFUSED = "Seuls le régisseur et l'administrateur enregistrent les paiements."
MAX_PAYMENT_CENTS = 10_000_000  # 100 000 €: beyond, surely a typing error


def _require_role(acting_user: User) -> None:
    if acting_user.role not in BILLING_ROLES:
        raise ValidationError(ROLE_REFUSED)


@transaction.atomic
def payment_record(*, household: Household, method: str, amount_cents: int,
                   received_on: date, reference: str = "", payer_name: str = "",
                   invoice: Invoice | None = None, acting_user: User) -> Payment:
    """Record money received and allocate it: to `invoice` first when given, then to the
    household's oldest unpaid invoices. What is left stays as the household's credit.
    The receipt number is gap-free ("R2026-000001")."""
    _require_role(acting_user)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": "Moyen de paiement inconnu."})
    if amount_cents <= 0:
        raise ValidationError({"amount_cents": "Le montant doit être supérieur à 0 €."})
    if amount_cents > MAX_PAYMENT_CENTS:
        raise ValidationError({"amount_cents": "Montant trop élevé : vérifiez la saisie."})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "La date de réception est dans le futur."})
    if method == PaymentMethod.CHEQUE and not reference.strip():
        raise ValidationError({"reference": "Indiquez le numéro du chèque."})
    if invoice is not None and invoice.household_id != household.pk:
        raise ValidationError("Cette facture n'est pas celle de ce foyer.")
    Household.objects.select_for_update().get(pk=household.pk)  # one allocation at a time
    _, receipt = number_take(series="receipt", year=received_on.year)
    payment = Payment.objects.create(
        household=household, method=method, amount_cents=amount_cents,
        received_on=received_on, reference=reference.strip(), payer_name=payer_name.strip(),
        receipt_number=receipt, recorded_by=acting_user)
    unpaid: list[Any] = list(only_due(with_amounts(Invoice.objects.filter(
        household=household, status=InvoiceStatus.ISSUED, kind=InvoiceKind.INVOICE,
    ))).order_by("issued_at", "number"))
    if invoice is not None:
        unpaid.sort(key=lambda i: i.pk != invoice.pk)
    left = amount_cents
    allocations = []
    for target in unpaid:
        if left <= 0:
            break
        share = min(left, target.due_cents)
        allocations.append(PaymentAllocation(payment=payment, invoice=target,
                                             amount_cents=share))
        left -= share
    PaymentAllocation.objects.bulk_create(allocations)
    return payment


def _paid_by(payment_id: int) -> Any:
    """Issued invoices (not credit notes) a payment was allocated to."""
    return Invoice.objects.filter(
        pk__in=PaymentAllocation.objects.filter(payment_id=payment_id).values("invoice_id"),
        status=InvoiceStatus.ISSUED, kind=InvoiceKind.INVOICE)


PREPAID_NOT_REVERSIBLE = ("Un règlement par compte prépayé ne s'annule pas : "
                          "établissez un avoir.")


@transaction.atomic
def payment_reverse(*, payment: Payment, reason: str, reversed_on: date | None = None,
                    acting_user: User) -> PaymentReversal:
    """Record that `payment` did not hold. Nothing is edited nor deleted: a reversal row is
    appended, and from then on the payment's allocations no longer count towards what its
    invoices received, nor its unallocated part towards the household's credit (see
    `with_amounts`, `household_unallocated_cents`). Every issued invoice it paid that is
    now due again is reminded to the household in the same transaction (no email known:
    no reminder, not an error). `reversed_on` defaults to today; it may be neither in the
    future nor before the payment was received. A prepaid settlement is never reversed
    (a credit note corrects it)."""
    _require_role(acting_user)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    # Lock first: two agents reversing the same payment must not both pass the checks.
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if PaymentReversal.objects.filter(payment=locked).exists():
        raise ValidationError(f"Le paiement {locked.receipt_number} est déjà annulé.")
    if locked.method == PaymentMethod.PREPAID:
        raise ValidationError(PREPAID_NOT_REVERSIBLE)
    reversed_on = reversed_on or timezone.localdate()
    if reversed_on > timezone.localdate():
        raise ValidationError({"reversed_on": "La date d'annulation est dans le futur."})
    if reversed_on < locked.received_on:
        raise ValidationError({"reversed_on": "La date d'annulation précède la réception du "
                                              f"paiement ({locked.received_on:%d/%m/%Y})."})
    reversal = PaymentReversal.objects.create(payment=locked, reason=reason[:200],
                                              reversed_on=reversed_on,
                                              recorded_by=acting_user)
    for invoice in only_due(with_amounts(_paid_by(locked.pk))).order_by("number"):
        invoice_reminder_send(invoice=invoice, acting_user=acting_user)
    return reversal


def payment_reversal_outcome(reversal: PaymentReversal) -> tuple[list[str], bool]:
    """After `payment_reverse`: the numbers of the invoices now due again, and whether
    every one of them was reminded (False: no email known for the household)."""
    due = list(only_due(with_amounts(_paid_by(reversal.payment_id))).order_by(
        "number").values_list("number", flat=True))
    reminded = InvoiceReminder.objects.filter(
        invoice__number__in=due, created_at__gte=reversal.created_at).values(
        "invoice_id").distinct().count()
    return [str(n) for n in due], reminded == len(due)


def billing_recipients(household_id: int) -> list[str]:
    """Who billing writes to for a household: its billing guardian, else up to two
    guardians with an address."""
    household = Household.objects.select_related("billing_guardian").get(pk=household_id)
    if household.billing_guardian and household.billing_guardian.email:
        return [household.billing_guardian.email]
    return list(Guardian.objects.filter(household_id=household_id).exclude(email="")
                .values_list("email", flat=True)[:2])


@transaction.atomic
def invoice_reminder_send(*, invoice: Invoice, acting_user: User) -> InvoiceReminder | None:
    """Queue a reminder email for an unpaid issued invoice (None: nobody to write to)."""
    _require_role(acting_user)
    current: Any = with_amounts(Invoice.objects.filter(pk=invoice.pk)).get()
    if current.status != InvoiceStatus.ISSUED or current.kind != InvoiceKind.INVOICE:
        raise ValidationError("On ne relance qu'une facture émise.")
    if current.due_cents <= 0:
        raise ValidationError(f"La facture {current.number} est réglée : pas de relance.")
    recipients = billing_recipients(current.household_id)
    if not recipients:
        return None
    reminder = InvoiceReminder.objects.create(invoice=current, sent_by=acting_user,
                                              due_cents=current.due_cents)
    context = {
        "invoice": current, "due": euros_label(current.due_cents),
        "total": euros_label(current.total_cents),
        "commune_name": commune_settings_get().display_name,
        "link": current_commune_url("/factures/"),
    }
    outbox_email_enqueue(
        recipients=recipients,
        subject=f"Relance : facture {current.number} à régler",
        body_text=render_to_string("billing/emails/reminder.txt", context),
        idempotency_key=f"invoice-reminder:{current.pk}:{reminder.pk}",
    )
    return reminder


def invoices_remind_unpaid(*, acting_user: User, overdue_on: date | None = None) -> int:
    """Remind every issued invoice still unpaid after its due date; returns how many."""
    _require_role(acting_user)
    overdue_on = overdue_on or timezone.localdate()
    ids = list(only_due(with_amounts(Invoice.objects.filter(
        status=InvoiceStatus.ISSUED, kind=InvoiceKind.INVOICE, due_on__lt=overdue_on,
    ))).values_list("id", flat=True))
    sent = 0
    for invoice in Invoice.objects.filter(pk__in=ids):
        if invoice_reminder_send(invoice=invoice, acting_user=acting_user):
            sent += 1
    return sent
