"""Prepaid communes: an issued invoice is settled from the household's account, the
ledger is brought to agree with it, credit notes credit the account back, and nothing is
ever billed twice (a property over any sync timing and corrections)."""

from datetime import date
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenant_apps.billing import prepaid, runs
from tenant_apps.billing.invoices import invoice_credit_note_create
from tenant_apps.billing.models import Invoice, Payment, PrepaidLedgerEntry
from tenant_apps.billing.payments import invoices_remind_unpaid
from tenant_apps.billing.printing import invoice_document
from tenant_apps.billing.selectors import parent_status, prepaid_balance_cents, with_amounts
from tenant_apps.bookings.models import Booking
from tests.billing import support
from tests.billing.support import NOV_1, NOV_30
from tests.conftest import inside, make_user

pytestmark = pytest.mark.django_db
SYNC_DAY = date(2026, 11, 20)
TOP_UP = 5000


@pytest.fixture
def prepaid_alpha(commune_alpha):
    previous = commune_alpha.billing_mode
    commune_alpha.billing_mode = "prepaid"  # in memory only, never saved
    yield commune_alpha
    commune_alpha.billing_mode = previous


@pytest.fixture
def regisseur(prepaid_alpha):
    return make_user(prepaid_alpha, role="regisseur")


def _family(regisseur: Any, *, days: int = 4, unit: int = 400) -> tuple[Any, list[Booking]]:
    service = support.service()
    support.tariff(service, regisseur, amount_cents=unit)
    household, child = support.family(service, email="parent@example.test")
    booked = support.book_days(child, service, household, days)
    prepaid.prepaid_top_up(household=household, amount_cents=TOP_UP, method="cash",
                           acting_user=regisseur)
    return household, booked


def _issue(regisseur: Any, start: date = NOV_1, end: date = NOV_30) -> list[Any]:
    run = runs.invoice_run_create(period_start=start, period_end=end, acting_user=regisseur,
                                  dispatch=False)
    runs.invoice_run_compute(run=run, acting_user=regisseur)
    runs.invoice_run_start_issue(run=run, acting_user=regisseur, dispatch=False)
    runs.invoice_run_issue(run=run, acting_user=regisseur, render_pdfs=False)
    return list(with_amounts(Invoice.objects.filter(run=run)))


def test_issued_invoice_is_settled_from_the_account(prepaid_alpha, regisseur):
    with inside(prepaid_alpha):
        household, booked = _family(regisseur)
        # the sync saw three of the four bookings; the fourth arrives afterwards
        Booking.objects.filter(pk=booked[3].pk).update(state="waiting")
        prepaid.prepaid_sync(today=SYNC_DAY)
        Booking.objects.filter(pk=booked[3].pk).update(state="booked")
        assert prepaid_balance_cents(household.pk) == TOP_UP - 1200

        [invoice] = _issue(regisseur)
        assert invoice.total_cents == 1600
        # settled at issue: nothing due, "Payé" for the parent, never reminded
        assert invoice.due_cents == 0 and parent_status(invoice) == "paid"
        payment = Payment.objects.get(allocations__invoice=invoice)
        assert payment.method == "prepaid" and payment.amount_cents == 1600
        assert payment.receipt_number == f"CP-{invoice.number}"
        assert invoices_remind_unpaid(acting_user=regisseur, overdue_on=date(2027, 6, 1)) == 0
        # the account bears exactly the invoice: 3 booking debits + one adjustment
        adjustment = PrepaidLedgerEntry.objects.get(
            source_key=f"invoice:{invoice.pk}:settlement")
        assert adjustment.amount_cents == -400 and adjustment.kind == "debit"
        assert adjustment.label == f"Facture {invoice.number} : ajustement"
        assert prepaid_balance_cents(household.pk) == TOP_UP - 1600

        # invoiced bookings are left alone by the sync: the invoice settled them
        assert prepaid.prepaid_sync(today=SYNC_DAY) == 0
        Booking.objects.filter(pk=booked[0].pk).update(state="cancelled")
        assert prepaid.prepaid_sync(today=SYNC_DAY) == 0
        assert prepaid_balance_cents(household.pk) == TOP_UP - 1600

        # the printed invoice says it is settled by the account, with the balance
        doc = invoice_document(Invoice.objects.get(pk=invoice.pk), mode="prepaid")
        assert doc.settled_by_account and doc.due_cents == 0 and doc.paid_cents == 1600
        assert "réglée par votre compte prépayé" in doc.payment_info[0]
        assert "34,00" in doc.payment_info[1]


