"""A parent pays an invoice online, end to end: "Mes factures" → "Payer en ligne" → the
PayFiP simulator's payment page → "Payer" → back on the portal, "Paiement confirmé"; the
simulator's server-to-server notification reaches the real application over HTTP.

The application server here is this module's own gunicorn (the `server` fixture is
overridden) so that it talks to this module's simulator process."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role
from tenant_apps.billing.models import Invoice, Payment, PaymentAllocation
from tenant_apps.families.models import Guardian, Household
from tenant_apps.outbox.models import OutboxMessage
from tenant_apps.payments.models import PayfipCall, PayfipOperation, PayfipSettings
from tests.conftest import inside, make_user
from tests.e2e.support import ROOT, Server, shoot, unique_email
from tests.payments.support import Simulator, free_port, simulator_process

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
PASSWORD = "Parent-Paie-9!x"


@pytest.fixture(scope="module")
def payfip_sim() -> Iterator[Simulator]:
    with simulator_process() as simulator:
        yield simulator


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, payfip_sim) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    """gunicorn on the test database, pointed at this module's PayFiP simulator."""
    db_name = connection.settings_dict["NAME"]
    assert db_name.startswith("test_")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
           "BASE_DOMAIN": f"localhost:{port}", "DEBUG": "false",
           "CACHE_KEY_PREFIX": f"e2e-{uuid.uuid4().hex[:8]}",
           "DJANGO_SETTINGS_MODULE": "config.settings",
           "PAYFIP_WS_URL": payfip_sim.ws_url, "PAYFIP_PAYMENT_URL": payfip_sim.page_url}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", "2", "--threads", "4", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                probe = urllib.request.Request(  # noqa: S310
                    f"http://127.0.0.1:{port}/healthz", headers={"Host": f"ops.localhost:{port}"})
                with urllib.request.urlopen(probe, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield Server(port=port)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
        with django_db_blocker.unblock():
            connection.close()


@pytest.fixture
def unpaid_invoice(commune_alpha) -> Iterator[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Committed: a parent account, its household and an issued invoice of 23,10 €;
    PayFiP enabled in alpha (test mode). Removed afterwards."""
    email = unique_email("payeur")
    parent = make_user(commune_alpha, role=Role.GUARDIAN, email=email, password=PASSWORD)
    with inside(commune_alpha):
        household = Household.objects.create(name="Kerhervé e2e", city="Lannion")
        Guardian.objects.create(household=household, user=parent, first_name="Maël",
                                last_name="Kerhervé", email=email)
        sequence = 800_000 + uuid.uuid4().int % 100_000
        invoice = Invoice.objects.create(
            household=household, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
            status="issued", number=f"F2026-{sequence:06d}", year=2026, sequence=sequence,
            total_cents=2310, household_name=household.name, issued_at=timezone.now(),
            due_on=date(2026, 11, 30))
        previous = PayfipSettings.objects.filter(singleton=True).first()
        PayfipSettings.objects.update_or_create(singleton=True, defaults={
            "enabled": True, "client_number": "123456", "mode": "T"})
    yield {"email": email, "invoice": invoice, "household": household}
    with inside(commune_alpha), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # issued rows are immutable
        try:
            operations = PayfipOperation.objects.filter(household=household)
            payment_ids = list(operations.values_list("payment_id", flat=True))
            PayfipCall.objects.filter(operation__in=operations).delete()
            keys = [f"payfip-confirmation:{i}" for i in operations.values_list("id_op", flat=True)]
            OutboxMessage.objects.filter(idempotency_key__in=keys).delete()
            operations.delete()
            PaymentAllocation.objects.filter(invoice=invoice).delete()
            Payment.objects.filter(pk__in=[p for p in payment_ids if p]).delete()
            Invoice.objects.filter(pk=invoice.pk).delete()
            Guardian.objects.filter(household=household).delete()
            household.delete()
            if previous is None:
                PayfipSettings.objects.all().delete()
            else:
                previous.save()
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


def test_parent_pays_an_invoice_end_to_end(page, server, payfip_sim, commune_alpha,
                                          unpaid_invoice):
    payfip_sim.reset()
    invoice = unpaid_invoice["invoice"]
    page.goto(server.url("alpha", "/connexion/?next=/factures/"))
    page.get_by_label("Courriel").fill(str(unpaid_invoice["email"]))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes factures")).to_be_visible()
    expect(page.get_by_text("Enregistré", exact=True)).to_be_visible()
    shoot(page, "payfip-1-mes-factures")

    page.get_by_role("button", name=f"Payer en ligne la facture {invoice.number}").click()
    expect(page.get_by_role("heading", name="Paiement de 23,10 €")).to_be_visible()
    page.wait_for_url(f"{payfip_sim.page_url}*")
    expect(page.get_by_text("Mode TEST")).to_be_visible()
    shoot(page, "payfip-2-page-de-paiement")
    with inside(commune_alpha):
        operation = PayfipOperation.objects.get(invoice_id=invoice.pk)
        assert operation.status == "pending"
        assert Invoice.objects.get(pk=invoice.pk).payment_pending_since is not None

    page.get_by_role("button", name="Payer 23,10 €").click()
    expect(page.get_by_role("heading", name="Paiement confirmé")).to_be_visible()
    expect(page.get_by_text(f"pour la facture {invoice.number}")).to_be_visible()
    shoot(page, "payfip-3-paiement-confirme")

    page.get_by_role("link", name="Voir mes factures").click()
    expect(page.get_by_text("Payé", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=f"Payer en ligne la facture {invoice.number}")
           ).to_have_count(0)
    shoot(page, "payfip-4-facture-payee")

    deadline = time.monotonic() + 10  # the notification arrives on its own thread
    while payfip_sim.state()["counters"].get("notifications_delivered", 0) < 1:
        assert time.monotonic() < deadline, payfip_sim.state()
        time.sleep(0.2)
    with inside(commune_alpha):
        operation.refresh_from_db()
        assert operation.status == "paid"
        assert Payment.objects.filter(household_id=operation.household_id).count() == 1
        assert PayfipCall.objects.filter(operation=operation, action="notification").exists()
        assert OutboxMessage.objects.filter(
            idempotency_key=f"payfip-confirmation:{operation.id_op}").count() == 1


def test_agent_pages_and_parent_mandate_request(page, server, commune_alpha, unpaid_invoice):
    """Screenshots of the back-office pages (an anomaly with what to do, the settings,
    SEPA) and of the parent's direct-debit request."""
    admin_email = unique_email("admin-paiement")
    make_user(commune_alpha, role=Role.ADMINISTRATOR, email=admin_email, password=PASSWORD)
    invoice = unpaid_invoice["invoice"]
    with inside(commune_alpha):
        PayfipOperation.objects.create(
            household_id=invoice.household_id, invoice=invoice, id_op=uuid.uuid4().hex,
            refdet=f"E2E{uuid.uuid4().hex[:10]}", exer="2026", numcli="123456", mode="T",
            amount_cents=2310, email=str(unpaid_invoice["email"]), status="anomaly",
            anomaly="Paiement annoncé par PayFiP mais différent de la demande : Montant "
                    "différent : demandé 2310, PayFiP indique 2300. Rien n'a été crédité.")
    page.goto(server.url("alpha", "/gestion/connexion/?next=/gestion/paiements-en-ligne/"))
    page.get_by_label("Courriel").fill(admin_email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Paiements en ligne (PayFiP)")).to_be_visible()
    expect(page.get_by_text("1 anomalie à traiter.")).to_be_visible()
    shoot(page, "payfip-5-gestion-operations")
    page.get_by_role("link", name="Paramètres PayFiP").click()
    expect(page.get_by_label("Numéro client PayFiP (numcli)")).to_have_value("123456")
    shoot(page, "payfip-6-gestion-parametres")
    page.get_by_role("link", name="Prélèvements SEPA").click()
    expect(page.get_by_role("heading", name="Prélèvements SEPA")).to_be_visible()
    shoot(page, "payfip-7-gestion-prelevements")

    page.context.clear_cookies()
    page.goto(server.url("alpha", "/connexion/?next=/paiement/prelevement/"))
    page.get_by_label("Courriel").fill(str(unpaid_invoice["email"]))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Titulaire du compte").fill("Maël Kerhervé")
    page.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("en attente de validation par la régie")).to_be_visible()
    shoot(page, "payfip-8-portail-prelevement")
    with inside(commune_alpha), connection.cursor() as cursor:
        from tenant_apps.payments.models import Mandate

        cursor.execute("SET session_replication_role = replica")
        try:
            Mandate.objects.filter(household_id=invoice.household_id).delete()
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
