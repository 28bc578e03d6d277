"""An invoice run computed by a real Celery worker (two threads) on the real Redis broker:
the start task fans out one task per chunk in the commune's schema; the run ends
computed, with the lines the in-process computation gives; every chunk delivered twice,
the copies running concurrently, changes nothing."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from provisioning.schemas import schema_drop
from provisioning.services import commune_create, provisioning_job_run
from tenant_apps.billing import run_compute, runs
from tenant_apps.billing.models import InvoiceLine, InvoiceRun, RunStatus
from tenant_apps.billing.tasks import invoice_run_compute_chunk_task
from tenants.models import Commune
from tests.billing import support
from tests.billing.support import NOV_1, NOV_30
from tests.conftest import inside, make_user
from tests.jobs.test_celery_worker import private_queue  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _lines(run):
    return sorted(InvoiceLine.objects.filter(invoice__run=run).values_list(
        "invoice__household_id", "booking_id", "label", "total_cents"))


def _wait_computed(commune, run):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with inside(commune):
            status = InvoiceRun.objects.get(pk=run.pk).status
        if status in (RunStatus.COMPUTED, RunStatus.FAILED):
            return
        time.sleep(0.1)


def test_run_chunks_computed_by_a_real_worker(private_queue, monkeypatch):  # noqa: F811
    slug = f"bill-{uuid.uuid4().hex[:6]}"
    job = commune_create(actor=None, name="Trégastel", slug=slug, insee_code="22353",
                         contact_email="mairie@example.test", admin_email="dgs@example.test",
                         dispatch=False)
    provisioning_job_run(job_id=job.pk)
    commune = Commune.objects.get(slug=slug)
    try:
        actor = make_user(commune, role="regisseur")
        with inside(commune):
            service = support.service()
            support.tariff(service, actor, amount_cents=385, sibling_discount_percent=10)
            for n in range(9):
                household, child = support.family(service, quotient_familial=300 + n)
                support.book_days(child, service, household, 3 + n % 4)
            run = runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30,
                                          acting_user=actor, dispatch=False)
            expected = _lines(runs.invoice_run_compute(run=run, acting_user=actor))
            runs.invoice_run_recompute(run=run, acting_user=actor, dispatch=False)
        monkeypatch.setattr(run_compute, "CHUNK", 2)  # 5 chunk tasks
        with start_worker(app, queues=[private_queue], pool="threads", concurrency=2,
                          perform_ping_check=False):
            with inside(commune):
                runs._dispatch("invoice_run_compute_task", run.pk)  # outside atomic: now
            _wait_computed(commune, run)
            with inside(commune):
                run.refresh_from_db()
                assert run.status == RunStatus.COMPUTED, run.error
                assert sorted(run.summary["compute"]["done"]) == [0, 1, 2, 3, 4]
                assert run.households_done == run.households_total == 9
                assert run.progress_percent == 100 and _lines(run) == expected
                counters = (run.invoices_count, run.total_cents)
                # every chunk delivered twice, the copies running at once on two threads
                runs.invoice_run_recompute(run=run, acting_user=actor, dispatch=False)
                token, chunks = run_compute.invoice_run_compute_start(run=run)
                for index, household_ids in enumerate(chunks * 2):
                    invoice_run_compute_chunk_task.apply_async(
                        args=[run.pk, token, index % len(chunks), household_ids],
                        headers={"_schema_name": commune.schema_name})
            _wait_computed(commune, run)
            time.sleep(1)  # let the last copies finish
        with inside(commune):
            run.refresh_from_db()
            assert run.status == RunStatus.COMPUTED, run.error
            assert run.households_done == 9 and (run.invoices_count, run.total_cents) == counters
            assert _lines(run) == expected
    finally:
        schema_drop(commune.schema_name)
        commune.delete()
