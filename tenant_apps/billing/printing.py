"""Invoice PDFs: build the plain documents of `formats.documents`, render them once at
issue and store them (per-commune S3 prefix); reprints serve the stored file.

In perception mode an invoice prints with a "Brouillon" watermark until its group is
deposited; the deposit renders the final PDF (with the Datamatrix coupon) once."""

import logging
import uuid
from collections import OrderedDict
from datetime import date
from typing import Any, Literal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.template import TemplateDoesNotExist
from django.utils import timezone

from tenant_apps.billing.models import (
    BillingSettings,
    Invoice,
    InvoiceKind,
    InvoiceRun,
    InvoiceStatus,
    RunStatus,
)
from tenant_apps.billing.selectors import billing_settings_get, invoice_paid_cents
from tenant_apps.commune_settings.selectors import commune_settings_get

logger = logging.getLogger(__name__)


def billing_mode() -> str:
    """The commune's billing mode: "regie", "perception" or "prepaid"."""
    tenant = getattr(connection, "tenant", None)
    return str(getattr(tenant, "billing_mode", "regie") or "regie")


def debt_number(invoice: Invoice) -> int:
    """The numeric NumDette of an issued invoice: year × 10⁶ + its sequence."""
    return int(invoice.year or 0) * 1_000_000 + int(invoice.sequence or 0)


def letterhead() -> Any:
    from tenant_apps.billing.formats.documents import CommuneLetterhead

    row = commune_settings_get()
    logo: bytes | None = None
    mime = "image/png"
    if row.logo:
        try:
            with row.logo.open("rb") as handle:
                logo = handle.read()
            name = row.logo.name.lower()
            mime = ("image/jpeg" if name.endswith((".jpg", ".jpeg"))
                    else "image/svg+xml" if name.endswith(".svg") else "image/png")
        except Exception:  # a missing logo never blocks an invoice
            logger.warning("commune logo unreadable", exc_info=True)
            logo = None
    return CommuneLetterhead(
        name=row.display_name, address=row.address, phone=row.phone, email=row.email,
        brand_colour=row.brand_colour, logo=logo, logo_mime=mime,
    )


def _period_label(start: date, end: date) -> str:
    from tenant_apps.billing.formats import french

    if start.day == 1 and start.month == end.month and start.year == end.year:
        return french.month_label(start.year, start.month)
    return f"du {french.date_fr(start)} au {french.date_fr(end)}"


def invoice_is_draft_print(invoice: Invoice, mode: str) -> bool:
    """Whether the PDF carries the "Brouillon" watermark."""
    if invoice.status == InvoiceStatus.DRAFT:
        return True
    if mode == "perception" and invoice.kind == InvoiceKind.INVOICE:
        return not (invoice.group_id and hasattr(invoice.group, "deposit"))
    return False


def invoice_document(invoice: Invoice, *, head: Any = None, settings_row: BillingSettings
                     | None = None, mode: str | None = None) -> Any:
    """The printable document of an invoice: lines grouped per child, service and price."""
    from tenant_apps.billing.formats.datamatrix import DatamatrixInput
    from tenant_apps.billing.formats.documents import InvoiceDocument, InvoiceDocumentLine

    mode = mode or billing_mode()
    settings_row = settings_row or billing_settings_get()
    grouped: OrderedDict[tuple[str, str, int], list[int]] = OrderedDict()
    for line in invoice.lines.select_related("child").order_by("child__last_name",
                                                                "child__first_name", "label",
                                                                "day", "id"):
        child = f"{line.child.first_name} {line.child.last_name}" if line.child else ""
        entry = grouped.setdefault((line.label, child, line.unit_cents), [0, 0])
        entry[0] += line.quantity
        entry[1] += line.total_cents
    lines = tuple(InvoiceDocumentLine(label=label, child_name=child, quantity=qty,
                                      unit_cents=unit, total_cents=total)
                  for (label, child, unit), (qty, total) in grouped.items())
    paid = invoice_paid_cents(invoice) if invoice.status != InvoiceStatus.DRAFT else 0
    due = invoice.total_cents - paid
    print_mode: Literal["regie", "perception"] = (
        "perception" if mode == "perception" else "regie")
    draft = invoice_is_draft_print(invoice, mode)
    datamatrix = None
    if (print_mode == "perception" and invoice.kind == InvoiceKind.INVOICE and not draft
            and invoice.number and 0 < due <= 99_999_999):
        datamatrix = DatamatrixInput(
            establishment_code=settings_row.establishment_code,
            product_code=settings_row.product_code,
            exercise=int(invoice.year or invoice.period_end.year),
            month=invoice.period_end.month, debt_number=debt_number(invoice),
            poste_comptable=settings_row.poste_comptable, amount_cents=due)
    issued_on = timezone.localdate(invoice.issued_at) if invoice.issued_at else timezone.localdate()
    payment_info = tuple(p for p in settings_row.payment_info.split("\n\n") if p.strip())
    if mode == "prepaid":
        payment_info = _prepaid_paragraphs(invoice)
    return InvoiceDocument(
        letterhead=head or letterhead(), number=invoice.number, issued_on=issued_on,
        period_label=_period_label(invoice.period_start, invoice.period_end),
        household_name=invoice.household_name or invoice.household.name,
        household_address=invoice.household_address, lines=lines,
        total_cents=invoice.total_cents, paid_cents=paid, due_cents=due, mode=print_mode,
        draft=draft, datamatrix=datamatrix,
        payment_info=payment_info, settled_by_account=mode == "prepaid",
        kind="credit_note" if invoice.kind == InvoiceKind.CREDIT_NOTE else "invoice",
        due_on=invoice.due_on, household_reference=f"Foyer n° {invoice.household_id}",
        corrects_number=(invoice.credited_invoice.number or "") if invoice.credited_invoice
        else "",
    )


