"""Back office of online payments: who sees and does what, the bulk reconciliation,
the settings form (administrator only), anomalies with what to do; the prepaid top-up."""

import pytest

from tenant_apps.payments.models import PayfipOperation, PayfipSettings
from tenant_apps.payments.services import payfip_payment_start
from tests.conftest import inside, logged_in_client, make_user
from tests.payments import support

pytestmark = pytest.mark.django_db
BASE = "/gestion/paiements-en-ligne/"


def test_agents_see_operations_and_reconcile_in_bulk(alpha_payfip, simulator):
    simulator.configure(deliver="queue", drop_rate=1.0)
    with inside(alpha_payfip):
        ops = []
        for _ in range(3):
            invoice = support.issued_invoice()
            user = support.guardian_user(alpha_payfip, invoice.household)
            ops.append(payfip_payment_start(invoice=invoice, acting_user=user)[0])
    for op in ops:
        simulator.choose(op.id_op, "payer")
    regisseur = logged_in_client(alpha_payfip, make_user(alpha_payfip, role="regisseur"))
    page = regisseur.get(BASE + "?etat=attente").content.decode()
    assert "Rapprocher maintenant" in page and ops[0].refdet[:5] and "23,10" in page
    done = regisseur.post(BASE + "rapprocher/", follow=True).content.decode()
    assert "3 opérations vérifiées" in done
    with inside(alpha_payfip):
        assert PayfipOperation.objects.filter(status="paid").count() == 3
    detail = regisseur.get(f"{BASE}{ops[0].pk}/").content.decode()
    assert "Reçu" in detail and "recupererDetail (rapprochement)" in detail

    reader = logged_in_client(alpha_payfip, make_user(alpha_payfip, role="read_only"))
    assert reader.get(BASE).status_code == 200
    assert reader.post(BASE + "rapprocher/").status_code == 403
    animateur = logged_in_client(alpha_payfip, make_user(alpha_payfip, role="animateur"))
    assert animateur.get(BASE).status_code == 403


def test_anomaly_is_shown_with_what_to_do_and_can_be_marked_resolved(alpha_payfip, simulator):
    simulator.configure(deliver="queue")
    with inside(alpha_payfip):
        invoice = support.issued_invoice()
        user = support.guardian_user(alpha_payfip, invoice.household)
        op, _ = payfip_payment_start(invoice=invoice, acting_user=user)
    simulator.choose(op.id_op, "payer")
    simulator.tamper(op.id_op, montant="100")
    regisseur = logged_in_client(alpha_payfip, make_user(alpha_payfip, role="regisseur"))
    regisseur.post(f"{BASE}{op.pk}/verifier/")
    listing = regisseur.get(BASE).content.decode()
    assert "1 anomalie à traiter" in listing and "rembourser" in listing
    regisseur.post(f"{BASE}{op.pk}/traitee/")
    with inside(alpha_payfip):
        op.refresh_from_db()
        assert op.resolved_at is not None and op.payment_id is None
    assert "anomalie à traiter" not in regisseur.get(BASE).content.decode()


def test_only_an_administrator_changes_the_settings(commune_alpha, simulator, db):
    admin = logged_in_client(commune_alpha, make_user(commune_alpha, role="administrator"))
    bad = admin.post(BASE + "parametres/", {"enabled": "on", "client_number": "12a",
                                            "mode": "T", "label_prefix": "Cantine"})
    assert "exactement 6 chiffres" in bad.content.decode()
    ok = admin.post(BASE + "parametres/", {"enabled": "on", "client_number": "654321",
                                           "mode": "X", "label_prefix": "Cantine"}, follow=True)
    assert "PayFiP reconnaît ce client" in ok.content.decode()
    with inside(commune_alpha):
        row = PayfipSettings.objects.get()
        assert (row.enabled, row.client_number, row.mode) == (True, "654321", "X")
    regisseur = logged_in_client(commune_alpha, make_user(commune_alpha, role="regisseur"))
    assert "654321" in regisseur.get(BASE + "parametres/").content.decode()
    assert regisseur.post(BASE + "parametres/", {"client_number": "111111", "mode": "W",
                                                 "label_prefix": "x"}).status_code == 403
    with inside(commune_alpha):
        assert PayfipSettings.objects.get().client_number == "654321"


def test_portal_shows_the_pay_button_only_when_enabled(alpha_payfip, simulator):
    with inside(alpha_payfip):
        invoice = support.issued_invoice()
        user = support.guardian_user(alpha_payfip, invoice.household)
    client = logged_in_client(alpha_payfip, user)
    assert "Payer en ligne" in client.get("/factures/").content.decode()
    with inside(alpha_payfip):
        PayfipSettings.objects.update(enabled=False)
    assert "Payer en ligne" not in client.get("/factures/").content.decode()
    assert client.post(f"/paiement/facture/{invoice.pk}/", follow=True).status_code == 200
    with inside(alpha_payfip):
        assert not PayfipOperation.objects.exists()


def test_prepaid_top_up_through_the_same_flow(alpha_payfip, simulator):
    from tenant_apps.billing.selectors import prepaid_balance_cents
    from tenants.models import Commune

    Commune.objects.filter(pk=alpha_payfip.pk).update(billing_mode="prepaid")
    alpha_payfip.refresh_from_db()
    simulator.configure(deliver="queue")
    with inside(alpha_payfip):
        household = support.issued_invoice().household
        user = support.guardian_user(alpha_payfip, household)
    client = logged_in_client(alpha_payfip, user)
    assert "Montant illisible" in client.post("/paiement/rechargement/",
                                              {"amount": "abc"}).content.decode()
    assert "1 000,00" in client.post("/paiement/rechargement/",
                                     {"amount": "5000"}).content.decode()
    page = client.post("/paiement/rechargement/", {"amount": "30,00"})
    assert simulator.page_url in page.content.decode()
    with inside(alpha_payfip):
        op = PayfipOperation.objects.get(kind="top_up")
    simulator.choose(op.id_op, "payer")
    for _ in range(2):
        client.get(f"/paiement/retour/?idop={op.id_op}")
    with inside(alpha_payfip):
        op.refresh_from_db()
        assert op.status == "paid" and op.ledger_entry is not None
        assert prepaid_balance_cents(household.pk) == 3000


def test_the_reconciliation_task_repairs_a_lost_notification(alpha_payfip, simulator,
                                                             settings):
    from tenant_apps.payments.tasks import fan_out_payfip_reconcile, payfip_reconcile_task

    entry = settings.CELERY_BEAT_SCHEDULE["payfip-reconcile"]
    assert entry["task"] == fan_out_payfip_reconcile.name and entry["schedule"] == 300
    simulator.configure(deliver="queue", drop_rate=1.0)
    with inside(alpha_payfip):
        invoice = support.issued_invoice()
        user = support.guardian_user(alpha_payfip, invoice.household)
        op, _ = payfip_payment_start(invoice=invoice, acting_user=user)
    simulator.choose(op.id_op, "payer")
    assert simulator.notifications() == []  # lost
    with inside(alpha_payfip):
        assert payfip_reconcile_task() == {"paid": 1}
        op.refresh_from_db()
        assert op.status == "paid"


def test_payfip_enable_command(commune_alpha, db):
    from django.core.management import call_command

    call_command("payfip_enable", "alpha", "--numcli", "222333", "--mode", "X")
    with inside(commune_alpha):
        row = PayfipSettings.objects.get()
        assert (row.enabled, row.client_number, row.mode) == (True, "222333", "X")
