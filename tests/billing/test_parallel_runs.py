"""A run computed by parallel chunk tasks: the same lines as the sequential computation,
whatever the chunk size, the order the chunks finish in, or chunks delivered twice;
progress reaches 100 % and the run is marked computed exactly once."""

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenant_apps.billing import pricing, run_compute, runs
from tenant_apps.billing.models import Invoice, InvoiceLine, InvoiceRun, RunStatus
from tenant_apps.billing.tasks import invoice_run_compute_chunk_task, invoice_run_compute_task
from tenant_apps.bookings.models import BookingEvent
from tenant_apps.families.models import ChildHousehold
from tests.billing import support
from tests.billing.support import NOV_1, NOV_30
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db
_EXPECTED: dict[int, Any] = {}  # the sequential result, kept across hypothesis examples
STATES = ["booked", "attended", "absent_unjustified", "unbooked_presence", "cancelled",
          "absent_justified"]


@pytest.fixture
def regisseur(commune_alpha):
    return make_user(commune_alpha, role="regisseur")


def _families(actor, count=7):
    """Households with varied QF, states, a second child (sibling discount), a late
    cancellation and one household billed nothing (timely cancellations only)."""
    service = support.service()
    support.tariff(service, actor, brackets=(pricing.Bracket(600, 120), pricing.Bracket(None, 385)),
                   sibling_discount_percent=10, unbooked_presence_penalty_cents=150,
                   bill_unjustified_absence=True, late_cancel_penalty_cents=90)
    for n in range(count):
        household, child = support.family(service, quotient_familial=(None, 300, 900)[n % 3])
        states = ["cancelled"] if n == 3 else STATES[n % 6:] + STATES[:n % 6]
        for k, booking in enumerate(support.book_days(child, service, household, 5)):
            booking.state = states[k % len(states)]
            booking.save(update_fields=["state"])
            if booking.state == "cancelled" and n in (1, 5):
                BookingEvent.objects.create(booking=booking, from_state="booked",
                                            to_state="cancelled", past_deadline=True)
        if n % 3 == 1:  # a sibling in the same household
            _, second = support.family(service)
            ChildHousehold.objects.create(child=second, household=household)
            support.book_days(second, service, household, 3, start=date(2026, 11, 16))


def _snapshot(run):
    lines = sorted(InvoiceLine.objects.filter(invoice__run=run).values_list(
        "invoice__household_id", "booking_id", "kind", "label", "unit_cents", "total_cents"))
    invoices = sorted(Invoice.objects.filter(run=run).values_list(
        "household_id", "total_cents", "status"))
    return lines, invoices


def _sequential(actor):
    run = runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30, acting_user=actor,
                                  dispatch=False)
    run = runs.invoice_run_compute(run=run, acting_user=actor, chunk_size=10_000)
    return run, _snapshot(run), (run.invoices_count, run.total_cents)


def _counters(run):
    run.refresh_from_db()
    return (run.status, run.households_done, run.households_total, run.invoices_count,
            run.total_cents)


def test_chunk_tasks_give_the_sequential_lines(commune_alpha, regisseur, eager_celery,
                                               monkeypatch):
    with inside(commune_alpha):
        _families(regisseur)
        run, expected, totals = _sequential(regisseur)
        assert any(line[2] == "penalty" for line in expected[0])
        assert len(expected[1]) == 6  # the household with timely cancellations only: no invoice
        runs.invoice_run_recompute(run=run, acting_user=regisseur, dispatch=False)
        monkeypatch.setattr(run_compute, "CHUNK", 2)
        assert invoice_run_compute_task.run(run.pk) == 4  # 7 households, chunks of 2
        run.refresh_from_db()
        assert _snapshot(run) == expected
        assert (run.invoices_count, run.total_cents) == totals
        assert run.status == RunStatus.COMPUTED and run.progress_percent == 100
        assert run.households_done == run.households_total == 7
        assert sorted(run.summary["compute"]["done"]) == [0, 1, 2, 3]


