"""SEPA direct debit: mandates (IBAN/BIC with schwifty, RUM, FRST then RCUR), a parent's
online request validated by an agent, a debit run for a deposited group producing a
valid pain.008 with the commune's ICS, returns (invoice unpaid again + reminder), the
confirmation that records the payments, and a return after the confirmation (the payment
is reversed, the invoice due again, reminded once)."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.billing.models import (
    Deposit,
    InvoiceGroup,
    InvoiceReminder,
    Payment,
    PaymentReversal,
)
from tenant_apps.billing.selectors import invoice_paid_cents
from tenant_apps.payments import sepa, sepa_rules
from tenant_apps.payments.models import DebitItem, PayfipSettings
from tests.conftest import inside, logged_in_client, make_user
from tests.payments import support

pytestmark = pytest.mark.django_db
IBAN = "FR7630006000011234567890189"
IBAN_2 = "FR1420041010050500013M02606"
ICS = "FR72ZZZ123456"


def test_ics_check_digits_follow_mod_97_10():
    assert sepa_rules.ics_check_digits("FR", "123456") == "72"
    assert sepa_rules.ics_valid(ICS) and sepa_rules.ics_valid("fr72 zzz 123456")
    assert not sepa_rules.ics_valid("FR73ZZZ123456") and not sepa_rules.ics_valid("FR72")


@given(st.integers(min_value=1, max_value=9_999_999), st.integers(min_value=1, max_value=999_999))
def test_rum_is_short_safe_and_carries_no_iban(household_id, mandate_id):
    rum = sepa_rules.rum_for(household_id, mandate_id)
    assert sepa_rules.RUM_RE.match(rum) and len(rum) <= 35 and "FR76" not in rum


@given(st.text(max_size=40), st.integers(min_value=1, max_value=10**9))
def test_end_to_end_id_is_at_most_35_safe_characters(number, run_id):
    e2e = sepa_rules.end_to_end_id(number, run_id)
    assert len(e2e) <= 35 and all(c.isascii() and (c.isalnum() or c == "-") for c in e2e)


def test_account_check_uses_schwifty():
    account = sepa_rules.account_check("fr76 3000 6000 0112 3456 7890 189")
    assert account.iban == IBAN and account.bic.startswith("AGRIFRPP")
    for bad in ("FR7630006000011234567890188", "FR76", "bonjour"):
        with pytest.raises(ValueError, match="IBAN invalide"):
            sepa_rules.account_check(bad)
    with pytest.raises(ValueError, match="BIC invalide"):
        sepa_rules.account_check(IBAN, "XX")
    assert sepa_rules.next_sequence("FRST") == "RCUR" == sepa_rules.next_sequence("RCUR")


def _deposited_group(households):  # type: ignore[no-untyped-def]
    group = InvoiceGroup.objects.create(label="Octobre 2026", period_start=date(2026, 10, 1),
                                        period_end=date(2026, 10, 31))
    invoices = []
    for household in households:
        invoice = support.issued_invoice(total_cents=4520, household=household)
        type(invoice).objects.filter(pk=invoice.pk).update(group=group)
        invoices.append(invoice)
    Deposit.objects.create(group=group, number=f"D2026-{group.pk:06d}", billing_mode="regie",
                           invoices_count=len(invoices), total_cents=4520 * len(invoices))
    group.refresh_from_db()
    return group, invoices


def test_debit_run_return_and_confirmation(commune_alpha, db):
    regisseur = make_user(commune_alpha, role="regisseur")
    with inside(commune_alpha):
        PayfipSettings.objects.update_or_create(singleton=True, defaults={
            "creditor_identifier": ICS, "creditor_name": "Régie cantine Alphaville",
            "creditor_iban": IBAN_2, "creditor_bic": "PSSTFRPPXXX"})
        h1 = support.issued_invoice().household
        h2 = support.issued_invoice().household
        h3 = support.issued_invoice().household  # no mandate: not debited
        m1 = sepa.mandate_create(household=h1, holder_name="Camille Le Gall", iban=IBAN,
                                 bic="", signed_on=date(2026, 9, 1), acting_user=regisseur)
        sepa.mandate_create(household=h2, holder_name="Loïc Prigent", iban=IBAN_2,
                                 bic="PSSTFRPP", signed_on=date(2026, 9, 2),
                                 acting_user=regisseur)
        assert m1.rum.startswith("CANT-") and m1.sequence == "FRST" and m1.status == "active"
        group, (i1, i2, _i3) = _deposited_group([h1, h2, h3])
        with pytest.raises(ValidationError, match="future"):
            sepa.debit_run_create(group=group, collection_date=timezone.localdate(),
                                  acting_user=regisseur)
        run = sepa.debit_run_create(group=group,
                                    collection_date=timezone.localdate() + timedelta(days=14),
                                    acting_user=regisseur)
        assert run.count == 2 and run.total_cents == 9040
        root = ET.fromstring(run.file_xml.encode())  # noqa: S314 (our own file)
        text = run.file_xml
        assert "pain.008.001.02" in root.tag and ICS in text and m1.rum in text
        assert "<SeqTp>FRST</SeqTp>" in text and "<InstdAmt Ccy=\"EUR\">45.20</InstdAmt>" in text
        m1.refresh_from_db()
        assert m1.sequence == "RCUR"
        i1.refresh_from_db()
        assert i1.payment_pending_since is not None

        rejected = DebitItem.objects.get(run=run, invoice=i2)
        sepa.debit_return_record(item=rejected, reason="AM04 provision insuffisante",
                                 acting_user=regisseur)
        i2.refresh_from_db()
        assert i2.payment_pending_since is None
        assert InvoiceReminder.objects.filter(invoice=i2).count() == 1
        assert not PaymentReversal.objects.exists()  # before confirmation: nothing to undo
        with pytest.raises(ValidationError, match="déjà"):
            sepa.debit_return_record(item=rejected, reason="x", acting_user=regisseur)

        with pytest.raises(ValidationError, match="Attendez"):
            sepa.debit_run_confirm(run=run, acting_user=regisseur)
        type(run).objects.filter(pk=run.pk).update(collection_date=timezone.localdate())
        run.refresh_from_db()
        assert sepa.debit_run_confirm(run=run, acting_user=regisseur) == 1
        assert sepa.debit_run_confirm(run=run, acting_user=regisseur) == 0
        assert invoice_paid_cents(i1) == 4520 and invoice_paid_cents(i2) == 0
        assert Payment.objects.filter(household=h1).count() == 1
        # The returned invoice can be presented again (RCUR now); then nothing is left.
        again = sepa.debit_run_create(group=group, collection_date=date(2099, 1, 1),
                                      acting_user=regisseur)
        assert [(i.invoice_id, i.sequence) for i in again.items.all()] == [(i2.pk, "RCUR")]
        with pytest.raises(ValidationError, match="Aucune facture"):
            sepa.debit_run_create(group=group, collection_date=date(2099, 1, 1),
                                  acting_user=regisseur)


def test_parent_requests_a_mandate_online_and_an_agent_validates_it(commune_alpha, db):
    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        household = support.issued_invoice().household
        parent = support.guardian_user(commune_alpha, household)
    client = logged_in_client(commune_alpha, parent)
    bad = client.post("/paiement/prelevement/", {"holder_name": "Alex Parent",
                                                 "iban": "FR76 0000", "bic": ""})
    assert "IBAN invalide" in bad.content.decode()
    client.post("/paiement/prelevement/", {"holder_name": "Alex Parent", "iban": IBAN,
                                           "bic": ""})
    again = client.get("/paiement/prelevement/").content.decode()
    assert "en attente de validation" in again and IBAN not in again
    with inside(commune_alpha):
        mandate = household.sepa_mandates.get()
        assert mandate.status == "requested"
    office = logged_in_client(commune_alpha, agent)
    listing = office.get("/gestion/paiements-en-ligne/prelevements/").content.decode()
    assert mandate.rum in listing
    office.post(f"/gestion/paiements-en-ligne/mandats/{mandate.pk}/valider/",
                {"signed_on": "2026-11-02"})
    with inside(commune_alpha):
        mandate.refresh_from_db()
        assert mandate.status == "active" and mandate.signed_on == date(2026, 11, 2)


def _confirmed_run(commune, regisseur):  # type: ignore[no-untyped-def]
    """A run of two debited invoices whose collection was confirmed (both paid)."""
    with inside(commune):
        PayfipSettings.objects.update_or_create(singleton=True, defaults={
            "creditor_identifier": ICS, "creditor_name": "Régie cantine Alphaville",
            "creditor_iban": IBAN_2, "creditor_bic": "PSSTFRPPXXX"})
        households = [support.issued_invoice().household for _ in range(2)]
        for household, iban in zip(households, (IBAN, IBAN_2), strict=True):
            sepa.mandate_create(household=household, holder_name="Camille Le Gall",
                                iban=iban, bic="", signed_on=date(2026, 9, 1),
                                acting_user=regisseur)
        group, invoices = _deposited_group(households)
        run = sepa.debit_run_create(group=group,
                                    collection_date=timezone.localdate() + timedelta(days=14),
                                    acting_user=regisseur)
        type(run).objects.filter(pk=run.pk).update(collection_date=timezone.localdate())
        run.refresh_from_db()
        assert sepa.debit_run_confirm(run=run, acting_user=regisseur) == 2
        return run, invoices


def test_return_after_confirmation_reverses_the_payment(commune_alpha, db):
    regisseur = make_user(commune_alpha, role="regisseur")
    run, (i1, i2) = _confirmed_run(commune_alpha, regisseur)
    with inside(commune_alpha):
        item = DebitItem.objects.get(run=run, invoice=i2)
        payment = item.payment
        assert payment is not None and invoice_paid_cents(i2) == 4520
        # When the bank's rejet arrives after the confirmation
        sepa.debit_return_record(item=item, reason="AM04 provision insuffisante",
                                 acting_user=regisseur)
        # Then the recorded payment is reversed (kept, with a reversal), the invoice due
        item.refresh_from_db()
        assert item.returned_at is not None and item.return_reason.startswith("AM04")
        assert item.payment_id == payment.pk and Payment.objects.filter(pk=payment.pk).exists()
        reversal = PaymentReversal.objects.get(payment=payment)
        assert reversal.reason == "Rejet de prélèvement : AM04 – Provision insuffisante"
        assert invoice_paid_cents(i2) == 0 and invoice_paid_cents(i1) == 4520
        # and reminded exactly once (the reversal reminds; the return does not again)
        assert InvoiceReminder.objects.filter(invoice=i2).count() == 1
        assert not InvoiceReminder.objects.filter(invoice=i1).exists()
        with pytest.raises(ValidationError, match="déjà rejeté"):
            sepa.debit_return_record(item=item, reason="x", acting_user=regisseur)
        assert PaymentReversal.objects.count() == 1
        # The invoice can be presented again in a new run.
        again = sepa.debit_run_create(group=run.group, collection_date=date(2099, 1, 1),
                                      acting_user=regisseur)
        assert [i.invoice_id for i in again.items.all()] == [i2.pk]


def test_return_of_a_payment_already_reversed_by_hand(commune_alpha, db):
    regisseur = make_user(commune_alpha, role="regisseur")
    run, (i1, _i2) = _confirmed_run(commune_alpha, regisseur)
    with inside(commune_alpha):
        from tenant_apps.billing.payments import payment_reverse

        item = DebitItem.objects.get(run=run, invoice=i1)
        payment_reverse(payment=item.payment, reason="Rejet signalé par la banque",
                        acting_user=regisseur)
        sepa.debit_return_record(item=item, reason="MD06", acting_user=regisseur)
        item.refresh_from_db()
        assert item.return_reason == "MD06 – Remboursement demandé par le débiteur"
        assert PaymentReversal.objects.filter(payment=item.payment).count() == 1
        assert InvoiceReminder.objects.filter(invoice=i1).count() == 1


def test_debit_run_page_offers_rejet_on_collected_items_and_counts_honestly(
        commune_alpha, db):
    regisseur = make_user(commune_alpha, role="regisseur")
    run, (i1, i2) = _confirmed_run(commune_alpha, regisseur)
    client = logged_in_client(commune_alpha, regisseur)
    page = f"/gestion/paiements-en-ligne/prelevements/{run.pk}/"
    body = client.get(page).content.decode()
    assert body.count(">Rejet</button>") == 2 and "Encaissé : 2 (90,40" in body
    with inside(commune_alpha):
        item = DebitItem.objects.get(run=run, invoice=i2)
    done = client.post(f"/gestion/paiements-en-ligne/prelevements/lignes/{item.pk}/rejet/",
                       {"reason": "AM04"}, follow=True)
    body = done.content.decode()
    assert "Rejeté après encaissement</span> AM04" in body and "est annulé," in body
    assert "Encaissé : 1 (45,20" in body and "Rejeté après encaissement : 1 (45,20" in body
    assert body.count(">Rejet</button>") == 1
    assert 'list="sepa-return-reasons"' in body and "AC04 – Compte clôturé" in body
    with inside(commune_alpha):
        other = DebitItem.objects.get(run=run, invoice=i1)
    closed = client.post(f"/gestion/paiements-en-ligne/prelevements/lignes/{other.pk}/rejet/",
                         {"reason": "ac04"}, follow=True).content.decode()
    assert "AC04 – Compte clôturé" in closed and "est révoqué" in closed
    assert "demandez un nouveau mandat à la famille" in closed
    reader = logged_in_client(commune_alpha, make_user(commune_alpha, role="read_only"))
    assert ">Rejet</button>" not in reader.get(page).content.decode()
    assert reader.post(f"/gestion/paiements-en-ligne/prelevements/lignes/{item.pk}/rejet/",
                       {"reason": "x"}).status_code == 403


@given(st.text(max_size=200))
def test_any_typed_reason_is_kept_short_and_codes_get_their_label(typed):
    read = sepa_rules.return_reason(typed)
    assert 0 < len(read.text) <= 120
    if read.code:
        assert read.code in sepa_rules.RETURN_REASONS
        assert read.text.startswith(f"{read.code} – {sepa_rules.RETURN_REASONS[read.code]}")
    assert read.mandate_unusable == (read.code in sepa_rules.MANDATE_UNUSABLE_REASONS)


@pytest.mark.parametrize(("typed", "code", "text"), [
    ("am04", "AM04", "AM04 – Provision insuffisante"),
    ("AC04 : compte soldé en octobre", "AC04", "AC04 – Compte clôturé (compte soldé en octobre)"),
    ("AM045", "", "AM045"),
    ("", "", "Rejet bancaire"),
    ("  chèque   perdu ", "", "chèque perdu"),
])
def test_return_reason_examples(typed, code, text):
    read = sepa_rules.return_reason(typed)
    assert (read.code, read.text) == (code, text)


def test_a_closed_account_revokes_the_mandate_and_the_next_run_skips_it(commune_alpha, db):
    from tenant_apps.payments.models import Mandate

    regisseur = make_user(commune_alpha, role="regisseur")
    run, (i1, i2) = _confirmed_run(commune_alpha, regisseur)
    with inside(commune_alpha):
        closed = DebitItem.objects.get(run=run, invoice=i2)
        short = DebitItem.objects.get(run=run, invoice=i1)
        sepa.debit_return_record(item=closed, reason="AC04", acting_user=regisseur)
        sepa.debit_return_record(item=short, reason="AM04", acting_user=regisseur)
        assert Mandate.objects.get(pk=closed.mandate_id).status == "revoked"
        assert Mandate.objects.get(pk=short.mandate_id).status == "active"  # retry is fine
        # the family is told why its direct debit stopped, and how to start it again
        from tenant_apps.outbox.models import OutboxMessage

        told = OutboxMessage.objects.filter(
            idempotency_key=f"sepa-mandate-revoked:{closed.mandate_id}")
        assert told.count() == 1
        assert "AC04 – Compte clôturé" in told[0].body_text
        assert "/paiement/prelevement/" in told[0].body_text
        assert not OutboxMessage.objects.filter(
            idempotency_key=f"sepa-mandate-revoked:{short.mandate_id}").exists()
        again = sepa.debit_run_create(group=run.group, collection_date=date(2099, 1, 1),
                                      acting_user=regisseur)
        assert [i.invoice_id for i in again.items.all()] == [i1.pk]


def test_a_debit_is_returned_on_its_run_page_not_from_its_receipt(commune_alpha, db):
    from tenant_apps.billing.models import PaymentReversal as Reversal

    regisseur = make_user(commune_alpha, role="regisseur")
    run, (i1, _) = _confirmed_run(commune_alpha, regisseur)
    with inside(commune_alpha):
        payment = DebitItem.objects.get(run=run, invoice=i1).payment
    client = logged_in_client(commune_alpha, regisseur)
    receipt = client.get(f"/gestion/facturation/paiements/{payment.pk}/").content.decode()
    assert "Annuler ce paiement" not in receipt and "page des prélèvements" in receipt
    refused = client.post(f"/gestion/facturation/paiements/{payment.pk}/annulation/",
                          {"reason": "Rejet", "reversed_on": timezone.localdate().isoformat()},
                          follow=True)
    assert "s&#x27;enregistre sur la page du prélèvement" in refused.content.decode()
    with inside(commune_alpha):
        assert not Reversal.objects.filter(payment=payment).exists()
