"""Payment reversal: a payment that did not hold (cheque returned unpaid…) is never edited
nor deleted; a reversal is appended, the invoices it paid are due again and reminded,
the household's credit forgets it, and the back-office pages say so. A property checks
that an invoice's due amount is always its total less the allocations still standing."""

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenant_apps.billing.models import (
    Invoice,
    InvoiceReminder,
    Payment,
    PaymentAllocation,
    PaymentReversal,
)
from tenant_apps.billing.payments import payment_record, payment_reverse
from tenant_apps.billing.selectors import (
    household_unallocated_cents,
    parent_status,
    with_amounts,
)
from tenant_apps.families.models import Guardian, Household
from tenant_apps.outbox.models import OutboxMessage
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db
BASE = "/gestion/facturation/"
_seq = itertools.count(1)


def _issued_invoice(*, total_cents: int = 4520, household: Household | None = None,
                    email: str = "parent@example.test") -> Invoice:
    """An issued invoice built directly (the run machinery is tested elsewhere)."""
    n = next(_seq)
    if household is None:
        household = Household.objects.create(name=f"Foyer Annulation {n}")
        guardian = Guardian.objects.create(household=household, last_name=household.name,
                                           first_name="Camille", email=email)
        Household.objects.filter(pk=household.pk).update(billing_guardian=guardian)
    sequence = 700_000 + n
    today = timezone.localdate()
    return Invoice.objects.create(
        household=household, period_start=today.replace(day=1), period_end=today,
        status="issued", number=f"F{today.year}-{sequence:06d}", year=today.year,
        sequence=sequence, total_cents=total_cents, household_name=household.name,
        issued_at=timezone.now(), due_on=today + timedelta(days=30))


def _amounts(invoice: Invoice) -> Any:
    return with_amounts(Invoice.objects.filter(pk=invoice.pk)).get()


def _cheque(invoice: Invoice, regisseur: Any, amount_cents: int, **fields: Any) -> Payment:
    return payment_record(household=invoice.household, method="cheque",
                          amount_cents=amount_cents, received_on=timezone.localdate(),
                          reference="1234567", invoice=invoice, acting_user=regisseur,
                          **fields)


@pytest.fixture
def regisseur(commune_alpha):
    return make_user(commune_alpha, role="regisseur")


def test_returned_cheque_makes_the_invoice_due_again_and_reminds(commune_alpha, regisseur):
    with inside(commune_alpha):
        # Given an invoice paid by a cheque larger than it (the rest is the household's
        # credit) and by nothing else
        invoice = _issued_invoice(total_cents=4520)
        cheque = _cheque(invoice, regisseur, 6000)
        paid: Any = _amounts(invoice)
        assert paid.due_cents == 0 and parent_status(paid) == "paid"
        assert household_unallocated_cents(invoice.household) == 1480
        # When the bank returns the cheque unpaid
        reversal = payment_reverse(payment=cheque, reason="Chèque revenu impayé",
                                   acting_user=regisseur)
        # Then the payment is still there, the invoice is due in full, back to "registered"
        assert reversal.reversed_on == timezone.localdate()
        assert reversal.recorded_by == regisseur
        assert Payment.objects.filter(pk=cheque.pk, amount_cents=6000).exists()
        assert PaymentAllocation.objects.filter(payment=cheque).count() == 1
        again: Any = _amounts(invoice)
        assert (again.paid_cents, again.due_cents) == (0, 4520)
        assert parent_status(again) == "registered"
        # the cheque's leftover is no longer the household's credit
        assert household_unallocated_cents(invoice.household) == 0
        # and one reminder went to the family through the outbox, for what is due now
        reminder = InvoiceReminder.objects.get(invoice=invoice)
        assert reminder.due_cents == 4520 and reminder.sent_by == regisseur
        message = OutboxMessage.objects.get(idempotency_key=(
            f"invoice-reminder:{invoice.pk}:{reminder.pk}"))
        assert message.recipients == ["parent@example.test"]
        assert invoice.number in message.subject


