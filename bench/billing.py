"""Invoice run at scale: 5,000 households (7,500 children) and one month of bookings
(November 2025, every school day, mixed states), QF-bracket tariff with a sibling
discount and an unbooked-presence surcharge.

Times the draft computation (target ≤ 60 s) twice: in this process, chunk after chunk,
then as in production, by a real Celery worker with 2 processes (prefork) computing the
chunks in parallel (one task per chunk, started on a private queue of the bench's Redis
DB; BENCH_BILLING_WORKERS=0 skips it). Checks that both give the same lines. Then times
the gap-free numbering of every draft, and the PDF rendering + storing throughput of one
process on a sample of the issued invoices, and settling every invoice from prepaid
accounts (rolled back). Checks that the totals reconcile (sum of lines = sum of invoices
= run total; settlements = ledger = invoices).

The bench commune (bench-billing, in cantine_bench) is created once with its families and
bookings; each run first removes the previous run's invoices (triggers off for that
clean-up only) so the same month is billed again."""

import json
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from typing import Any

from _setup import bench_commune, django_for_bench

SLUG = "bench-billing"
HOUSEHOLDS = int(os.environ.get("BENCH_BILLING_HOUSEHOLDS", "5000"))
START, END = date(2025, 11, 1), date(2025, 11, 30)
PDF_SAMPLE = int(os.environ.get("BENCH_BILLING_PDFS", "60"))
TARGET_S = 60
WORKERS = int(os.environ.get("BENCH_BILLING_WORKERS", "2"))
SERVICE = "Repas bench"
STATES = ["booked"] * 6 + ["attended"] * 10 + ["absent_justified", "absent_unjustified",
                                                 "unbooked_presence", "cancelled"]


def _commune() -> Any:
    from datetime import time as clock

    from tenant_apps.bookings.models import Booking
    from tenant_apps.catalog.models import Service
    from tenant_apps.families.models import Child, ChildHousehold, Household

    commune, fresh = bench_commune(
        SLUG, "Bench Facturation",
        complete=lambda: Household.objects.count() == HOUSEHOLDS and Booking.objects.exists(),
    )
    if not fresh:
        return commune
    rng = random.Random(7)  # noqa: S311 - reproducible data, not security
    service = Service.objects.create(name=SERVICE, kind="repas", weekdays=[1, 2, 4, 5],
                                     book_until=clock(8, 30), cancel_until=clock(8, 30))
    households = Household.objects.bulk_create([
        Household(name=f"Foyer {n:05d}", quotient_familial=rng.choice([None, 300, 650, 1200]),
                  is_resident=n % 10 != 0, address=f"{n} rue du Bench", postcode="22300",
                  city="Lannion") for n in range(HOUSEHOLDS)])
    children, links = [], []
    for n, household in enumerate(households):
        for k in range(1 + (n % 2)):
            child = Child(last_name=f"Nom{n}", first_name=f"Enfant{k}",
                          birth_date=date(2016 + k, 1 + n % 12, 1))
            children.append(child)
            links.append((child, household))
    Child.objects.bulk_create(children, batch_size=5000)
    ChildHousehold.objects.bulk_create([ChildHousehold(child=c, household=h) for c, h in links],
                                       batch_size=5000)
    days = [START + timedelta(days=d) for d in range((END - START).days + 1)
            if (START + timedelta(days=d)).isoweekday() in (1, 2, 4, 5)]
    Booking.objects.bulk_create([
        Booking(child=c, service=service, household=h, day=day, state=rng.choice(STATES))
        for c, h in links for day in days], batch_size=10_000)
    return commune


def _tariff(actor: Any) -> None:
    from tenant_apps.billing import pricing
    from tenant_apps.billing.models import Tariff
    from tenant_apps.billing.tariffs import tariff_create
    from tenant_apps.catalog.models import Service

    service = Service.objects.get(name=SERVICE)
    if Tariff.objects.filter(service=service).exists():
        return
    tariff_create(service=service, fields={
        "effective_from": date(2025, 9, 1), "kind": pricing.QF_BRACKETS,
        "non_resident_cents": 520, "sibling_discount_percent": 10,
        "unbooked_presence_penalty_cents": 150, "bill_unjustified_absence": True,
    }, brackets=(pricing.Bracket(500, 100), pricing.Bracket(1000, 250),
                 pricing.Bracket(None, 410)), acting_user=actor)


