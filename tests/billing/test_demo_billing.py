"""The demo's billing: tariffs, last month's invoices issued, payments (régie), a deposit
(CSV in régie, PES in perception); the prepaid commune gets a ledger, and its invoices
are settled from the accounts; re-seeding changes nothing."""

from datetime import date

import pytest

from provisioning.demo_billing import seed_commune_billing
from provisioning.demo_bookings import seed_bookings
from provisioning.demo_families import DemoHousehold, seed_families
from tenant_apps.billing.models import (
    Deposit,
    Invoice,
    InvoiceLine,
    Payment,
    PrepaidLedgerEntry,
    Tariff,
)
from tenant_apps.billing.selectors import with_amounts
from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Household
from tests.conftest import inside, make_user

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 24)


def _seed(commune, postcode=""):
    make_user(commune, role="regisseur", email="regisseur@alpha.demo")
    households = [DemoHousehold(n, "Martin", (("Camille", f"camille{n}@alpha.demo"),))
                  for n in range(12)]
    with inside(commune):
        seed_families(slug="alpha", town="Alphaville", households=households)
        if postcode:  # the demo communes have one; "alpha" is not one of them
            Household.objects.update(postcode=postcode)
        seed_bookings(slug="alpha", today=TODAY)
        return seed_commune_billing(commune=commune, slug="alpha", today=TODAY)


def test_demo_regie_invoices_payments_and_deposit(commune_alpha):
    done = _seed(commune_alpha)
    assert done and "factures" in done[-2]
    with inside(commune_alpha):
        assert Tariff.objects.count() == Service.objects.count()
        invoices = Invoice.objects.filter(period_start=date(2026, 10, 1))
        assert invoices.exists() and not invoices.filter(status="draft").exists()
        assert sum(i.total_cents for i in invoices) == sum(
            InvoiceLine.objects.filter(invoice__in=invoices).values_list("total_cents",
                                                                          flat=True))
        assert Payment.objects.exists() and Deposit.objects.count() == 1
        from tenant_apps.payments.models import DebitRun, Mandate

        run = DebitRun.objects.get()  # a SEPA debit of the group, due in two weeks
        assert run.count == Mandate.objects.count() > 0 and "CstmrDrctDbtInitn" in run.file_xml
        assert "prélèvement SEPA" in done[-1]
        counts = (Invoice.objects.count(), Payment.objects.count())
        assert seed_commune_billing(commune=commune_alpha, slug="alpha", today=TODAY) == []
        assert (Invoice.objects.count(), Payment.objects.count()) == counts


def test_demo_prepaid_ledger_and_settled_invoices(commune_alpha):
    previous = commune_alpha.billing_mode
    commune_alpha.billing_mode = "prepaid"  # in memory only
    try:
        done = _seed(commune_alpha)
        with inside(commune_alpha):
            assert "comptes prépayés" in done[-2] and "réglées par les comptes" in done[-1]
            assert PrepaidLedgerEntry.objects.filter(kind="top_up").exists()
            assert PrepaidLedgerEntry.objects.filter(kind="debit").exists()
            invoices = list(with_amounts(Invoice.objects.filter(
                period_start=date(2026, 10, 1), kind="invoice")))
            assert invoices and all(i.status == "issued" for i in invoices)
            # every invoice is settled from the account, none left to pay or to remind
            assert all(i.due_cents == 0 for i in invoices if i.total_cents > 0)
            assert set(Payment.objects.values_list("method", flat=True)) == {"prepaid"}
            assert Deposit.objects.count() == 1
            # the ledger agrees with the invoices: each household's invoiced bookings and
            # settlement adjustments add up to its invoice
            for invoice in invoices:
                bookings = InvoiceLine.objects.filter(invoice=invoice).values("booking_id")
                debited = -sum(PrepaidLedgerEntry.objects.filter(
                    booking_id__in=bookings).values_list("amount_cents", flat=True))
                adjusted = -sum(PrepaidLedgerEntry.objects.filter(
                    source_key=f"invoice:{invoice.pk}:settlement").values_list(
                    "amount_cents", flat=True))
                assert debited + adjusted == invoice.total_cents
            counts = (Invoice.objects.count(), PrepaidLedgerEntry.objects.count())
            assert seed_commune_billing(commune=commune_alpha, slug="alpha", today=TODAY) == []
            assert (Invoice.objects.count(), PrepaidLedgerEntry.objects.count()) == counts
    finally:
        commune_alpha.billing_mode = previous


def test_demo_perception_invoices_deposited_as_pes(commune_alpha):
    previous = commune_alpha.billing_mode
    commune_alpha.billing_mode = "perception"  # in memory only
    try:
        done = _seed(commune_alpha, postcode="22300")
        assert done and "factures" in done[-1]
        with inside(commune_alpha):
            invoices = Invoice.objects.filter(period_start=date(2026, 10, 1))
            assert invoices.exists() and not invoices.filter(status="draft").exists()
            assert not Payment.objects.exists()  # the public accountant collects
            deposit = Deposit.objects.get()
            assert deposit.billing_mode == "perception"
            assert deposit.invoices_count == invoices.count()
            assert deposit.total_cents == sum(i.total_cents for i in invoices)
            assert not PrepaidLedgerEntry.objects.exists()
    finally:
        commune_alpha.billing_mode = previous
