"""Invoices of a prepaid commune: statements settled from the household's account.

In prepaid mode the ledger is where the money is: `prepaid.prepaid_sync` debits each
booking as it happens. An invoice run still issues invoices (the family's monthly
statement, the régie's accounting), and each one is settled at issue by a payment of
method "Compte prépayé", never reminded, never offered to online payment.

The invoice is authoritative. At issue the ledger is brought to agree with it: what the
invoice bills minus what the ledger already debited for the invoice's bookings is
appended as one adjustment ("Facture F… : ajustement"), e.g. a penalty line or a booking
the sync had not reached yet. From then on the sync leaves invoiced bookings alone, so
for every invoice: booking debits + adjustment = invoice total.

A credit note on such an invoice credits the account with its amount. When it releases
the bookings (to bill them again), the credit is appended per booking so that each
released booking's ledger comes back to zero; the sync then debits it again at its
current price and the next invoice settles it like any other. Every writer of the ledger
takes the commune's ledger lock, so the sync never reads a booking between its invoicing
and its settlement."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tenant_apps.billing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    LedgerKind,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PrepaidLedgerEntry,
)
from tenants.db import transaction_advisory_lock

LEDGER_LOCK = "prepaid-ledger"


def prepaid_ledger_lock() -> None:
    """Serialise this commune's ledger writers until the transaction ends."""
    transaction_advisory_lock(LEDGER_LOCK)


def settlement_receipt(invoice_number: str) -> str:
    """The settlement's reference in the payments list: one per invoice, by construction."""
    return f"CP-{invoice_number}"


def _booking_debits(booking_ids: Iterable[int]) -> dict[int, int]:
    """Booking id → what the ledger has debited for it (positive cents)."""
    rows = (PrepaidLedgerEntry.objects.filter(booking_id__in=list(booking_ids))
            .values("booking_id").annotate(s=Sum("amount_cents"))
            .values_list("booking_id", "s"))
    return {booking_id: -int(total or 0) for booking_id, total in rows}


def _bookings_of(invoice_ids: list[int]) -> dict[int, set[int]]:
    bookings: dict[int, set[int]] = defaultdict(set)
    for invoice_id, booking_id in InvoiceLine.objects.filter(
            invoice_id__in=invoice_ids, booking__isnull=False).values_list(
            "invoice_id", "booking_id"):
        bookings[invoice_id].add(booking_id)
    return bookings


@transaction.atomic
def prepaid_invoices_settle(invoices: list[Invoice]) -> int:
    """Settle freshly issued invoices from their households' prepaid accounts: append the
    ledger adjustment that makes the account agree with each invoice, then record the
    settlement payment allocated to it. Idempotent (one settlement per invoice); returns
    how many invoices were settled now."""
    prepaid_ledger_lock()
    invoices = [i for i in invoices if i.kind == InvoiceKind.INVOICE and i.number]
    done = set(Payment.objects.filter(
        receipt_number__in=[settlement_receipt(str(i.number)) for i in invoices],
    ).values_list("receipt_number", flat=True))
    invoices = [i for i in invoices if settlement_receipt(str(i.number)) not in done]
    bookings = _bookings_of([i.pk for i in invoices])
    debited = _booking_debits({b for ids in bookings.values() for b in ids})
    today = timezone.localdate()
    entries, payments, paid = [], [], []
    for invoice in invoices:
        covered = sum(debited.get(b, 0) for b in bookings[invoice.pk])
        adjustment = invoice.total_cents - covered
        if adjustment:
            entries.append(PrepaidLedgerEntry(
                household_id=invoice.household_id,
                kind=LedgerKind.DEBIT if adjustment > 0 else LedgerKind.CREDIT,
                amount_cents=-adjustment, label=f"Facture {invoice.number} : ajustement",
                source_key=f"invoice:{invoice.pk}:settlement"))
        if invoice.total_cents <= 0:
            continue
        payments.append(Payment(
            household_id=invoice.household_id, method=PaymentMethod.PREPAID,
            amount_cents=invoice.total_cents, received_on=today,
            reference=f"Facture {invoice.number}",
            receipt_number=settlement_receipt(str(invoice.number))))
        paid.append(invoice)
    PrepaidLedgerEntry.objects.bulk_create(entries)
    created = Payment.objects.bulk_create(payments)  # PostgreSQL returns the ids
    PaymentAllocation.objects.bulk_create([
        PaymentAllocation(payment=payment, invoice=invoice, amount_cents=invoice.total_cents)
        for payment, invoice in zip(created, paid, strict=True)])
    return len(created)


def settled_from_account(invoice: Invoice) -> bool:
    """Whether the invoice was settled by the household's prepaid account."""
    return PaymentAllocation.objects.filter(
        invoice=invoice, payment__method=PaymentMethod.PREPAID).exists()


@transaction.atomic
def prepaid_credit_note_refund(*, note: Invoice, released_booking_ids: Iterable[int] = ()
                               ) -> None:
    """Credit the account with a credit note on an invoice it settled. Released bookings
    get their own ledger back to zero (they will be debited and invoiced again); the rest
    of the amount is one credit "Avoir A… sur la facture F…"."""
    prepaid_ledger_lock()
    corrected = note.credited_invoice
    amount = -note.total_cents
    label = f"Avoir {note.number} sur la facture {corrected.number if corrected else ''}"
    entries = []
    for booking_id, debit in sorted(_booking_debits(released_booking_ids).items()):
        if debit == 0:
            continue
        entries.append(PrepaidLedgerEntry(
            household_id=note.household_id,
            kind=LedgerKind.CREDIT if debit > 0 else LedgerKind.DEBIT, amount_cents=debit,
            label=label[:200], booking_id=booking_id,
            source_key=f"credit_note:{note.pk}:booking:{booking_id}"))
        amount -= debit
    if amount:
        entries.append(PrepaidLedgerEntry(
            household_id=note.household_id,
            kind=LedgerKind.CREDIT if amount > 0 else LedgerKind.DEBIT, amount_cents=amount,
            label=label[:200], source_key=f"credit_note:{note.pk}"))
    PrepaidLedgerEntry.objects.bulk_create(entries)