def _reset() -> None:
    """Remove earlier bench runs (issued invoices included: triggers off for this session)."""
    from django.db import connection

    from tenant_apps.billing.models import (
        Invoice,
        InvoiceGroup,
        InvoiceLine,
        InvoiceNumberCounter,
        InvoiceRun,
    )
    from tenant_apps.bookings.models import Booking

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            InvoiceLine.objects.all().delete()
            Invoice.objects.all().delete()
            InvoiceGroup.objects.all().delete()
            InvoiceRun.objects.all().delete()
            InvoiceNumberCounter.objects.all().delete()
            Booking.objects.filter(invoiced=True).update(invoiced=False)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


def _worker(queue: str) -> None:
    """The worker process (`billing.py --worker QUEUE`): billing tasks routed to QUEUE."""
    django_for_bench()
    from config.celery import app

    app.conf.task_routes = {"tenant_apps.billing.tasks.*": {"queue": queue}}
    app.worker_main(["worker", "-Q", queue, "-c", str(WORKERS), "-P", "prefork",
                     "--without-heartbeat", "--without-gossip", "--without-mingle",
                     "-l", "WARNING"])


def _lines_digest(run: Any) -> list[tuple[Any, ...]]:
    from tenant_apps.billing.models import InvoiceLine

    return sorted(InvoiceLine.objects.filter(invoice__run=run).values_list(
        "invoice__household_id", "booking_id", "kind", "total_cents"))


