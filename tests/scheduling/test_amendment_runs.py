"""Amendment checks run every 15 minutes in every commune: only a check that sent an
amendment or failed is recorded as a run; a no-op check leaves no row."""

from datetime import timedelta

import pytest

from shared_apps.jobs.models import JobKind, JobRun, JobRunStatus
from tenant_apps.bookings.services import booking_cancel
from tenant_apps.catering.models import CatererOrder
from tenant_apps.catering.scheduling import catering_tick
from tests.catering.support import MONDAY
from tests.conftest import inside, make_user
from tests.scheduling.test_catering_tick import PARIS_9H_MONDAY, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _amendment_runs(commune):
    return list(JobRun.objects.filter(commune=commune, kind=JobKind.CATERER_AMENDMENT)
                .order_by("due_at"))


def test_checks_that_find_nothing_leave_no_run(commune_alpha, world):  # noqa: F811
    with inside(commune_alpha):
        catering_tick(now=PARIS_9H_MONDAY)
        # A day of checks with the bookings unchanged: 15-minute slots, every minute.
        for minutes in range(1, 8 * 60, 7):
            assert catering_tick(now=PARIS_9H_MONDAY + timedelta(minutes=minutes)
                                 ).amendments == 0
    assert _amendment_runs(commune_alpha) == []
    assert JobRun.objects.filter(commune=commune_alpha, kind=JobKind.CATERER_ORDER).count() == 1


def test_a_check_that_sends_an_amendment_is_recorded_once(commune_alpha, world):  # noqa: F811
    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        catering_tick(now=PARIS_9H_MONDAY)
        booking_cancel(child=world["child"], service=world["service"], day=MONDAY,
                       actor=agent, now=PARIS_9H_MONDAY + timedelta(minutes=5))
        for minutes in (16, 17, 31, 46):
            catering_tick(now=PARIS_9H_MONDAY + timedelta(minutes=minutes))
    (run,) = _amendment_runs(commune_alpha)
    assert run.status == JobRunStatus.SUCCEEDED
    assert run.due_at == PARIS_9H_MONDAY + timedelta(minutes=15)
    assert run.result["amended"] == [
        {"caterer": world["caterer"].name, "day": MONDAY.isoformat(), "version": 2}]


def test_a_failing_check_is_recorded_and_retried_at_the_next_slot(
        commune_alpha, world, monkeypatch):  # noqa: F811
    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        catering_tick(now=PARIS_9H_MONDAY)
        booking_cancel(child=world["child"], service=world["service"], day=MONDAY,
                       actor=agent, now=PARIS_9H_MONDAY + timedelta(minutes=5))
        from tenant_apps.catering import scheduling

        real = scheduling.caterer_order_compute

        def broken(**kwargs):
            raise ConnectionError("serveur de base de données saturé")

        monkeypatch.setattr(scheduling, "caterer_order_compute", broken)
        assert catering_tick(now=PARIS_9H_MONDAY + timedelta(minutes=16)).amendments == 0
        (failed,) = _amendment_runs(commune_alpha)
        assert failed.status == JobRunStatus.FAILED and "saturé" in failed.error
        monkeypatch.setattr(scheduling, "caterer_order_compute", real)
        assert catering_tick(now=PARIS_9H_MONDAY + timedelta(minutes=31)).amendments == 1
        order = CatererOrder.objects.get(caterer=world["caterer"], day=MONDAY)
        assert order.versions.count() == 2
    runs = _amendment_runs(commune_alpha)
    assert [(r.status, r.due_at - PARIS_9H_MONDAY) for r in runs] == [
        (JobRunStatus.FAILED, timedelta(minutes=15)),
        (JobRunStatus.SUCCEEDED, timedelta(minutes=30)),
    ]


def test_recording_the_same_slot_again_updates_one_row(commune_alpha):
    from shared_apps.jobs.services import job_run_record

    slot = PARIS_9H_MONDAY + timedelta(minutes=15)
    kind = JobKind.CATERER_AMENDMENT
    job_run_record(commune_id=commune_alpha.pk, kind=kind, due_at=slot, now=slot,
                   error="OperationalError: connexion perdue")
    job_run_record(commune_id=commune_alpha.pk, kind=kind, due_at=slot,
                   now=slot + timedelta(minutes=1), result={"checked": 2, "amended": [1]})
    job_run_record(commune_id=commune_alpha.pk, kind=kind, due_at=slot,
                   now=slot + timedelta(minutes=2), result={"checked": 1, "amended": [2]})
    (run,) = _amendment_runs(commune_alpha)
    assert (run.status, run.error, run.attempts) == (JobRunStatus.SUCCEEDED, "", 3)
    assert run.result == {"checked": 3, "amended": [1, 2]}
    assert run.finished_at == slot + timedelta(minutes=2)
