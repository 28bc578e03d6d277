"""Corrections of issued invoices: credit notes (avoirs). An issued invoice never changes."""

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenant_apps.accounts.access import BILLING_ROLES
from tenant_apps.accounts.models import User
from tenant_apps.billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, LineKind
from tenant_apps.billing.numbering import number_take
from tenant_apps.billing.prepaid_settlement import (
    prepaid_credit_note_refund,
    settled_from_account,
)
from tenant_apps.billing.selectors import with_amounts
from tenant_apps.bookings.models import Booking

logger = logging.getLogger(__name__)
ROLE_REFUSED = "Votre rôle ne permet pas d'établir un avoir."


@transaction.atomic
def invoice_credit_note_create(*, invoice: Invoice, amount_cents: int | None, reason: str,
                               acting_user: User, release_bookings: bool = False) -> Invoice:
    """Issue a credit note against an issued invoice: the whole remaining amount
    (`amount_cents` None) or part of it. Numbered gap-free in its own series ("A2026-…").

    `release_bookings` (whole credit only) marks the invoice's bookings not invoiced, so a
    corrected invoice can bill them again in a later run. An invoice settled from a prepaid
    account gets the amount back on that account."""
    if acting_user.role not in BILLING_ROLES:
        raise ValidationError(ROLE_REFUSED)
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status != InvoiceStatus.ISSUED or locked.kind != InvoiceKind.INVOICE:
        raise ValidationError("Un avoir ne s'établit que sur une facture émise.")
    amounts: Any = with_amounts(Invoice.objects.filter(pk=locked.pk)).get()
    creditable = locked.total_cents - amounts.credited_cents
    if creditable <= 0:
        raise ValidationError("Cette facture est déjà entièrement annulée par des avoirs.")
    amount = creditable if amount_cents is None else amount_cents
    if amount <= 0:
        raise ValidationError({"amount_cents": "Le montant de l'avoir doit être positif."})
    if amount > creditable:
        raise ValidationError({"amount_cents": (
            "Le montant de l'avoir dépasse ce qui reste de la facture "
            f"({creditable / 100:.2f} €)".replace(".", ",") + ".")})
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de l'avoir."})
    now = timezone.now()
    year = timezone.localdate(now).year
    sequence, number = number_take(series="credit_note", year=year)
    note = Invoice.objects.create(
        household=locked.household, run=None, group=None, period_start=locked.period_start,
        period_end=locked.period_end, kind=InvoiceKind.CREDIT_NOTE, credited_invoice=locked,
        total_cents=-amount, household_name=locked.household_name,
        household_address=locked.household_address,
    )
    label = f"Avoir sur la facture {locked.number} : {reason.strip()}"[:200]
    InvoiceLine.objects.create(invoice=note, kind=LineKind.CREDIT, label=label, quantity=1,
                               unit_cents=-amount, total_cents=-amount)
    Invoice.objects.filter(pk=note.pk).update(
        status=InvoiceStatus.ISSUED, number=number, year=year, sequence=sequence,
        issued_at=now, due_on=timezone.localdate(now))
    note.refresh_from_db()
    released: list[int] = []
    if release_bookings and amount_cents is None:
        released = list(Booking.objects.filter(invoice_lines__invoice=locked)
                        .values_list("id", flat=True).distinct())
        Booking.objects.filter(pk__in=released).update(invoiced=False)
    if settled_from_account(locked):
        prepaid_credit_note_refund(note=note, released_booking_ids=released)
    transaction.on_commit(lambda: _store_pdf(note.pk))
    return note


def _store_pdf(invoice_id: int) -> None:
    from tenant_apps.billing.printing import invoice_pdf_store

    invoice = Invoice.objects.select_related("household", "credited_invoice").get(pk=invoice_id)
    try:
        invoice_pdf_store(invoice)
    except Exception:  # the download renders it later; the credit note itself is saved
        logger.exception("credit note PDF not stored")
