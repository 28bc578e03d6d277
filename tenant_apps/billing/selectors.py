"""Billing reads: invoices with their paid amounts and statuses, price previews, the
invoices a guardian may see. Missing and forbidden answer the same (Http404)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    BigIntegerField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from tenant_apps.accounts.models import User
from tenant_apps.billing import pricing
from tenant_apps.billing.models import (
    BillingSettings,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    PaymentAllocation,
    PrepaidLedgerEntry,
)
from tenant_apps.families.models import Child, Guardian, Household

PARENT_STATUS_LABELS = {
    "paid": "Payé",
    "pending": "En paiement",
    "partial": "Partiellement payé",
    "registered": "Enregistré",
    "credit": "Avoir",
}


def billing_settings_get() -> BillingSettings:
    row, _ = BillingSettings.objects.get_or_create(singleton=True)
    return row


def _sum(qs: QuerySet[Any], by: str, field: str) -> Any:
    summed = qs.order_by().values(by).annotate(s=Sum(field)).values("s")[:1]
    return Coalesce(Subquery(summed), Value(0), output_field=BigIntegerField())


def with_amounts(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotate paid_cents (payments), credited_cents (issued credit notes, positive) and
    due_cents = total − credited − paid; one query for any number of invoices.
    A reversed payment (PaymentReversal) no longer counts: its allocations are left out,
    so the invoice is due again everywhere (statuses, reminders, certificates, PayFiP)."""
    payments = PaymentAllocation.objects.filter(invoice=OuterRef("pk"),
                                                payment__reversal__isnull=True)
    credits = Invoice.objects.filter(credited_invoice=OuterRef("pk"),
                                     status=InvoiceStatus.ISSUED)
    return invoices.annotate(
        paid_cents=_sum(payments, "invoice", "amount_cents"),
        credited_cents=-_sum(credits, "credited_invoice", "total_cents"),
    ).annotate(due_cents=F("total_cents") - F("credited_cents") - F("paid_cents"))