def test_only_the_reversed_payment_stops_counting(commune_alpha, regisseur):
    with inside(commune_alpha):
        invoice = _issued_invoice(total_cents=5000)
        first = _cheque(invoice, regisseur, 2000)
        cash = payment_record(household=invoice.household, method="cash",
                              amount_cents=4000, received_on=timezone.localdate(),
                              acting_user=regisseur)  # 3000 allocated, 1000 credit
        assert household_unallocated_cents(invoice.household) == 1000
        payment_reverse(payment=first, reason="Chèque sans provision", acting_user=regisseur)
        after: Any = _amounts(invoice)
        assert (after.paid_cents, after.due_cents) == (3000, 2000)
        assert parent_status(after) == "partial"
        assert household_unallocated_cents(invoice.household) == 1000
        assert PaymentReversal.objects.filter(payment=cash).count() == 0


def test_reversal_refusals(commune_alpha, regisseur):
    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        invoice = _issued_invoice()
        cheque = _cheque(invoice, regisseur, 1000)
        with pytest.raises(ValidationError, match="Seuls le régisseur"):
            payment_reverse(payment=cheque, reason="x", acting_user=agent)
        with pytest.raises(ValidationError, match="motif"):
            payment_reverse(payment=cheque, reason="   ", acting_user=regisseur)
        with pytest.raises(ValidationError, match="futur"):
            payment_reverse(payment=cheque, reason="Rejet",
                            reversed_on=timezone.localdate() + timedelta(days=1),
                            acting_user=regisseur)
        with pytest.raises(ValidationError, match="précède"):
            payment_reverse(payment=cheque, reason="Rejet",
                            reversed_on=cheque.received_on - timedelta(days=1),
                            acting_user=regisseur)
        assert not PaymentReversal.objects.exists()
        payment_reverse(payment=cheque, reason="Rejet", acting_user=regisseur)
        with pytest.raises(ValidationError, match="déjà annulé"):
            payment_reverse(payment=cheque, reason="Encore", acting_user=regisseur)
        assert PaymentReversal.objects.filter(payment=cheque).count() == 1
        assert InvoiceReminder.objects.filter(invoice=invoice).count() == 1


def test_prepaid_settlement_is_never_reversed(commune_alpha, regisseur):
    with inside(commune_alpha):
        invoice = _issued_invoice(total_cents=1600)
        settlement = Payment.objects.create(
            household=invoice.household, method="prepaid", amount_cents=1600,
            received_on=timezone.localdate(), reference=f"Facture {invoice.number}",
            receipt_number=f"P-{invoice.number}")
        PaymentAllocation.objects.create(payment=settlement, invoice=invoice,
                                         amount_cents=1600)
        with pytest.raises(ValidationError, match="compte prépayé ne s'annule pas"):
            payment_reverse(payment=settlement, reason="x", acting_user=regisseur)
        assert _amounts(invoice).due_cents == 0
    client = logged_in_client(commune_alpha, regisseur)
    body = client.get(f"{BASE}paiements/{settlement.pk}/").content.decode()
    assert "Règlement par le compte prépayé" in body and "Reçu de" not in body
    assert "Annuler ce paiement" not in body
    refused = client.post(f"{BASE}paiements/{settlement.pk}/annulation/",
                          {"reason": "x", "reversed_on": timezone.localdate().isoformat()})
    assert refused.status_code == 400
    assert "compte prépayé ne s&#x27;annule pas" in refused.content.decode()


def test_reversal_with_nobody_to_write_to_still_reverses(commune_alpha, regisseur):
    with inside(commune_alpha):
        invoice = _issued_invoice(email="")
        cheque = _cheque(invoice, regisseur, 4520)
        payment_reverse(payment=cheque, reason="Rejet", acting_user=regisseur)
        assert _amounts(invoice).due_cents == 4520
        assert not InvoiceReminder.objects.filter(invoice=invoice).exists()


