"""The PayFiP flow against the real simulator process: start, pay, notification and
return, refusal, abandon, anomalies, forged and late notifications, provider faults."""

import urllib.parse

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tenant_apps.billing.models import Invoice, Payment, PaymentAllocation
from tenant_apps.billing.selectors import invoice_paid_cents
from tenant_apps.outbox.models import OutboxMessage
from tenant_apps.payments.models import PayfipCall, PayfipOperation
from tenant_apps.payments.services import (
    payfip_operation_settle,
    payfip_payment_start,
    payfip_reconcile_pending,
)
from tests.conftest import host_of, inside, logged_in_client
from tests.payments import support

pytestmark = pytest.mark.django_db


def _start(commune, total_cents=2310):  # type: ignore[no-untyped-def]
    invoice = support.issued_invoice(total_cents=total_cents)
    user = support.guardian_user(commune, invoice.household)
    operation, url = payfip_payment_start(invoice=invoice, acting_user=user)
    return invoice, user, operation, url


def _notify(commune, id_op: str) -> int:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(commune))
    return client.post("/paiement/notification/", {"idop": id_op}).status_code


def test_start_stores_the_operation_pending_and_marks_the_invoice(alpha_payfip, simulator):
    with inside(alpha_payfip):
        invoice, user, operation, url = _start(alpha_payfip)
        operation.refresh_from_db()
        assert operation.status == "pending" and operation.id_op
        assert operation.amount_cents == 2310 and operation.email == user.email
        assert url == f"{simulator.page_url}?idop={operation.id_op}"
        invoice.refresh_from_db()
        assert invoice.payment_pending_since is not None
    sent = simulator.tamper(operation.id_op)["fields"]
    assert sent["montant"] == "2310" and sent["numcli"] == "123456" and sent["saisie"] == "T"
    assert sent["refdet"] == operation.refdet
    assert sent["urlnotif"].endswith("/paiement/notification/")
    assert urllib.parse.urlsplit(sent["urlnotif"]).hostname == host_of(alpha_payfip)


def test_paid_then_notified_credits_once_and_emails_the_parent(alpha_payfip, simulator):
    simulator.configure(deliver="queue", duplicate_rate=1.0)
    with inside(alpha_payfip):
        invoice, user, operation, _ = _start(alpha_payfip)
    back = simulator.choose(operation.id_op, "payer")
    queued = simulator.notifications()
    assert len(queued) == 2  # duplicated on purpose
    for note in queued:
        assert _notify(alpha_payfip, note["idop"]) == 200
    client = logged_in_client(alpha_payfip, user)
    page = client.get(urllib.parse.urlsplit(back).path + "?" + urllib.parse.urlsplit(back).query)
    assert "Paiement confirmé" in page.content.decode()
    assert "23,10" in page.content.decode()
    with inside(alpha_payfip):
        operation.refresh_from_db()
        assert operation.status == "paid" and operation.payment is not None
        assert operation.payment.reference == f"PayFiP {operation.id_op}"
        assert Payment.objects.filter(household=invoice.household).count() == 1
        assert invoice_paid_cents(invoice) == 2310
        assert PaymentAllocation.objects.get(invoice=invoice).amount_cents == 2310
        invoice.refresh_from_db()
        assert invoice.payment_pending_since is None
        emails = OutboxMessage.objects.filter(
            idempotency_key=f"payfip-confirmation:{operation.id_op}")
        assert emails.count() == 1 and emails[0].recipients == [user.email]
        assert "23,10 €" in emails[0].body_text


def test_refused_and_abandoned_put_the_invoice_back_to_registered(alpha_payfip, simulator):
    simulator.configure(deliver="queue")
    for choice, status in (("refuser", "refused"), ("abandonner", "abandoned")):
        with inside(alpha_payfip):
            invoice, user, operation, _ = _start(alpha_payfip)
        simulator.choose(operation.id_op, choice)
        (note,) = simulator.notifications()
        _notify(alpha_payfip, note["idop"])
        with inside(alpha_payfip):
            operation.refresh_from_db()
            invoice.refresh_from_db()
            assert operation.status == status and operation.payment is None
            assert invoice.payment_pending_since is None
            assert invoice_paid_cents(invoice) == 0