def only_due(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Invoices (annotated by `with_amounts`) with something still due."""
    return invoices.filter(**{"due_cents__gt": 0})


def invoice_paid_cents(invoice: Invoice) -> int:
    """What settles the invoice: payments plus issued credit notes against it."""
    row: Any = with_amounts(Invoice.objects.filter(pk=invoice.pk)).values(
        *("paid_cents", "credited_cents")).first()
    return int(row["paid_cents"] + row["credited_cents"]) if row else 0


def parent_status(invoice: Any) -> str:
    """Key of PARENT_STATUS_LABELS for an invoice annotated by `with_amounts`."""
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        return "credit"
    if invoice.due_cents <= 0:
        return "paid"
    if invoice.payment_pending_since is not None:
        return "pending"
    if invoice.paid_cents > 0:
        return "partial"
    return "registered"


def decorate(invoices: list[Any]) -> list[Any]:
    for invoice in invoices:
        invoice.parent_status = parent_status(invoice)
        invoice.parent_status_label = PARENT_STATUS_LABELS[invoice.parent_status]
    return invoices


def invoices_list(*, status: str = "", start: date | None = None, end: date | None = None,
                  search: str = "", run_id: int | None = None,
                  unpaid: bool = False) -> QuerySet[Invoice]:
    qs = with_amounts(Invoice.objects.select_related("household"))
    if status:
        qs = qs.filter(status=status)
    if start:
        qs = qs.filter(period_end__gte=start)
    if end:
        qs = qs.filter(period_start__lte=end)
    if search:
        qs = qs.filter(Q(household__name__icontains=search) | Q(number__icontains=search))
    if run_id:
        qs = qs.filter(run_id=run_id)
    if unpaid:
        qs = only_due(qs.filter(status=InvoiceStatus.ISSUED, kind=InvoiceKind.INVOICE))
    return qs.order_by("-period_start", F("number").desc(nulls_last=True), "household__name")


def invoice_get(*, pk: int) -> Invoice:
    invoice = with_amounts(Invoice.objects.select_related(
        "household", "run", "group", "credited_invoice")).filter(pk=pk).first()
    if invoice is None:
        raise Http404
    decorate([invoice])
    return invoice


def guardian_households(user: User) -> list[int]:
    """Households the portal account is a guardian of."""
    return list(Guardian.objects.filter(user=user).values_list("household_id", flat=True))


def guardian_invoices(user: User, *, year: int | None = None) -> list[Any]:
    """Issued invoices and credit notes of the guardian's households, newest first."""
    qs = with_amounts(Invoice.objects.filter(
        household_id__in=guardian_households(user), status=InvoiceStatus.ISSUED))
    if year:
        qs = qs.filter(period_start__year=year)
    return decorate(list(qs.order_by("-period_start", "-number")))


def guardian_invoice_get(user: User, pk: int) -> Invoice:
    invoice = Invoice.objects.filter(pk=pk, status=InvoiceStatus.ISSUED,
                                     household_id__in=guardian_households(user)).first()
    if invoice is None:
        raise Http404
    return invoice


def guardian_invoice_years(user: User) -> list[int]:
    years = Invoice.objects.filter(household_id__in=guardian_households(user),
                                   status=InvoiceStatus.ISSUED).dates("period_start", "year")
    return sorted({d.year for d in years}, reverse=True)


def unpaid_invoices_for_guardian(user: User) -> list[Any]:
    """Issued invoices of the guardian's households with something still due (the portal
    dashboard shows them), oldest first."""
    qs = only_due(with_amounts(Invoice.objects.filter(
        household_id__in=guardian_households(user), status=InvoiceStatus.ISSUED,
        kind=InvoiceKind.INVOICE)))
    return decorate(list(qs.order_by("due_on", "number")))


def household_unallocated_cents(household: Household) -> int:
    """Money received from the household and not yet allocated to an invoice. Reversed
    payments count for nothing (neither their amount nor their allocations); one query."""
    allocated = _sum(PaymentAllocation.objects.filter(payment=OuterRef("pk")), "payment",
                     "amount_cents")
    left = household.payments.filter(reversal__isnull=True).annotate(
        allocated=allocated).aggregate(s=Sum(F("amount_cents") - F("allocated")))["s"]
    return int(left or 0)


def prepaid_balance_cents(household_id: int) -> int:
    """The prepaid account balance: the SUM of its ledger (never stored)."""
    total = PrepaidLedgerEntry.objects.filter(household_id=household_id).aggregate(
        s=Sum("amount_cents"))["s"]
    return int(total or 0)


def run_counts_by_status() -> dict[str, int]:
    return dict(Invoice.objects.values_list("status").annotate(n=Count("id")).values_list(
        "status", "n"))


@dataclass(frozen=True)
class PricePreview:
    unit_cents: int | None
    label: str
    reasons: tuple[str, ...] = ()

    @property
    def amount_label(self) -> str:
        return pricing.euros_label(self.unit_cents) if self.unit_cents is not None else ""


def price_preview(child: Child, service_id: int, day: date) -> PricePreview:
    """The price of booking `child` on `service` on `day`, as the household would pay it."""
    from tenant_apps.billing.pricing_inputs import PricingFacts, child_household_on
    from tenant_apps.billing.tariffs import tariffs_covering

    household_id = child_household_on(child, service_id, day)
    facts = PricingFacts([household_id] if household_id else [],
                         tariffs_covering([service_id], day, day))
    found = facts.tariff(service_id, day)
    if found is None:
        return PricePreview(None, "Aucun tarif n'est défini pour ce jour.")
    tariff, rule = found
    price = facts.price(tariff, rule, facts.who(household_id or 0, child.pk, day))
    label = pricing.euros_label(price.unit_cents)
    if price.reasons:
        label += " (" + ", ".join(price.reasons) + ")"
    return PricePreview(price.unit_cents, label, price.reasons)


def prices_on(*, rows: list[tuple[int, int, int]], day: date) -> dict[tuple[int, int], int]:
    """Unit price in cents of booking each (child id, paying household id, service id) on
    `day`, keyed by (child id, service id); rows without a tariff that day are left out.
    A fixed number of queries for any number of rows (the booking grid shows them)."""
    from tenant_apps.billing.pricing_inputs import PricingFacts
    from tenant_apps.billing.tariffs import tariffs_covering

    if not rows:
        return {}
    facts = PricingFacts({household for _, household, _ in rows},
                         tariffs_covering(sorted({service for *_, service in rows}), day, day))
    result = {}
    for child_id, household_id, service_id in rows:
        found = facts.tariff(service_id, day)
        if found is not None:
            tariff, rule = found
            who = facts.who(household_id, child_id, day)
            result[(child_id, service_id)] = facts.price(tariff, rule, who).unit_cents
    return result
