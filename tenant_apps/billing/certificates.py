"""Tax certificates (attestation fiscale de frais de garde) per household and year.

What counts: childcare (périscolaire and ALSH, never meals) of children under 6 on
1 January of the year, from issued invoices whose period falls in the year, settled
(fully paid: amounts still due are not "paid" expenses); credit notes against those
invoices reduce the amount in proportion. Rendered by the billing formats package."""

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from tenant_apps.billing.models import Invoice, InvoiceLine, InvoiceStatus
from tenant_apps.billing.selectors import with_amounts
from tenant_apps.catalog.models import ServiceKind
from tenant_apps.families.models import Child, Household

CHILDCARE_KINDS = (ServiceKind.PERISCOLAIRE, ServiceKind.ALSH)


def _under_six_cutoff(year: int) -> date:
    return date(year - 6, 1, 1)  # born on or after → under 6 on 1 January of `year`


def certificate_amounts(household: Household, year: int) -> dict[int, int]:
    """Child id → childcare cents paid in `year` (see the module docstring).

    A credit note carries one undivided line, so it reduces each child's childcare of
    the invoice it corrects in proportion: the household paid (total − credited) / total
    of every line (rounded down to the cent, never in the household's favour)."""
    # Annotations of `with_amounts`, out of the stubs' sight.
    annotated: tuple[str, ...] = ("id", "total_cents", "credited_cents")
    settled = {
        row["id"]: (int(row["total_cents"]), int(row["credited_cents"]))
        for row in with_amounts(Invoice.objects.filter(
            household=household, status=InvoiceStatus.ISSUED, kind="invoice",
            period_start__year=year)).filter(**{"due_cents__lte": 0})
        .values(*annotated)
    }
    rows = (InvoiceLine.objects.filter(
        invoice_id__in=list(settled), service__kind__in=CHILDCARE_KINDS,
        child__birth_date__gte=_under_six_cutoff(year))
        .values("invoice_id", "child_id").annotate(s=Sum("total_cents")))
    amounts: dict[int, int] = defaultdict(int)
    for row in rows:
        total, credited = settled[row["invoice_id"]]
        cents = int(row["s"])
        if credited and total > 0:
            cents = cents * max(total - credited, 0) // total
        amounts[row["child_id"]] += cents
    return {cid: cents for cid, cents in amounts.items() if cents > 0}


def tax_certificate_pdf(household: Household, year: int) -> bytes | None:
    """The PDF, or None when the renderer is not available."""
    try:
        from tenant_apps.billing.formats.documents import (
            TaxCertificateChild,
            TaxCertificateDocument,
        )
        from tenant_apps.billing.formats.invoice_pdf import render_tax_certificate_pdf
    except ImportError:
        return None
    from tenant_apps.billing.printing import letterhead

    amounts = certificate_amounts(household, year)
    children = tuple(
        TaxCertificateChild(name=f"{c.first_name} {c.last_name}", birth_date=c.birth_date,
                            amount_paid_cents=amounts[c.pk])
        for c in Child.objects.filter(pk__in=amounts).order_by("birth_date"))
    city = " ".join(filter(None, [household.postcode, household.city]))
    doc: Any = TaxCertificateDocument(
        letterhead=letterhead(), household_name=household.name,
        household_address="\n".join(filter(None, [household.address, city])), year=year,
        children=children, total_cents=sum(c.amount_paid_cents for c in children),
        issued_on=timezone.localdate(), household_reference=f"Foyer n° {household.pk}")
    return render_tax_certificate_pdf(doc)
