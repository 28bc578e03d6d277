"""Deposits (dépôts): an agent deposits a group of issued invoices, which freezes it,
numbers the deposit gap-free ("D2026-000001") and stores its export: PES V2 ORMC in
perception mode, the accounting CSV in régie mode. In perception mode the invoices'
final PDFs (no "Brouillon" watermark, with the Datamatrix coupon) are rendered then."""

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum

from tenant_apps.accounts.access import BILLING_ROLES
from tenant_apps.accounts.models import User
from tenant_apps.billing import exports
from tenant_apps.billing.models import Deposit, Invoice, InvoiceGroup, InvoiceStatus
from tenant_apps.billing.numbering import number_take
from tenant_apps.billing.printing import billing_mode
from tenant_apps.billing.selectors import billing_settings_get
from tenants.db import current_schema

ROLE_REFUSED = "Seuls le régisseur et l'administrateur déposent un groupe de factures."


@transaction.atomic
def deposit_create(*, group: InvoiceGroup, acting_user: User, dispatch: bool = True) -> Deposit:
    """Deposit a group: freeze it, number the deposit and store the export file."""
    if acting_user.role not in BILLING_ROLES:
        raise ValidationError(ROLE_REFUSED)
    locked = InvoiceGroup.objects.select_for_update().get(pk=group.pk)
    if Deposit.objects.filter(group=locked).exists():
        raise ValidationError("Ce groupe est déjà déposé.")
    invoices = list(Invoice.objects.filter(group=locked).order_by("sequence"))
    if not invoices:
        raise ValidationError("Ce groupe ne contient aucune facture.")
    if any(i.status != InvoiceStatus.ISSUED for i in invoices):
        raise ValidationError("Toutes les factures du groupe doivent être émises.")
    if locked.run_id and locked.run and locked.run.status != "issued":
        raise ValidationError("La facturation de ce groupe n'est pas terminée.")
    mode = billing_mode()
    settings_row = billing_settings_get()
    year = locked.period_end.year
    sequence, number = number_take(series="deposit", year=year)
    if mode == "perception":
        try:
            data = exports.pes_ormc(invoices, settings_row, deposit_number=number,
                                    deposit_sequence=sequence, month=locked.period_end.month,
                                    exercise=year)
        except ValueError as error:  # French message from the PES builder
            raise ValidationError(f"Export PES impossible : {error}") from error
        name = f"PES_ORMC_{number}.xml"
    else:
        data = exports.regie_csv(invoices, settings_row)
        name = f"export_comptable_{number}.csv"
    stored = default_storage.save(f"billing/deposits/{year}/{uuid.uuid4().hex[:10]}-{name}",
                                  ContentFile(data))
    total = Invoice.objects.filter(group=locked).aggregate(s=Sum("total_cents"))["s"] or 0
    deposit = Deposit.objects.create(
        group=locked, number=number, billing_mode=mode, export_file=stored,
        export_name=name, invoices_count=len(invoices), total_cents=total,
        deposited_by=acting_user)
    if mode == "perception" and dispatch:
        from tenant_apps.billing.tasks import deposit_finalise_task

        schema, deposit_id = current_schema(), deposit.pk
        transaction.on_commit(lambda: deposit_finalise_task.apply_async(
            args=[deposit_id], headers={"_schema_name": schema}))
    return deposit


def deposit_render_final_pdfs(*, deposit_id: int) -> int:
    """Render the final (no watermark) PDFs of a deposited perception group, once."""
    from tenant_apps.billing.printing import invoice_pdf_store, letterhead

    deposit = Deposit.objects.select_related("group").get(pk=deposit_id)
    head, settings_row = letterhead(), billing_settings_get()
    count = 0
    for invoice in Invoice.objects.filter(group=deposit.group).select_related(
            "household", "group", "credited_invoice"):
        if invoice.pdf_file.endswith("-brouillon.pdf") or not invoice.pdf_file:
            if invoice_pdf_store(invoice, final=True, head=head, settings_row=settings_row,
                                 mode="perception"):
                count += 1
    return count


def deposit_export_bytes(deposit: Deposit) -> bytes:
    with default_storage.open(deposit.export_file, "rb") as handle:
        data: bytes = handle.read()
    return data