def test_whole_credit_note_releasing_bookings_then_invoiced_again(prepaid_alpha, regisseur):
    with inside(prepaid_alpha):
        household, booked = _family(regisseur)
        prepaid.prepaid_sync(today=SYNC_DAY)
        [invoice] = _issue(regisseur)
        assert prepaid_balance_cents(household.pk) == TOP_UP - 1600

        note = invoice_credit_note_create(invoice=invoice, amount_cents=None,
                                          reason="Erreur de tarif", acting_user=regisseur,
                                          release_bookings=True)
        # the account gets the whole invoice back, booking by booking
        assert prepaid_balance_cents(household.pk) == TOP_UP
        credits = PrepaidLedgerEntry.objects.filter(source_key__startswith=f"credit_note:"
                                                    f"{note.pk}:")
        assert credits.count() == 4
        assert all(c.label == f"Avoir {note.number} sur la facture {invoice.number}"
                   for c in credits)
        # released bookings are debited again by the sync, then invoiced and settled once
        assert prepaid.prepaid_sync(today=SYNC_DAY) == 4
        assert prepaid_balance_cents(household.pk) == TOP_UP - 1600
        [again] = _issue(regisseur)
        assert again.total_cents == 1600 and again.due_cents == 0
        assert not PrepaidLedgerEntry.objects.filter(
            source_key=f"invoice:{again.pk}:settlement").exists()  # nothing to adjust
        assert prepaid_balance_cents(household.pk) == TOP_UP - 1600


def test_partial_credit_note_credits_the_account(prepaid_alpha, regisseur):
    with inside(prepaid_alpha):
        household, _ = _family(regisseur)
        prepaid.prepaid_sync(today=SYNC_DAY)
        [invoice] = _issue(regisseur)
        note = invoice_credit_note_create(invoice=invoice, amount_cents=250,
                                          reason="Repas non servi", acting_user=regisseur)
        entry = PrepaidLedgerEntry.objects.get(source_key=f"credit_note:{note.pk}")
        assert entry.kind == "credit" and entry.amount_cents == 250
        assert prepaid_balance_cents(household.pk) == TOP_UP - 1600 + 250


def test_regie_invoices_are_not_settled_from_any_account(commune_alpha):
    regisseur = make_user(commune_alpha, role="regisseur")
    with inside(commune_alpha):
        service = support.service()
        support.tariff(service, regisseur, amount_cents=400)
        household, child = support.family(service)
        support.book_days(child, service, household, 2)
        [invoice] = _issue(regisseur)
        assert invoice.due_cents == 800 and not Payment.objects.exists()
        assert not PrepaidLedgerEntry.objects.exists()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(synced=st.lists(st.booleans(), min_size=5, max_size=5),
       corrections=st.lists(st.one_of(st.none(), st.integers(1, 900)), max_size=3),
       unit=st.integers(50, 900))
