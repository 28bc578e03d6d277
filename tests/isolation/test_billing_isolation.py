"""Billing objects never cross a commune or a household: another commune's invoice, run,
group, deposit, payment or household account answers 404 (and nothing changes); a
guardian never reaches another household's invoice or certificate; a stored invoice PDF
name opened from another commune finds nothing; a billing task run in the wrong schema
touches nothing."""

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from tenant_apps.billing import deposits, runs
from tenant_apps.billing.models import Deposit, Invoice, InvoiceGroup, Payment, PaymentReversal
from tenant_apps.billing.payments import payment_record
from tenant_apps.billing.tasks import invoice_run_compute_task
from tenant_apps.families.models import Guardian
from tests.billing import support
from tests.billing.support import NOV_1, NOV_30
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db
BASE = "/gestion/facturation/"


@pytest.fixture
def alpha_billing(commune_alpha):
    """An issued, deposited invoice of alpha with a payment; returns a dict of objects."""
    regisseur = make_user(commune_alpha, role="regisseur")
    with inside(commune_alpha):
        service = support.service()
        support.tariff(service, regisseur, amount_cents=500)
        household, child = support.family(service)
        other, other_child = support.family(service)
        support.book_days(child, service, household, 2)
        support.book_days(other_child, service, other, 2)
        run = runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30,
                                      acting_user=regisseur, dispatch=False)
        runs.invoice_run_compute(run=run, acting_user=regisseur)
        runs.invoice_run_start_issue(run=run, acting_user=regisseur, dispatch=False)
        runs.invoice_run_issue(run=run, acting_user=regisseur)
        invoice = Invoice.objects.get(household=household)
        group = InvoiceGroup.objects.get(run=run)
        deposit = deposits.deposit_create(group=group, acting_user=regisseur, dispatch=False)
        payment = payment_record(household=household, method="cash", amount_cents=100,
                                 received_on=timezone.localdate(), acting_user=regisseur)
        return {"run": run, "invoice": invoice, "group": group, "deposit": deposit,
                "payment": payment, "household": household, "other": other,
                "other_invoice": Invoice.objects.get(household=other)}


def test_another_communes_billing_objects_are_404(commune_alpha, commune_beta, alpha_billing):
    objects = alpha_billing
    beta = logged_in_client(commune_beta, make_user(commune_beta, role="regisseur"))
    pages = [
        f"{BASE}factures/{objects['invoice'].pk}/",
        f"{BASE}factures/{objects['invoice'].pk}/pdf/",
        f"{BASE}campagnes/{objects['run'].pk}/",
        f"{BASE}campagnes/{objects['run'].pk}/progression/",
        f"{BASE}groupes/{objects['group'].pk}/",
        f"{BASE}depots/{objects['deposit'].pk}/export/",
        f"{BASE}paiements/{objects['payment'].pk}/",
        f"{BASE}foyers/{objects['household'].pk}/",
        f"{BASE}foyers/{objects['household'].pk}/paiement/",
        f"{BASE}foyers/{objects['household'].pk}/attestation/2026/",
    ]
    with inside(commune_beta):
        assert not Invoice.objects.exists()  # so the ids below can only be alpha's
    for page in pages:
        assert beta.get(page).status_code == 404, page
    for action in (f"factures/{objects['invoice'].pk}/avoir/",
                   f"factures/{objects['invoice'].pk}/relance/",
                   f"groupes/{objects['group'].pk}/deposer/",
                   f"campagnes/{objects['run'].pk}/supprimer/",
                   f"foyers/{objects['household'].pk}/recharger/",
                   f"paiements/{objects['payment'].pk}/annulation/"):
        assert beta.post(BASE + action, {"reason": "x", "amount": "1", "method": "cash",
                                         "reversed_on": "2026-11-02"}).status_code == 404, action
    with inside(commune_alpha):
        assert Invoice.objects.filter(credited_invoice=objects["invoice"]).count() == 0
        assert Deposit.objects.filter(pk=objects["deposit"].pk).exists()
        assert Payment.objects.filter(household=objects["household"]).count() == 1
        assert not PaymentReversal.objects.exists()


def test_guardian_reaches_only_their_household(commune_alpha, commune_beta, alpha_billing):
    parent = make_user(commune_alpha, role="guardian")
    with inside(commune_alpha):
        Guardian.objects.filter(household=alpha_billing["household"]).update(user=parent)
    client = logged_in_client(commune_alpha, parent)
    assert client.get(f"/factures/{alpha_billing['invoice'].pk}/pdf/").status_code == 200
    assert client.get(f"/factures/{alpha_billing['other_invoice'].pk}/pdf/").status_code == 404
    assert client.get(f"/factures/attestation/{alpha_billing['other'].pk}/2026/"
                      ).status_code == 404
    beta_parent = logged_in_client(commune_beta, make_user(commune_beta, role="guardian"))
    assert beta_parent.get(f"/factures/{alpha_billing['invoice'].pk}/pdf/").status_code == 404
    assert alpha_billing["other_invoice"].number not in client.get("/factures/").content.decode()


def test_stored_files_and_tasks_stay_in_their_commune(commune_alpha, commune_beta,
                                                     alpha_billing):
    invoice, deposit = alpha_billing["invoice"], alpha_billing["deposit"]
    with inside(commune_alpha):
        assert default_storage.exists(invoice.pdf_file)
        assert default_storage.exists(deposit.export_file)
    with inside(commune_beta):
        assert not default_storage.exists(invoice.pdf_file)
        assert not default_storage.exists(deposit.export_file)
        # the compute task of alpha's run, delivered in beta's schema, finds no run there
        assert invoice_run_compute_task.run(alpha_billing["run"].pk) == 0
    with inside(commune_alpha):
        assert Invoice.objects.filter(run=alpha_billing["run"]).count() == 2