def test_refuse_switch_of_the_simulator_makes_payer_fail(alpha_payfip, simulator):
    simulator.configure(deliver="queue", refuse=True)
    with inside(alpha_payfip):
        _, user, operation, _ = _start(alpha_payfip)
    back = simulator.choose(operation.id_op, "payer")
    page = logged_in_client(alpha_payfip, user).get("/paiement/retour/?" +
                                                    urllib.parse.urlsplit(back).query)
    assert "Paiement refusé" in page.content.decode()


def test_amount_mismatch_is_an_anomaly_and_credits_nothing(alpha_payfip, simulator):
    simulator.configure(deliver="queue")
    with inside(alpha_payfip):
        invoice, _, operation, _ = _start(alpha_payfip)
    simulator.choose(operation.id_op, "payer")
    simulator.tamper(operation.id_op, montant="999")
    with inside(alpha_payfip):
        settled = payfip_operation_settle(operation=operation)
        assert settled.status == "anomaly" and settled.payment is None
        assert "Montant différent" in settled.anomaly
        assert invoice_paid_cents(invoice) == 0
        assert not Payment.objects.filter(household=invoice.household).exists()
    page = logged_in_client(alpha_payfip, support_agent(alpha_payfip)).get(
        "/gestion/paiements-en-ligne/?etat=anomalies")
    assert "Montant différent" in page.content.decode()


def support_agent(commune):  # type: ignore[no-untyped-def]
    from tests.conftest import make_user

    return make_user(commune, role="regisseur")


def test_payment_for_an_invoice_settled_meanwhile_is_an_anomaly(alpha_payfip, simulator):
    simulator.configure(deliver="queue")
    with inside(alpha_payfip):
        invoice, _, operation, _ = _start(alpha_payfip)
        from tenant_apps.billing.payments import payment_record
        from tenant_apps.payments.crediting import payfip_actor

        payment_record(household=invoice.household, method="cash", amount_cents=2310,
                       received_on=invoice.due_on.replace(month=11, day=1),
                       invoice=invoice, acting_user=payfip_actor())
    simulator.choose(operation.id_op, "payer")
    with inside(alpha_payfip):
        settled = payfip_operation_settle(operation=operation)
        assert settled.status == "anomaly" and settled.payment is None
        assert "réglée entre-temps" in settled.anomaly
        assert Payment.objects.filter(household=invoice.household).count() == 1


def test_forged_notifications_credit_nothing(alpha_payfip, simulator):
    simulator.configure(deliver="queue")
    with inside(alpha_payfip):
        invoice, _, operation, _ = _start(alpha_payfip)
    # Unknown, malformed, missing idop: 200, nothing happens; a real but unpaid idOp:
    # the provider says "no result yet" (P5), so it stays pending.
    for forged in ("inconnu123", "<script>", "", "x" * 500, operation.id_op):
        assert _notify(alpha_payfip, forged) == 200
    with inside(alpha_payfip):
        operation.refresh_from_db()
        assert operation.status == "pending"
        assert not Payment.objects.exists() or invoice_paid_cents(invoice) == 0


def test_late_notification_after_reconciliation_credits_nothing_twice(alpha_payfip, simulator):
    simulator.configure(deliver="queue")
    with inside(alpha_payfip):
        invoice, _, operation, _ = _start(alpha_payfip)
    simulator.choose(operation.id_op, "payer")
    late = simulator.notifications()
    with inside(alpha_payfip):
        from datetime import timedelta

        assert payfip_reconcile_pending(older_than=timedelta(0)) == {"paid": 1}
    lookups = simulator.state()["counters"]["lookups"]
    for note in late * 3:
        _notify(alpha_payfip, note["idop"])
    assert simulator.state()["counters"]["lookups"] == lookups  # final: not asked again
    with inside(alpha_payfip):
        assert Payment.objects.filter(household=invoice.household).count() == 1
        assert invoice_paid_cents(invoice) == 2310


