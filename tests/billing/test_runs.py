"""Invoice runs: lines from booking states, drafts replaced, gap-free numbers, immutability,
credit notes, reconciliation to the cent."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Sum

from tenant_apps.billing import invoices, pricing, runs
from tenant_apps.billing.models import (
    Invoice,
    InvoiceLine,
    InvoiceNumberCounter,
    InvoiceStatus,
    RunStatus,
)
from tenant_apps.billing.numbering import numbers_take
from tenant_apps.billing.selectors import with_amounts
from tenant_apps.bookings.models import Booking, BookingEvent
from tests.billing import support
from tests.billing.support import NOV_1, NOV_30
from tests.conftest import inside, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def regisseur(commune_alpha):
    return make_user(commune_alpha, role="regisseur")


def _run(actor, start=NOV_1, end=NOV_30):
    run = runs.invoice_run_create(period_start=start, period_end=end, acting_user=actor,
                                  dispatch=False)
    return runs.invoice_run_compute(run=run, acting_user=actor)


def test_lines_follow_booking_states(commune_alpha, regisseur):
    with inside(commune_alpha):
        service = support.service()
        support.tariff(service, regisseur, amount_cents=400, unbooked_presence_penalty_cents=150,
                       bill_unjustified_absence=False, late_cancel_penalty_cents=90)
        household, child = support.family(service)
        days = [date(2026, 11, d) for d in (2, 3, 5, 6, 9, 10)]
        states = ["booked", "attended", "absent_justified", "absent_unjustified",
                  "unbooked_presence", "cancelled"]
        for day, state in zip(days, states, strict=True):
            support.book(child, service, household, day, state)
        late = support.book(child, service, household, date(2026, 11, 12), "cancelled")
        BookingEvent.objects.create(booking=late, from_state="booked", to_state="cancelled",
                                    past_deadline=True)
        run = _run(regisseur)
        invoice = Invoice.objects.get(run=run)
        amounts = sorted(InvoiceLine.objects.filter(invoice=invoice)
                         .values_list("total_cents", flat=True))
        # booked 4, attended 4, unbooked presence 4 + 1,50, late cancel 0,90
        assert amounts == [90, 150, 400, 400, 400]
        assert invoice.total_cents == 1440 == sum(amounts)
        assert run.status == RunStatus.COMPUTED and run.invoices_count == 1


def test_rerun_replaces_drafts_only_and_issue_is_gap_free(commune_alpha, regisseur):
    with inside(commune_alpha):
        service = support.service()
        support.tariff(service, regisseur, amount_cents=385)
        families = [support.family(service) for _ in range(3)]
        for household, child in families:
            support.book_days(child, service, household, 4)
        run = _run(regisseur)
        assert Invoice.objects.filter(run=run, status="draft").count() == 3
        household, child = families[0]
        support.book(child, service, household, date(2026, 11, 20))
        run = runs.invoice_run_recompute(run=run, acting_user=regisseur, dispatch=False)
        run = runs.invoice_run_compute(run=run, acting_user=regisseur)
        assert Invoice.objects.filter(run=run).count() == 3
        assert Invoice.objects.get(run=run, household=household).total_cents == 5 * 385
        counter_before = InvoiceNumberCounter.objects.filter(series="invoice").values_list(
            "last_value", flat=True).first() or 0
        runs.invoice_run_start_issue(run=run, acting_user=regisseur, dispatch=False)
        run = runs.invoice_run_issue(run=run, acting_user=regisseur, render_pdfs=False)
        issued = list(Invoice.objects.filter(run=run).order_by("sequence"))
        assert [i.sequence for i in issued] == list(range(counter_before + 1,
                                                          counter_before + 4))
        assert all(i.status == InvoiceStatus.ISSUED and i.number.startswith("F")
                   for i in issued)
        assert not Booking.objects.filter(invoice_lines__invoice__run=run, invoiced=False)
        assert run.status == RunStatus.ISSUED
        # an issued run cannot be recomputed, and a new run skips invoiced bookings
        with pytest.raises(ValidationError):
            runs.invoice_run_recompute(run=run, acting_user=regisseur, dispatch=False)
        second = _run(regisseur)
        assert Invoice.objects.filter(run=second).count() == 0


def test_issued_invoice_is_immutable_in_the_database(commune_alpha, regisseur):
    with inside(commune_alpha):
        service = support.service()
        support.tariff(service, regisseur)
        household, child = support.family(service)
        support.book_days(child, service, household, 2)
        run = _run(regisseur)
        runs.invoice_run_start_issue(run=run, acting_user=regisseur, dispatch=False)
        runs.invoice_run_issue(run=run, acting_user=regisseur, render_pdfs=False)
        invoice = Invoice.objects.get(run=run)
        for attempt in (
            lambda: Invoice.objects.filter(pk=invoice.pk).update(total_cents=1),
            lambda: Invoice.objects.filter(pk=invoice.pk).update(status="draft"),
            lambda: InvoiceLine.objects.filter(invoice=invoice).update(total_cents=1,
                                                                       unit_cents=1),
            lambda: InvoiceLine.objects.filter(invoice=invoice).delete(),
            lambda: Invoice.objects.filter(pk=invoice.pk).delete(),
        ):
            with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
                attempt()
        # what may change after issue: the stored PDF name and the payment hook
        Invoice.objects.filter(pk=invoice.pk).update(pdf_file="x.pdf")


def test_credit_note_and_reconciliation(commune_alpha, regisseur):
    with inside(commune_alpha):
        service = support.service()
        support.tariff(service, regisseur, amount_cents=333,
                       brackets=(pricing.Bracket(600, 100), pricing.Bracket(None, 333)),
                       sibling_discount_percent=Decimal("12.5"))
        for qf in (None, 300, 900, 450):
            household, child = support.family(service, quotient_familial=qf)
            support.book_days(child, service, household, 7)
        run = _run(regisseur)
        runs.invoice_run_start_issue(run=run, acting_user=regisseur, dispatch=False)
        run = runs.invoice_run_issue(run=run, acting_user=regisseur, render_pdfs=False)
        issued = Invoice.objects.filter(run=run)
        lines_total = InvoiceLine.objects.filter(invoice__run=run).aggregate(
            s=Sum("total_cents"))["s"]
        assert lines_total == issued.aggregate(s=Sum("total_cents"))["s"] == run.total_cents
        assert sorted(issued.values_list("total_cents", flat=True)) == [700, 700, 2331, 2331]
        target = issued.order_by("number").first()
        note = invoices.invoice_credit_note_create(invoice=target, amount_cents=200,
                                                   reason="Repas non servi",
                                                   acting_user=regisseur)
        assert note.number.startswith("A") and note.total_cents == -200
        with pytest.raises(ValidationError, match="dépasse"):
            invoices.invoice_credit_note_create(invoice=target, amount_cents=10_000,
                                                reason="x", acting_user=regisseur)
        annotated = with_amounts(Invoice.objects.filter(pk=target.pk)).get()
        assert annotated.due_cents == target.total_cents - 200


def test_one_open_run_at_a_time_and_roles(commune_alpha, regisseur):
    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        with pytest.raises(ValidationError, match="rôle"):
            runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30, acting_user=agent,
                                    dispatch=False)
        run = runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30,
                                      acting_user=regisseur, dispatch=False)
        with pytest.raises(ValidationError, match="déjà ouverte"):
            runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30,
                                    acting_user=regisseur, dispatch=False)
        runs.invoice_run_delete(run=run, acting_user=regisseur)
        with pytest.raises(ValidationError, match="précède"):
            runs.invoice_run_create(period_start=NOV_30, period_end=NOV_1,
                                    acting_user=regisseur, dispatch=False)


def test_numbers_are_sequential_and_rolled_back_numbers_are_reused(commune_alpha):
    with inside(commune_alpha):
        with transaction.atomic():
            first = numbers_take(series="deposit", year=2031, count=3)
        with pytest.raises(RuntimeError), transaction.atomic():
            numbers_take(series="deposit", year=2031, count=5)
            raise RuntimeError("rollback")
        with transaction.atomic():
            after = numbers_take(series="deposit", year=2031, count=2)
        assert first == [1, 2, 3] and after == [4, 5]
