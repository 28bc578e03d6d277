"""The régisseur runs October's invoicing (preview, confirm, progress, issue), then the
parent finds the invoice in "Mes factures" and downloads its PDF.

No Celery worker runs here: where the worker would compute and issue, the test calls the
same services itself, and the page's progress polling picks the result up."""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time, timedelta

import pytest
from django.db import connection
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role
from tenant_apps.billing import runs
from tenant_apps.billing.models import (
    Invoice,
    InvoiceGroup,
    InvoiceLine,
    InvoiceRun,
    RunStatus,
    Tariff,
    TariffBracket,
)
from tenant_apps.bookings.models import Booking
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Child, ChildHousehold, Guardian, Household
from tests.conftest import inside, make_user
from tests.e2e.support import shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Regie-Alpha-9!x"
OCT_1, OCT_31 = date(2026, 10, 1), date(2026, 10, 31)


@pytest.fixture
def billing_data(commune_alpha) -> Iterator[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Committed: a régisseur, a parent account, a meal service with a tariff and ten
    October bookings of the parent's child."""
    from tenant_apps.billing.tariffs import tariff_create
    from tenant_apps.schooling.models import SchoolYear

    regisseur_email, parent_email = unique_email("regisseur"), unique_email("parent")
    regisseur = make_user(commune_alpha, role=Role.REGISSEUR, email=regisseur_email,
                          password=PASSWORD)
    parent = make_user(commune_alpha, role=Role.GUARDIAN, email=parent_email,
                       password=PASSWORD)
    with inside(commune_alpha):
        assert not InvoiceRun.objects.exclude(status=RunStatus.ISSUED).exists()
        # The same year other e2e tests look for (one year per dates: overlapping years
        # would make "the child's class that day" ambiguous for the next test).
        year = SchoolYear.objects.filter(starts_on__lte=OCT_1, ends_on__gte=OCT_31).first()
        created_year = year is None
        if year is None:
            year = SchoolYear.objects.create(label="2026-2027", starts_on=date(2026, 9, 1),
                                             ends_on=date(2027, 7, 3))
        service = Service.objects.create(name=f"Repas e2e {uuid.uuid4().hex[:6]}", kind="repas",
                                         weekdays=[1, 2, 4, 5], book_until=time(8, 30),
                                         cancel_until=time(8, 30))
        tariff_create(service=service, fields={"effective_from": date(2026, 9, 1),
                                               "kind": "flat", "amount_cents": 385},
                      acting_user=regisseur)
        household = Household.objects.create(name="Le Guérec e2e", address="3 rue des Ajoncs",
                                             postcode="22300", city="Lannion")
        Guardian.objects.create(household=household, user=parent, first_name="Hélène",
                                last_name="Le Guérec", email=parent_email)
        child = Child.objects.create(first_name="Théo", last_name="Le Guérec",
                                     birth_date=date(2018, 4, 2))
        ChildHousehold.objects.create(child=child, household=household)
        Registration.objects.create(child=child, service=service, school_year=year,
                                    household=household)
        days = [date(2026, 10, d) for d in (1, 2, 5, 6, 8, 9, 12, 13, 15, 16)]
        Booking.objects.bulk_create([Booking(child=child, service=service, household=household,
                                             day=d, state="attended") for d in days])
    yield {"regisseur": regisseur_email, "parent": parent_email, "household": household}
    with inside(commune_alpha), triggers_off():
        run_ids = list(InvoiceRun.objects.filter(period_start=OCT_1, period_end=OCT_31)
                       .values_list("id", flat=True))
        InvoiceLine.objects.filter(invoice__run_id__in=run_ids).delete()
        Invoice.objects.filter(run_id__in=run_ids).delete()
        InvoiceGroup.objects.filter(run_id__in=run_ids).delete()
        InvoiceRun.objects.filter(pk__in=run_ids).delete()
        Booking.objects.filter(service=service).delete()
        Registration.objects.filter(service=service).delete()
        TariffBracket.objects.filter(tariff__service=service).delete()
        Tariff.objects.filter(service=service).delete()
        service.delete()
        child.delete()
        household.delete()
        if created_year:
            year.delete()


@contextmanager
def triggers_off() -> Iterator[None]:
    """Issued invoices and the prepaid ledger are immutable (database triggers): off for
    a test's clean-up only."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


def _issue_october(regisseur) -> InvoiceRun:  # type: ignore[no-untyped-def]
    """The worker's part of an invoice run: compute and issue October (PDFs on demand)."""
    run = runs.invoice_run_create(period_start=OCT_1, period_end=OCT_31,
                                  acting_user=regisseur, dispatch=False)
    runs.invoice_run_compute(run=run)
    runs.invoice_run_start_issue(run=run, acting_user=regisseur, dispatch=False)
    return runs.invoice_run_issue(run=run, render_pdfs=False)


def _login(page, server, path: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url("alpha", path))
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_run_issue_then_parent_downloads(page, server, commune_alpha, billing_data):
    page.on("dialog", lambda dialog: dialog.accept())
    _login(page, server, "/gestion/connexion/?next=/gestion/facturation/",
           str(billing_data["regisseur"]))
    expect(page.get_by_role("heading", name="Facturation", level=1)).to_be_visible()
    page.get_by_role("link", name="Nouvelle facturation").first.click()
    page.get_by_label("Du").fill("2026-10-01")
    page.get_by_label("Au (inclus)").fill("2026-10-31")
    page.get_by_role("button", name="Voir ce qui sera facturé").click()
    expect(page.get_by_role("status")).to_contain_text("10 réservations")
    shoot(page, "billing-run-preview")
    page.get_by_role("button", name="Confirmer et calculer les brouillons").click()
    expect(page.locator("#run-progress")).to_be_visible()

    with inside(commune_alpha):  # the worker's part: compute the drafts
        run = InvoiceRun.objects.get(period_start=OCT_1, period_end=OCT_31)
        runs.invoice_run_compute(run=run)
    issue = page.get_by_role("button", name=re.compile(r"Émettre \d+ factures?"))
    expect(issue).to_be_visible(timeout=15_000)  # the polling reloads the finished page
    expect(page.get_by_role("row").filter(has_text="Le Guérec e2e")).to_contain_text("38,50")
    shoot(page, "billing-run-drafts")
    issue.click()
    with inside(commune_alpha):  # the worker's part: number, group and render the PDFs
        runs.invoice_run_issue(run=run)
        number = Invoice.objects.get(run=run, household=billing_data["household"]).number
    expect(page.locator("#run-progress")).to_contain_text("Émise", timeout=15_000)
    expect(page.get_by_role("link", name=number)).to_be_visible()
    shoot(page, "billing-run-issued")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    shoot(page, "billing-invoice-detail")

    page.context.clear_cookies()
    _login(page, server, "/connexion/?next=/factures/", str(billing_data["parent"]))
    expect(page.get_by_role("heading", name="Mes factures")).to_be_visible()
    item = page.locator(".list-group-item").filter(has_text=number)
    expect(item).to_contain_text("0,00\u00a0€ payé sur 38,50\u00a0€")
    expect(item).to_contain_text("Enregistré")
    shoot(page, "billing-portal-invoices")
    with page.expect_download() as download:
        item.get_by_role("link", name="Télécharger").click()
    path = download.value.path()
    assert path is not None and open(path, "rb").read(5) == b"%PDF-"


def test_prepaid_parent_sees_october_settled_by_the_account(page, server, commune_alpha,
                                                             billing_data):
    """Prepaid commune: the account is topped up and debited per booking; October's
    invoice is issued already settled, and the parent reads it that way."""
    from tenant_apps.billing import prepaid
    from tenant_apps.billing.models import Payment, PaymentAllocation, PrepaidLedgerEntry
    from tenants.models import Commune

    household = billing_data["household"]
    regisseur = make_user(commune_alpha, role=Role.REGISSEUR)
    Commune.objects.filter(pk=commune_alpha.pk).update(billing_mode="prepaid")
    previous, commune_alpha.billing_mode = commune_alpha.billing_mode, "prepaid"
    try:
        with inside(commune_alpha):
            prepaid.prepaid_top_up(household=household, amount_cents=5000, method="cash",
                                   acting_user=regisseur)
            prepaid.prepaid_sync(today=date(2026, 10, 20))
            run = _issue_october(regisseur)
            number = Invoice.objects.get(run=run, household=household).number
        _login(page, server, "/connexion/?next=/factures/", str(billing_data["parent"]))
        expect(page.get_by_role("heading", name="Mes factures")).to_be_visible()
        expect(page.get_by_text("Solde : 11,50")).to_be_visible()  # 50,00 − 10 × 3,85
        item = page.locator(".list-group-item").filter(has_text=number)
        expect(item).to_contain_text("38,50\u00a0€ réglé par le compte prépayé")
        expect(item).to_contain_text("Payé")
        expect(item.get_by_role("button", name=re.compile("Payer"))).to_have_count(0)
        shoot(page, "billing-prepaid-portal")
    finally:
        Commune.objects.filter(pk=commune_alpha.pk).update(billing_mode=previous)
        commune_alpha.billing_mode = previous
        with inside(commune_alpha), triggers_off():
            PaymentAllocation.objects.filter(payment__household=household).delete()
            Payment.objects.filter(household=household).delete()
            PrepaidLedgerEntry.objects.filter(household=household).delete()


def test_regisseur_cancels_a_returned_cheque(page, server, commune_alpha, billing_data):
    """The cheque comes back unpaid: the régisseur cancels it from its receipt; the
    invoice is due again and the family is reminded."""
    from tenant_apps.billing.models import (
        InvoiceReminder,
        Payment,
        PaymentAllocation,
        PaymentReversal,
    )
    from tenant_apps.billing.payments import payment_record

    household = billing_data["household"]
    regisseur = make_user(commune_alpha, role=Role.REGISSEUR)
    try:
        with inside(commune_alpha):
            run = _issue_october(regisseur)
            invoice = Invoice.objects.get(run=run, household=household)
            cheque = payment_record(household=household, method="cheque",
                                    amount_cents=invoice.total_cents,
                                    received_on=date(2026, 11, 20), reference="0012345",
                                    invoice=invoice, acting_user=regisseur)
        page.on("dialog", lambda dialog: dialog.accept())
        _login(page, server, f"/gestion/connexion/?next=/gestion/facturation/paiements/"
                             f"{cheque.pk}/", str(billing_data["regisseur"]))
        expect(page.get_by_role("heading", name=f"Reçu n° {cheque.receipt_number}")
               ).to_be_visible()
        page.get_by_label("Motif").fill("Chèque revenu impayé (provision insuffisante)")
        page.get_by_role("button", name="Annuler ce paiement").click()
        expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
            f"la facture {invoice.number} est de nouveau à payer")
        expect(page.get_by_text("Annulé le")).to_be_visible()
        shoot(page, "billing-payment-reversed")
        with inside(commune_alpha):
            assert PaymentReversal.objects.filter(payment=cheque).count() == 1
            assert InvoiceReminder.objects.filter(invoice=invoice).count() == 1
    finally:
        with inside(commune_alpha), triggers_off():
            InvoiceReminder.objects.filter(invoice__household=household).delete()
            PaymentReversal.objects.filter(payment__household=household).delete()
            PaymentAllocation.objects.filter(payment__household=household).delete()
            Payment.objects.filter(household=household).delete()