def _prepaid_paragraphs(invoice: Invoice) -> tuple[str, ...]:
    from tenant_apps.billing.formats import french
    from tenant_apps.billing.selectors import prepaid_balance_cents

    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        first = "Le montant de cet avoir est crédité sur votre compte prépayé."
    else:
        first = ("Cette facture est réglée par votre compte prépayé : son montant en a été "
                 "débité. Vous n'avez rien à payer.")
    balance = prepaid_balance_cents(invoice.household_id)
    return (first, f"Solde de votre compte au {french.date_fr(timezone.localdate())} : "
                   f"{french.euros(balance)}.")


def invoice_pdf_render(invoice: Invoice, **kwargs: Any) -> bytes | None:
    """The PDF bytes, or None when the renderer (billing formats) is not available."""
    try:
        from tenant_apps.billing.formats.invoice_pdf import render_invoice_pdf
    except ImportError:
        logger.warning("billing formats: render_invoice_pdf unavailable")
        return None
    try:
        return render_invoice_pdf(invoice_document(invoice, **kwargs))
    except TemplateDoesNotExist:
        logger.warning("billing formats: invoice template missing")
        return None


def invoice_pdf_store(invoice: Invoice, *, final: bool = False, **kwargs: Any) -> str:
    """Render and store the PDF of an issued invoice; returns the storage name ("" when the
    renderer is unavailable). Only the file name changes on the invoice row."""
    pdf = invoice_pdf_render(invoice, **kwargs)
    if pdf is None:
        return ""
    suffix = "" if final or not invoice_is_draft_print(invoice, kwargs.get("mode")
                                                        or billing_mode()) else "-brouillon"
    # A random part: a stored name is never reused (each rendering is its own object).
    token = uuid.uuid4().hex[:10]
    name = default_storage.save(
        f"billing/invoices/{invoice.year}/{invoice.number}-{token}{suffix}.pdf", ContentFile(pdf))
    Invoice.objects.filter(pk=invoice.pk).update(pdf_file=name)
    invoice.pdf_file = name
    return name


def invoice_pdf_store_missing(*, run: InvoiceRun) -> int:
    """Render the PDFs the run's issued invoices do not have yet (progress on the run)."""
    head, settings_row, mode = letterhead(), billing_settings_get(), billing_mode()
    missing = (Invoice.objects.filter(run=run, status=InvoiceStatus.ISSUED, pdf_file="")
               .select_related("household", "group", "credited_invoice").order_by("number"))
    done = Invoice.objects.filter(run=run).exclude(pdf_file="").count()
    count = 0
    for invoice in missing.iterator(chunk_size=200):
        if invoice_pdf_store(invoice, head=head, settings_row=settings_row, mode=mode):
            count += 1
            done += 1
            if done % 20 == 0:
                InvoiceRun.objects.filter(pk=run.pk).update(pdfs_done=done)
    InvoiceRun.objects.filter(pk=run.pk, status=RunStatus.ISSUED).update(pdfs_done=done)
    return count


def invoice_pdf_bytes(invoice: Invoice) -> bytes | None:
    """The stored PDF (reprint = the stored file); rendered and stored the first time if
    the worker has not done it yet."""
    if invoice.status == InvoiceStatus.DRAFT:
        return invoice_pdf_render(invoice)
    if not invoice.pdf_file and not invoice_pdf_store(invoice):
        return None
    with default_storage.open(invoice.pdf_file, "rb") as handle:
        data: bytes = handle.read()
    return data