def test_chunk_delivered_twice_or_stale_changes_nothing(commune_alpha, regisseur):
    with inside(commune_alpha):
        _families(regisseur)
        run, expected, _ = _sequential(regisseur)
        runs.invoice_run_recompute(run=run, acting_user=regisseur, dispatch=False)
        token, chunks = run_compute.invoice_run_compute_start(run=run, chunk_size=3)
        assert len(chunks) == 3 and _counters(run)[:3] == (RunStatus.COMPUTING, 0, 7)
        assert run.progress_percent == 0
        finished = []
        for index in (2, 0, 2):  # out of order, chunk 2 redelivered before the end
            finished.append(invoice_run_compute_chunk_task.run(run.pk, token, index,
                                                               chunks[index]))
            assert _counters(run)[0] == RunStatus.COMPUTING
        assert 0 < run.progress_percent < 100
        finished.append(invoice_run_compute_chunk_task.run(run.pk, token, 1, chunks[1]))
        assert finished == [False, False, False, True]  # marked computed exactly once
        after = _counters(run)
        assert after[0] == RunStatus.COMPUTED and run.progress_percent == 100
        assert _snapshot(run) == expected
        # a redelivery after the end, and a chunk of an older computation: no change
        assert invoice_run_compute_chunk_task.run(run.pk, token, 0, chunks[0]) is False
        assert invoice_run_compute_chunk_task.run(run.pk, "stale", 1, chunks[1]) is False
        assert _counters(run) == after and _snapshot(run) == expected
        # the same chunk computed twice while the run is still computing: same lines
        runs.invoice_run_recompute(run=run, acting_user=regisseur, dispatch=False)
        token, chunks = run_compute.invoice_run_compute_start(run=run, chunk_size=3)
        for index in (0, 0, 1, 1, 2):
            run_compute.invoice_run_compute_chunk(run_id=run.pk, token=token, index=index,
                                                  household_ids=chunks[index])
        assert _counters(run) == after and _snapshot(run) == expected


def test_deleted_run_ignores_its_chunks(commune_alpha, regisseur):
    with inside(commune_alpha):
        _families(regisseur, count=2)
        run = runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30,
                                      acting_user=regisseur, dispatch=False)
        token, chunks = run_compute.invoice_run_compute_start(run=run, chunk_size=1)
        run_compute.invoice_run_compute_chunk(run_id=run.pk, token=token, index=0,
                                              household_ids=chunks[0])
        InvoiceRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED)
        runs.invoice_run_delete(run=run, acting_user=regisseur)
        assert invoice_run_compute_chunk_task.run(run.pk, token, 1, chunks[1]) is False
        assert not Invoice.objects.filter(run_id=run.pk).exists()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(min_value=1, max_value=8),
       order=st.permutations(range(8)), repeats=st.lists(st.integers(0, 7), max_size=4))
def test_any_chunking_order_and_redelivery_matches_sequential(commune_alpha, regisseur,
                                                              size, order, repeats):
    with inside(commune_alpha):
        run = InvoiceRun.objects.filter(period_start=NOV_1).exclude(status="issued").first()
        if run is None:
            _families(regisseur)
            run, expected, _ = _sequential(regisseur)
            _EXPECTED[run.pk] = expected
        expected = _EXPECTED[run.pk]
        token, chunks = run_compute.invoice_run_compute_start(run=run, chunk_size=size)
        indexes = [i for i in order if i < len(chunks)]
        indexes += [i for i in repeats if i < len(chunks)]
        done = [run_compute.invoice_run_compute_chunk(run_id=run.pk, token=token, index=i,
                                                      household_ids=chunks[i])
                for i in indexes]
        assert done.count(True) == 1
        run.refresh_from_db()
        assert run.status == RunStatus.COMPUTED and run.progress_percent == 100
        assert _snapshot(run) == expected
        assert run.total_cents == sum(t for _, t, _ in expected[1])


def test_progress_page_shows_chunks_then_the_result(commune_alpha, regisseur):
    with inside(commune_alpha):
        _families(regisseur)
        run = runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30,
                                      acting_user=regisseur, dispatch=False)
        token, chunks = run_compute.invoice_run_compute_start(run=run, chunk_size=3)
        run_compute.invoice_run_compute_chunk(run_id=run.pk, token=token, index=1,
                                              household_ids=chunks[1])
    client = logged_in_client(commune_alpha, regisseur)
    url = f"/gestion/facturation/campagnes/{run.pk}/progression/"
    page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "3 / 7 foyers (1 / 3 lots calculés en parallèle)" in page
    assert "43 %" in page and "every 2s" in page
    with inside(commune_alpha):
        for index in (0, 2):
            run_compute.invoice_run_compute_chunk(run_id=run.pk, token=token, index=index,
                                                  household_ids=chunks[index])
    page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Brouillons prêts" in page
    assert "every 2s" not in page and "6 factures" in page