def test_regisseur_records_a_sepa_return_with_the_bank_code(page, server, commune_alpha,
                                                            billing_data):
    """October is deposited and presented by direct debit; the bank returns it "AM04":
    the régisseur types the code, the page records its label and the invoice is due."""
    from django.utils import timezone

    from tenant_apps.billing import deposits
    from tenant_apps.billing.models import Deposit, InvoiceReminder
    from tenant_apps.payments import sepa
    from tenant_apps.payments.models import DebitItem, DebitRun, Mandate, PayfipSettings

    household = billing_data["household"]
    regisseur = make_user(commune_alpha, role=Role.REGISSEUR)
    with inside(commune_alpha):
        before = PayfipSettings.objects.filter(singleton=True).values().first()
    try:
        with inside(commune_alpha):
            run = _issue_october(regisseur)
            group = InvoiceGroup.objects.get(run=run)
            deposits.deposit_create(group=group, acting_user=regisseur, dispatch=False)
            PayfipSettings.objects.update_or_create(singleton=True, defaults={
                "creditor_identifier": "FR72ZZZ123456", "creditor_name": "Régie Alphaville",
                "creditor_iban": "FR1420041010050500013M02606"})
            sepa.mandate_create(household=household, holder_name="Hélène Le Guérec",
                                iban="FR7630006000011234567890189", bic="",
                                signed_on=date(2026, 9, 1), acting_user=regisseur)
            debit = sepa.debit_run_create(
                group=group, collection_date=timezone.localdate() + timedelta(days=14),
                acting_user=regisseur)
            number = Invoice.objects.get(run=run, household=household).number
        _login(page, server, f"/gestion/connexion/?next=/gestion/paiements-en-ligne/"
                             f"prelevements/{debit.pk}/", str(billing_data["regisseur"]))
        row = page.get_by_role("row").filter(has_text=number)
        row.get_by_label("Motif du rejet").fill("am04")
        row.get_by_role("button", name="Rejet").click()
        expect(page.get_by_text("Rejet enregistré : la facture est à nouveau à payer")
               ).to_be_visible()
        expect(page.get_by_role("row").filter(has_text=number)).to_contain_text(
            "AM04 – Provision insuffisante")
        shoot(page, "sepa-debit-run-return")
        with inside(commune_alpha):
            assert InvoiceReminder.objects.filter(invoice__number=number).count() == 1
            assert Mandate.objects.get(household=household).status == "active"
    finally:
        with inside(commune_alpha), triggers_off():
            DebitItem.objects.filter(invoice__household=household).delete()
            DebitRun.objects.filter(group__run__period_start=OCT_1).delete()
            Mandate.objects.filter(household=household).delete()
            InvoiceReminder.objects.filter(invoice__household=household).delete()
            Deposit.objects.filter(group__run__period_start=OCT_1).delete()
            if before is None:
                PayfipSettings.objects.all().delete()
            else:
                PayfipSettings.objects.filter(pk=before["id"]).update(
                    **{k: v for k, v in before.items() if k != "id"})
