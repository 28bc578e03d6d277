"""Tax certificates (childcare of children under 6, paid invoices only) and the Celery
task wrappers (compute, failure recorded in French, redelivery harmless)."""

from datetime import date

import pytest
from django.utils import timezone

from tenant_apps.billing import run_compute, runs
from tenant_apps.billing.certificates import certificate_amounts, tax_certificate_pdf
from tenant_apps.billing.models import Invoice, InvoiceRun, RunStatus
from tenant_apps.billing.payments import payment_record
from tenant_apps.billing.tasks import invoice_run_compute_task, invoice_run_issue_task
from tenant_apps.families.models import Child
from tests.billing import support
from tests.billing.support import NOV_1, NOV_30
from tests.conftest import inside, make_user

pytestmark = pytest.mark.django_db


def test_certificate_counts_paid_childcare_of_under_sixes(commune_alpha, eager_celery):
    regisseur = make_user(commune_alpha, role="regisseur")
    with inside(commune_alpha):
        care = support.service(kind="periscolaire")
        meals = support.service(kind="repas")
        support.tariff(care, regisseur, amount_cents=180)
        support.tariff(meals, regisseur, amount_cents=400)
        household, young = support.family(care)
        Child.objects.filter(pk=young.pk).update(birth_date=date(2022, 3, 1))
        support.book_days(young, care, household, 4)
        support.book_days(young, meals, household, 4)
        run = runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30,
                                      acting_user=regisseur, dispatch=False)
        invoice_run_compute_task.run(run.pk)
        runs.invoice_run_start_issue(run=run, acting_user=regisseur, dispatch=False)
        assert invoice_run_issue_task.run(run.pk) == 1
        invoice = Invoice.objects.get(run=run)
        assert certificate_amounts(household, 2026) == {}  # not paid yet
        payment_record(household=household, method="cheque", amount_cents=invoice.total_cents,
                       received_on=timezone.localdate(), reference="0001234",
                       acting_user=regisseur)
        assert certificate_amounts(household, 2026) == {young.pk: 4 * 180}  # meals excluded
        assert certificate_amounts(household, 2025) == {}
        pdf = tax_certificate_pdf(household, 2026)
        assert pdf is not None and pdf.startswith(b"%PDF")


def test_compute_task_records_a_french_failure_and_ignores_redelivery(commune_alpha,
                                                                      monkeypatch,
                                                                      eager_celery):
    regisseur = make_user(commune_alpha, role="regisseur")
    with inside(commune_alpha):
        service = support.service()
        household, child = support.family(service)
        support.book_days(child, service, household, 2)
        run = runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30,
                                      acting_user=regisseur, dispatch=False)

        def broken(*args, **kwargs):
            raise RuntimeError("base indisponible")

        monkeypatch.setattr(run_compute, "compute_lines", broken)
        with pytest.raises(RuntimeError):
            invoice_run_compute_task.run(run.pk)
        run = InvoiceRun.objects.get(pk=run.pk)
        assert run.status == RunStatus.FAILED and "Le calcul a échoué" in run.error
        assert invoice_run_compute_task.run(run.pk) == 0  # failed runs wait for "Recalculer"
        assert invoice_run_compute_task.run(999_999) == 0


def test_a_credit_note_reduces_the_certified_childcare_in_proportion(commune_alpha,
                                                                     eager_celery):
    from tenant_apps.billing.invoices import invoice_credit_note_create

    regisseur = make_user(commune_alpha, role="regisseur")
    with inside(commune_alpha):
        care = support.service(kind="periscolaire")
        support.tariff(care, regisseur, amount_cents=200)
        household, young = support.family(care)
        Child.objects.filter(pk=young.pk).update(birth_date=date(2022, 3, 1))
        support.book_days(young, care, household, 5)  # 10,00 €
        run = runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30,
                                      acting_user=regisseur, dispatch=False)
        invoice_run_compute_task.run(run.pk)
        runs.invoice_run_start_issue(run=run, acting_user=regisseur, dispatch=False)
        invoice_run_issue_task.run(run.pk)
        invoice = Invoice.objects.get(run=run)
        # A quarter is credited back, the rest is paid: 7,50 € were really spent.
        invoice_credit_note_create(invoice=invoice, amount_cents=250, reason="Sortie annulée",
                                   acting_user=regisseur)
        payment_record(household=household, method="cash", amount_cents=750,
                       received_on=timezone.localdate(), reference="",
                       acting_user=regisseur)
        assert certificate_amounts(household, 2026) == {young.pk: 750}