def test_account_always_bears_exactly_what_was_invoiced(prepaid_alpha, regisseur, synced,
                                                        corrections, unit):
    """Whatever the sync saw before issue, and whatever credit notes follow (whole with
    release and re-invoicing, or partial), once every booking is invoiced the balance is
    top-up − invoices + credit notes: no booking is paid twice, none for free."""
    with inside(prepaid_alpha), transaction.atomic():
        household, booked = _family(regisseur, days=5, unit=unit)
        Booking.objects.filter(pk__in=[b.pk for b, s in zip(booked, synced, strict=True)
                                       if not s]).update(state="waiting")
        prepaid.prepaid_sync(today=SYNC_DAY)
        Booking.objects.filter(household=household).update(state="booked")
        [invoice] = _issue(regisseur)
        for amount in corrections:
            current: Any = with_amounts(Invoice.objects.filter(
                household=household, kind="invoice").order_by("-id")[:1]).get()
            left = current.total_cents - current.credited_cents
            if amount is None:  # whole credit, bookings billed again
                invoice_credit_note_create(invoice=current, amount_cents=None, reason="R",
                                           acting_user=regisseur, release_bookings=True)
                prepaid.prepaid_sync(today=SYNC_DAY)
                _issue(regisseur)
            elif amount < left:
                invoice_credit_note_create(invoice=current, amount_cents=amount, reason="R",
                                           acting_user=regisseur)
        invoiced = sum(Invoice.objects.filter(household=household, status="issued")
                       .values_list("total_cents", flat=True))  # credit notes are negative
        assert prepaid_balance_cents(household.pk) == TOP_UP - invoiced
        assert all(i.due_cents <= 0 for i in with_amounts(
            Invoice.objects.filter(household=household, kind="invoice")))
        transaction.set_rollback(True)


def test_parent_sees_invoices_settled_by_the_account(prepaid_alpha, regisseur):
    from tenant_apps.families.models import Guardian
    from tenants.models import Commune
    from tests.billing.formats.samples import pdf_text
    from tests.conftest import logged_in_client

    parent = make_user(prepaid_alpha, role="guardian")
    with inside(prepaid_alpha):
        household, _ = _family(regisseur)
        Guardian.objects.filter(household=household).update(user=parent)
        prepaid.prepaid_sync(today=SYNC_DAY)
        [invoice] = _issue(regisseur)
    # pages read the mode from the request's commune: set it there for this test only
    Commune.objects.filter(pk=prepaid_alpha.pk).update(billing_mode="prepaid")
    try:
        client = logged_in_client(prepaid_alpha, parent)
        body = client.get("/factures/").content.decode()
        pdf = client.get(f"/factures/{invoice.pk}/pdf/")
    finally:
        Commune.objects.filter(pk=prepaid_alpha.pk).update(billing_mode="regie")
    assert f"Facture {invoice.number}" in body
    assert "16,00\xa0€ réglé par le compte prépayé" in body or \
        "16,00 € réglé par le compte prépayé" in body
    assert "à régler avant" not in body and "Payer en ligne" not in body
    assert "factures à régler" not in body and "prélèvement automatique" not in body
    assert pdf.status_code == 200
    text = " ".join(pdf_text(pdf.content).split())
    assert "réglée par votre compte prépayé" in text and "Vous n'avez rien à payer" in text
    assert "Reste à payer 0,00 €" in text


def test_payments_list_keeps_settlements_apart_from_money_received(prepaid_alpha, regisseur):
    from tests.conftest import logged_in_client

    with inside(prepaid_alpha):
        _family(regisseur)
        prepaid.prepaid_sync(today=SYNC_DAY)
        [invoice] = _issue(regisseur)
        settlement = Payment.objects.get(receipt_number=f"CP-{invoice.number}")
    client = logged_in_client(prepaid_alpha, regisseur)
    default = client.get("/gestion/facturation/paiements/").content.decode()
    assert f"CP-{invoice.number}" not in default and "les afficher" in default
    shown = client.get("/gestion/facturation/paiements/?reglements=1").content.decode()
    assert f"CP-{invoice.number}" in shown and "Compte prépayé" in shown
    receipt = client.get(f"/gestion/facturation/paiements/{settlement.pk}/")
    body = receipt.content.decode()
    assert "Règlement par le compte prépayé" in body and "Annuler ce paiement" not in body