def test_refusals_of_start_are_french_messages(alpha_payfip, simulator):
    with inside(alpha_payfip):
        invoice, user, operation, _ = _start(alpha_payfip)
        with pytest.raises(ValidationError, match="déjà en cours"):
            payfip_payment_start(invoice=invoice, acting_user=user)
        draft = support.issued_invoice()
        Invoice.objects.filter(pk=draft.pk).update(status="cancelled")
        draft.refresh_from_db()
        with pytest.raises(ValidationError, match="ne peut pas être payée"):
            payfip_payment_start(invoice=draft, acting_user=user)
        small = support.issued_invoice(total_cents=50)
        with pytest.raises(ValidationError, match="1,00 €"):
            payfip_payment_start(invoice=small, acting_user=user)


def test_provider_down_or_slow_refuses_cleanly_and_keeps_pending(alpha_payfip, simulator,
                                                                 settings):
    simulator.configure(create_fault="P9")
    with inside(alpha_payfip):
        invoice = support.issued_invoice()
        user = support.guardian_user(alpha_payfip, invoice.household)
        with pytest.raises(ValidationError, match="ne répond pas"):
            payfip_payment_start(invoice=invoice, acting_user=user)
        invoice.refresh_from_db()
        assert invoice.payment_pending_since is None
    simulator.configure(create_fault="", deliver="queue")
    with inside(alpha_payfip):
        _, _, operation, _ = _start(alpha_payfip)
    simulator.choose(operation.id_op, "payer")
    settings.PAYFIP_TIMEOUT_S = 0.5
    simulator.configure(timeout_s=1.5)
    with inside(alpha_payfip):
        settled = payfip_operation_settle(operation=operation)
        assert settled.status == "pending" and settled.payment is None
    simulator.configure(timeout_s=0)
    settings.PAYFIP_TIMEOUT_S = 3
    with inside(alpha_payfip):
        assert payfip_operation_settle(operation=settled).status == "paid"


def test_unknown_id_op_at_the_provider_expires(alpha_payfip, simulator):
    with inside(alpha_payfip):
        _, _, operation, _ = _start(alpha_payfip)
        PayfipOperation.objects.filter(pk=operation.pk).update(id_op="purged0001")
        operation.refresh_from_db()
        assert payfip_operation_settle(operation=operation).status == "expired"


def test_portal_button_posts_and_lands_on_the_provider(alpha_payfip, simulator):
    with inside(alpha_payfip):
        invoice = support.issued_invoice()
        user = support.guardian_user(alpha_payfip, invoice.household)
    client = logged_in_client(alpha_payfip, user)
    page = client.post(f"/paiement/facture/{invoice.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert simulator.page_url in html and "Continuer vers le paiement sécurisé" in html
    with inside(alpha_payfip):
        assert PayfipOperation.objects.filter(invoice=invoice, status="pending").count() == 1
    again = client.post(f"/paiement/facture/{invoice.pk}/", follow=True)
    assert "déjà en cours" in again.content.decode()


def test_repeated_notifications_and_returns_ask_the_provider_once_per_window(
        alpha_payfip, simulator, monkeypatch):
    """Anyone may call these URLs with a known idOp: a burst costs one provider lookup;
    the reconciliation job still asks, and credits the payment."""
    from datetime import timedelta

    from tenant_apps.payments import rules

    # A window no slow machine can outlast during the burst.
    monkeypatch.setattr(rules, "UNSOLICITED_LOOKUP_WINDOW", timedelta(hours=1))
    simulator.configure(deliver="queue")
    with inside(alpha_payfip):
        invoice, _, operation, _ = _start(alpha_payfip)
    anonymous = Client(HTTP_HOST=host_of(alpha_payfip))
    for _ in range(5):
        assert _notify(alpha_payfip, operation.id_op) == 200
        assert anonymous.get(f"/paiement/retour/?idop={operation.id_op}").status_code == 200
    with inside(alpha_payfip):
        # Our log of provider lookups for this operation (the simulator's counter is
        # shared with whatever else this worker's simulator serves).
        asked = PayfipCall.objects.filter(operation=operation,
                                          action__startswith="recupererDetail").count()
    assert asked == 1  # not paid yet: pending
    simulator.choose(operation.id_op, "payer")
    with inside(alpha_payfip):
        assert payfip_reconcile_pending(older_than=timedelta(0)) == {"paid": 1}
        assert invoice_paid_cents(invoice) == 2310