def _parallel(run: Any, actor: Any) -> float | None:
    """Recompute the run through a real worker; seconds from dispatch to computed."""
    from config.celery import app
    from tenant_apps.billing import runs
    from tenant_apps.billing.models import Invoice, InvoiceLine, InvoiceRun, RunStatus

    if WORKERS < 1:
        return None
    queue = f"bench-billing-{uuid.uuid4().hex[:8]}"
    app.conf.task_routes = {"tenant_apps.billing.tasks.*": {"queue": queue}}
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)
    worker = subprocess.Popen([sys.executable, __file__, "--worker", queue])  # noqa: S603
    try:
        time.sleep(6)  # the worker's Django setup and connection to the broker
        runs.invoice_run_recompute(run=run, acting_user=actor, dispatch=False)
        # Drop the drafts untimed, as the in-process timing started without any.
        InvoiceLine.objects.filter(invoice__run=run).delete()
        Invoice.objects.filter(run=run).delete()
        started = time.perf_counter()
        runs._dispatch("invoice_run_compute_task", run.pk)
        while time.perf_counter() - started < 10 * TARGET_S:
            status = InvoiceRun.objects.filter(pk=run.pk).values_list("status", flat=True)[0]
            if status in (RunStatus.COMPUTED, RunStatus.FAILED):
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        if status != RunStatus.COMPUTED:
            raise SystemExit(f"parallel computation ended {status}")
        return elapsed
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _prepaid_settlement(run: Any) -> tuple[float, bool]:
    """Time settling every issued invoice of the run from prepaid accounts (as a prepaid
    commune's issue does, chunk by chunk), in a transaction rolled back afterwards. No
    booking was debited, so each invoice gets its adjustment, payment and allocation: the
    worst case. Reconciled: the ledger and the payments both equal the invoices."""
    from django.db import transaction
    from django.db.models import Sum

    from tenant_apps.billing.models import Invoice, Payment, PrepaidLedgerEntry
    from tenant_apps.billing.prepaid_settlement import prepaid_invoices_settle
    from tenant_apps.billing.runs import CHUNK

    with transaction.atomic():
        invoices = list(Invoice.objects.filter(run=run).order_by("number"))
        started = time.perf_counter()
        for start in range(0, len(invoices), CHUNK):
            with transaction.atomic():
                prepaid_invoices_settle(invoices[start:start + CHUNK])
        elapsed = time.perf_counter() - started
        billed = sum(i.total_cents for i in invoices)
        ledger = PrepaidLedgerEntry.objects.aggregate(s=Sum("amount_cents"))["s"] or 0
        paid = Payment.objects.filter(method="prepaid").aggregate(s=Sum("amount_cents"))["s"]
        transaction.set_rollback(True)
    return elapsed, -ledger == billed == (paid or 0)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        _worker(sys.argv[2])
        return
    django_for_bench()
    from django.db.models import Sum

    from tenant_apps.accounts.models import Role, User
    from tenant_apps.billing import runs
    from tenant_apps.billing.models import Invoice, InvoiceLine
    from tenant_apps.billing.printing import billing_mode, invoice_pdf_store, letterhead
    from tenant_apps.billing.selectors import billing_settings_get
    from tenant_apps.bookings.models import Booking
    from tenants.db import use_commune

    commune = _commune()
    use_commune(commune)
    actor = User.objects.filter(email="bench-regisseur@example.test").first() or \
        User.objects.create_user(email="bench-regisseur@example.test", role=Role.REGISSEUR)
    _tariff(actor)
    _reset()
    bookings = Booking.objects.filter(day__gte=START, day__lte=END).count()
    started = time.perf_counter()
    run = runs.invoice_run_create(period_start=START, period_end=END, acting_user=actor,
                                  dispatch=False)
    run = runs.invoice_run_compute(run=run, acting_user=actor)
    computed = time.perf_counter() - started
    sequential_lines = _lines_digest(run)
    parallel_s = _parallel(run, actor)
    run.refresh_from_db()
    same_lines = parallel_s is None or _lines_digest(run) == sequential_lines
    lines_total = InvoiceLine.objects.filter(invoice__run=run).aggregate(
        s=Sum("total_cents"))["s"]
    invoices_total = Invoice.objects.filter(run=run).aggregate(s=Sum("total_cents"))["s"]
    started = time.perf_counter()
    runs.invoice_run_start_issue(run=run, acting_user=actor, dispatch=False)
    runs.invoice_run_issue(run=run, acting_user=actor, render_pdfs=False)
    numbered = time.perf_counter() - started
    head, settings_row, mode = letterhead(), billing_settings_get(), billing_mode()
    sample = list(Invoice.objects.filter(run=run).select_related(
        "household", "group", "credited_invoice").order_by("number")[:PDF_SAMPLE])
    started = time.perf_counter()
    stored = sum(1 for invoice in sample if invoice_pdf_store(
        invoice, head=head, settings_row=settings_row, mode=mode))
    pdf_s = time.perf_counter() - started
    settle_s, settle_reconciled = _prepaid_settlement(run)
    print(json.dumps({
        "bench": "billing", "invoice_run_s": round(computed, 2), "households": HOUSEHOLDS,
        "invoice_run_parallel_s": round(parallel_s, 2) if parallel_s is not None else None,
        "worker_processes": WORKERS, "chunk": runs.CHUNK, "parallel_same_lines": same_lines,
        "invoices": run.invoices_count, "bookings": bookings,
        "lines": InvoiceLine.objects.filter(invoice__run=run).count(),
        "numbering_s": round(numbered, 2),
        "pdf_per_s": round(stored / pdf_s, 2) if stored else None,
        "pdf_sample": stored, "target_s": TARGET_S,
        "prepaid_settle_s": round(settle_s, 2), "prepaid_settle_reconciled": settle_reconciled,
        "reconciled": lines_total == invoices_total == run.total_cents,
    }))
    if computed > TARGET_S:
        raise SystemExit(f"invoice run computation took {computed:.1f} s > {TARGET_S} s")
    if not same_lines:
        raise SystemExit("the parallel computation gave other lines than the sequential one")
    if not lines_total == invoices_total == run.total_cents:
        raise SystemExit("totals do not reconcile")
    if not settle_reconciled:
        raise SystemExit("prepaid settlement does not reconcile with the invoices")


if __name__ == "__main__":
    main()
