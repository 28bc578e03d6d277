"""Online payments never cross a commune or a household: a notification (or a return)
for one commune's idOp, replayed on another commune's host, credits nothing anywhere;
another commune's operation answers 404 in the back office and nothing changes; a
guardian cannot start paying another household's invoice; the reconciliation task of
one commune never touches another's operations."""

import pytest
from django.test import Client

from tenant_apps.billing.models import Payment
from tenant_apps.payments.models import PayfipOperation
from tenant_apps.payments.services import payfip_payment_start, payfip_reconcile_pending
from tests.conftest import host_of, inside, logged_in_client, make_user
from tests.payments import support
from tests.payments.conftest import payfip_simulator, simulator  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
BASE = "/gestion/paiements-en-ligne/"


@pytest.fixture
def alpha_paid_at_provider(commune_alpha, simulator):  # noqa: F811
    """An alpha operation the provider says is paid, still pending on our side."""
    simulator.configure(deliver="queue")
    with inside(commune_alpha):
        support.enable_payfip()
        invoice = support.issued_invoice()
        user = support.guardian_user(commune_alpha, invoice.household)
        operation, _ = payfip_payment_start(invoice=invoice, acting_user=user)
    simulator.choose(operation.id_op, "payer")
    return operation


def test_a_notification_on_another_communes_host_credits_nothing(
        commune_alpha, commune_beta, alpha_paid_at_provider):
    id_op = alpha_paid_at_provider.id_op
    beta = Client(HTTP_HOST=host_of(commune_beta))
    for field in ("idop", "idOp"):
        assert beta.post("/paiement/notification/", {field: id_op}).status_code == 200
        assert beta.get(f"/paiement/notification/?{field}={id_op}").status_code == 200
    page = beta.get(f"/paiement/retour/?idop={id_op}").content.decode()
    assert "ne retrouvons pas" in page
    with inside(commune_beta):
        assert not PayfipOperation.objects.exists() and not Payment.objects.exists()
    with inside(commune_alpha):
        operation = PayfipOperation.objects.get(pk=alpha_paid_at_provider.pk)
        assert operation.status == "pending" and operation.payment_id is None
        assert not Payment.objects.filter(household_id=operation.household_id).exists()


def test_another_communes_operation_is_404_in_the_back_office(
        commune_alpha, commune_beta, alpha_paid_at_provider):
    beta = logged_in_client(commune_beta, make_user(commune_beta, role="administrator"))
    pk = alpha_paid_at_provider.pk
    with inside(commune_beta):
        assert not PayfipOperation.objects.filter(pk=pk).exists()
    assert beta.get(f"{BASE}{pk}/").status_code == 404
    for action in ("verifier", "traitee"):
        assert beta.post(f"{BASE}{pk}/{action}/").status_code == 404
    with inside(commune_alpha):
        operation = PayfipOperation.objects.get(pk=pk)
        assert operation.status == "pending" and operation.checks_count == 0


def test_a_guardian_cannot_pay_another_households_invoice(commune_alpha, simulator):  # noqa: F811
    with inside(commune_alpha):
        support.enable_payfip()
        mine = support.issued_invoice()
        other = support.issued_invoice()
        user = support.guardian_user(commune_alpha, mine.household)
    client = logged_in_client(commune_alpha, user)
    assert client.post(f"/paiement/facture/{other.pk}/").status_code == 404
    page = client.get(f"/paiement/retour/?idop=anything{other.pk}")
    assert page.status_code == 200
    with inside(commune_alpha):
        assert not PayfipOperation.objects.filter(invoice=other).exists()


def test_a_return_shows_details_only_to_the_households_guardian(
        commune_alpha, alpha_paid_at_provider):
    with inside(commune_alpha):
        stranger = support.guardian_user(commune_alpha, support.issued_invoice().household)
    page = logged_in_client(commune_alpha, stranger).get(
        f"/paiement/retour/?idop={alpha_paid_at_provider.id_op}").content.decode()
    assert "Paiement confirmé" in page and "23,10" not in page


def test_reconciliation_in_one_commune_touches_no_other(
        commune_alpha, commune_beta, alpha_paid_at_provider):
    with inside(commune_beta):
        assert payfip_reconcile_pending() == {}
    with inside(commune_alpha):
        assert PayfipOperation.objects.get(pk=alpha_paid_at_provider.pk).status == "pending"


def test_another_communes_mandates_and_debit_runs_are_404(commune_alpha, commune_beta, db):
    from datetime import date

    from tenant_apps.billing.models import InvoiceGroup
    from tenant_apps.payments.models import DebitItem, DebitRun, Mandate
    from tenant_apps.payments.sepa import mandate_create

    regisseur = make_user(commune_alpha, role="regisseur")
    with inside(commune_alpha):
        invoice = support.issued_invoice()
        mandate = mandate_create(household=invoice.household, holder_name="Alex",
                                 iban="FR7630006000011234567890189", bic="",
                                 signed_on=date(2026, 9, 1), acting_user=regisseur)
        group = InvoiceGroup.objects.create(label="g", period_start=date(2026, 10, 1),
                                            period_end=date(2026, 10, 31))
        run = DebitRun.objects.create(group=group, collection_date=date(2026, 12, 1),
                                      file_xml="<Document/>")
        item = DebitItem.objects.create(run=run, invoice=invoice, mandate=mandate,
                                        amount_cents=100, sequence="FRST", end_to_end_id="E1")
    beta = logged_in_client(commune_beta, make_user(commune_beta, role="administrator"))
    with inside(commune_beta):
        assert not DebitRun.objects.filter(pk=run.pk).exists()
    for page in (f"{BASE}prelevements/{run.pk}/", f"{BASE}prelevements/{run.pk}/fichier/"):
        assert beta.get(page).status_code == 404, page
    for action in (f"prelevements/{run.pk}/confirmer/", f"prelevements/lignes/{item.pk}/rejet/",
                   f"mandats/{mandate.pk}/revoquer/", f"mandats/{mandate.pk}/valider/"):
        assert beta.post(BASE + action, {"signed_on": "2026-11-01"}).status_code == 404, action
    with inside(commune_alpha):
        assert Mandate.objects.get(pk=mandate.pk).status == "active"
        assert DebitItem.objects.get(pk=item.pk).returned_at is None
