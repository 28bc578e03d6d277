"""Exports of a deposited group: PES V2 ORMC for the public accountant (perception
mode) and the accounting CSV (régie mode). The pure builders live in `formats`; this
module turns invoices into their plain rows. Totals reconcile to the cent with the
invoices (tests check file total = sum of the group = sum of the invoices' lines)."""

from collections import defaultdict
from datetime import date
from typing import Any

from django.utils import timezone

from tenant_apps.billing.models import BillingSettings, Invoice, InvoiceLine
from tenant_apps.billing.printing import debt_number
from tenant_apps.billing.selectors import with_amounts
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.families.models import Guardian


def _period_label(invoice: Invoice) -> str:
    from tenant_apps.billing.formats import french

    return f"{french.date_short(invoice.period_start)}-{french.date_short(invoice.period_end)}"


def regie_csv(invoices: list[Invoice], settings_row: BillingSettings) -> bytes:
    from tenant_apps.billing.formats.regie_csv import RegieExportRow, build_regie_csv

    annotated = {i.pk: i for i in with_amounts(
        Invoice.objects.filter(pk__in=[i.pk for i in invoices]))}
    rows = []
    for invoice in invoices:
        amounts: Any = annotated[invoice.pk]
        paid = int(amounts.paid_cents + amounts.credited_cents)
        rows.append(RegieExportRow(
            invoice_number=invoice.number or "",
            issued_on=timezone.localdate(invoice.issued_at) if invoice.issued_at
            else invoice.period_end,
            household_reference=str(invoice.household_id),
            household_name=invoice.household_name,
            period_label=_period_label(invoice),
            account_code=settings_row.accounting_nature,
            total_cents=invoice.total_cents, paid_cents=paid,
            due_cents=invoice.total_cents - paid,
        ))
    return build_regie_csv(rows)


def _debtor(invoice: Invoice, guardians: dict[int, Guardian]) -> Any:
    from tenant_apps.billing.formats.pes import PesDebtor

    guardian = guardians.get(invoice.household_id)
    address = invoice.household_address.split("\n")
    town_line = (address[1] if len(address) > 1 else "").strip()
    postcode, _, city = town_line.partition(" ")
    if not (postcode.isdigit() and len(postcode) == 5):  # no postcode on file: town only
        postcode, city = "", town_line
    return PesDebtor(
        last_name=guardian.last_name if guardian else invoice.household_name,
        first_name=guardian.first_name if guardian else "",
        address_line=address[0] if address else "", postcode=postcode, city=city,
        civility={"m": "M", "mme": "MME"}.get(guardian.civility if guardian else "", ""),
    )


def pes_ormc(invoices: list[Invoice], settings_row: BillingSettings, *, deposit_number: str,
             deposit_sequence: int, month: int, exercise: int) -> bytes:
    """The PES_Aller file of a group: one pièce per invoice, one line per service."""
    from tenant_apps.billing.formats.pes import PesDeposit, PesLine, PesPiece, build_pes_ormc

    commune = commune_settings_get()
    household_ids = {i.household_id for i in invoices}
    guardians: dict[int, Guardian] = {}
    # The billing guardian when one is set, else the household's first guardian.
    for guardian in Guardian.objects.filter(household_id__in=household_ids).order_by(
            "household_id", "id").select_related("household"):
        current = guardians.get(guardian.household_id)
        if current is None or guardian.pk == guardian.household.billing_guardian_id:
            guardians[guardian.household_id] = guardian
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for invoice_id, label, total in InvoiceLine.objects.filter(
            invoice__in=invoices).values_list("invoice_id", "label", "total_cents"):
        sums[invoice_id][label] += total
    pieces = []
    for invoice in invoices:
        lines = tuple(PesLine(label=label, amount_cents=cents)
                      for label, cents in sorted(sums[invoice.pk].items()) if cents > 0)
        pieces.append(PesPiece(
            piece_id=str(invoice.sequence), invoice_number=invoice.number or "",
            debt_number=debt_number(invoice),
            label=f"Facture {invoice.number} {_period_label(invoice)}",
            debtor=_debtor(invoice, guardians), lines=lines))
    today = timezone.localdate()
    deposit = PesDeposit(
        file_name=f"PES_ORMC_{deposit_number}.xml", sender_name=commune.display_name,
        sender_address=commune.address.replace("\n", " "), created_on=today,
        poste_comptable=settings_row.poste_comptable,
        collectivity_siret=settings_row.collectivity_siret or "0" * 14,
        collectivity_code=settings_row.collectivity_code,
        budget_code=settings_row.budget_code, exercise=exercise, month=month,
        bordereau_id=str(deposit_sequence), issued_on=today,
        label=f"Restauration et accueil {date(exercise, month, 1):%m/%Y}",
        product_code=settings_row.product_code, pieces=tuple(pieces),
        nature=settings_row.accounting_nature,
    )
    return build_pes_ormc(deposit)