def test_reverse_from_the_payment_page(commune_alpha, regisseur):
    with inside(commune_alpha):
        invoice = _issued_invoice(total_cents=4520)
        cheque = _cheque(invoice, regisseur, 4520)
    client = logged_in_client(commune_alpha, regisseur)
    page = f"{BASE}paiements/{cheque.pk}/"
    assert "Annuler ce paiement" in client.get(page).content.decode()
    # A missing reason and a future date: French errors, what was typed stays, nothing saved
    empty = client.post(f"{page}annulation/", {"reason": "", "reversed_on": ""})
    assert empty.status_code == 400 and "Ce champ est obligatoire." in empty.content.decode()
    future = client.post(f"{page}annulation/", {
        "reason": "Chèque volé", "reversed_on": (
            timezone.localdate() + timedelta(days=3)).isoformat()})
    body = future.content.decode()
    assert future.status_code == 400 and "La date d&#x27;annulation est dans le futur." in body
    assert 'value="Chèque volé"' in body
    with inside(commune_alpha):
        assert not PaymentReversal.objects.exists()
    # Then the real one
    done = client.post(f"{page}annulation/", {
        "reason": "Chèque revenu impayé", "reversed_on": timezone.localdate().isoformat()},
        follow=True)
    body = done.content.decode()
    assert done.redirect_chain[-1][0] == page
    assert (f"Paiement annulé : la facture {invoice.number} est de nouveau à payer, "
            "une relance est partie.") in body
    assert "Annulé le" in body and "Chèque revenu impayé" in body
    assert "Annuler ce paiement" not in body
    again = client.post(f"{page}annulation/", {
        "reason": "Encore", "reversed_on": timezone.localdate().isoformat()})
    assert again.status_code == 400 and "déjà annulé" in again.content.decode()
    listing = client.get(f"{BASE}paiements/").content.decode()
    assert "Annulé</span>" in listing
    detail = client.get(f"{BASE}factures/{invoice.pk}/").content.decode()
    assert "<del>" in detail and "annulé</span>" in detail and "Reste dû : 45,20" in detail
    account = client.get(f"{BASE}foyers/{invoice.household_id}/").content.decode()
    assert "Annulé</span>" in account and "<s>" in account
    with inside(commune_alpha):
        assert PaymentReversal.objects.filter(payment=cheque).count() == 1
        assert InvoiceReminder.objects.filter(invoice=invoice).count() == 1


def test_read_only_roles_cannot_reverse(commune_alpha, regisseur):
    with inside(commune_alpha):
        invoice = _issued_invoice()
        cheque = _cheque(invoice, regisseur, 1000)
    for role in ("read_only", "agent"):
        client = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))
        page = f"{BASE}paiements/{cheque.pk}/"
        body = client.get(page).content.decode()
        assert cheque.receipt_number in body and "Annuler ce paiement" not in body
        response = client.post(f"{page}annulation/", {
            "reason": "x", "reversed_on": timezone.localdate().isoformat()})
        assert response.status_code == 403
    with inside(commune_alpha):
        assert not PaymentReversal.objects.exists()
    office = logged_in_client(commune_alpha, regisseur)
    assert office.post(f"{BASE}paiements/999999/annulation/",
                          {"reason": "x"}).status_code == 404


# One step: pay some cents, or reverse the n-th payment made so far (modulo their count).
_steps = st.lists(st.one_of(
    st.tuples(st.just("pay"), st.integers(min_value=1, max_value=3000)),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=5)),
), min_size=1, max_size=6)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.integers(min_value=1, max_value=5000), steps=_steps)
def test_due_is_total_less_standing_allocations(commune_alpha, regisseur, total, steps):
    """Whatever payments and reversals hit an invoice, in any order, what is due is its
    total less the allocations of payments not reversed, never below zero, and the
    household's credit is what standing payments did not allocate."""
    with inside(commune_alpha), transaction.atomic():
        invoice = _issued_invoice(total_cents=total)
        made: list[Payment] = []
        expected_due = total
        for action, value in steps:
            if action == "pay":
                made.append(_cheque(invoice, regisseur, value))
                expected_due -= min(value, expected_due)
                continue
            standing = [p for p in made if not PaymentReversal.objects.filter(
                payment=p).exists()]
            if not standing:
                continue
            target = standing[value % len(standing)]
            payment_reverse(payment=target, reason="Rejet", acting_user=regisseur)
            expected_due += sum(PaymentAllocation.objects.filter(payment=target)
                                .values_list("amount_cents", flat=True))
        standing_allocated = sum(PaymentAllocation.objects.filter(
            invoice=invoice, payment__reversal__isnull=True).values_list(
            "amount_cents", flat=True))
        current: Any = _amounts(invoice)
        assert current.due_cents == total - standing_allocated == expected_due
        assert 0 <= current.due_cents <= total
        standing_paid = sum(p.amount_cents for p in made if not PaymentReversal.objects
                            .filter(payment=p).exists())
        assert household_unallocated_cents(invoice.household) == (
            standing_paid - standing_allocated)
        transaction.set_rollback(True)
