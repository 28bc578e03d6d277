"""The per-commune tick: due runs recorded once, in order, caught up after an outage; the
outbox holds one message per order or amendment; failures are recorded and retried;
operators see a run that is late."""

from datetime import UTC, datetime, timedelta

import pytest

from shared_apps.jobs.models import JobKind, JobRun, JobRunStatus, JobSchedule
from shared_apps.jobs.selectors import job_alerts
from tenant_apps.catering import services
from tenant_apps.catering.models import CatererOrder, CatererOrderVersion
from tenant_apps.catering.scheduling import catering_tick
from tenant_apps.outbox.models import OutboxMessage
from tests.catering import support
from tests.catering.support import MONDAY
from tests.conftest import inside, make_user

pytestmark = pytest.mark.django_db
PARIS_9H_MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def world(commune_alpha):
    with inside(commune_alpha):
        s = support.setting()
        # Declared on Monday at 08:00: no earlier cut-off is due.
        s["caterer"] = support.caterer(schools=[s["school"]], services=[s["service"]],
                                       created_at=PARIS_9H_MONDAY - timedelta(hours=1))
        s["child"] = support.child_at(s["klass"], s["service"])
        for n in (0, 1, 3, 4, 7, 8):  # Mon, Tue, Thu, Fri, next Mon, Tue
            support.book(s["child"], s["service"], MONDAY + timedelta(days=n))
        return s


def _runs(commune, kind=JobKind.CATERER_ORDER):
    return list(JobRun.objects.filter(commune=commune, kind=kind).order_by("due_at"))


def test_outage_then_every_due_run_once_in_order_and_one_email_each(commune_alpha, world):
    with inside(commune_alpha):
        before = catering_tick(now=PARIS_9H_MONDAY - timedelta(minutes=1))
        assert before.ran == []
        assert catering_tick(now=PARIS_9H_MONDAY + timedelta(seconds=20)).ran == [
            PARIS_9H_MONDAY]
        # The worker is down from Monday 09:01 to the next Tuesday 10:00; Redis drops the
        # ticks of that week. The first tick back catches up, oldest first.
        back = PARIS_9H_MONDAY + timedelta(days=8, hours=1)
        result = catering_tick(now=back)
        assert [t.astimezone(UTC).strftime("%a %d %H:%M") for t in result.ran] == [
            "Tue 01 08:00", "Thu 03 08:00", "Fri 04 08:00", "Mon 07 08:00", "Tue 08 08:00"]
        assert result.failed == []
        # Replayed ticks (a backlog of beat messages) change nothing.
        for minutes in (0, 1, 2):
            again = catering_tick(now=back + timedelta(minutes=minutes))
            assert again.ran == [] and again.amendments == 0
        runs = _runs(commune_alpha)
        assert [r.due_at for r in runs] == sorted(r.due_at for r in runs)
        assert len(runs) == 6 and {r.status for r in runs} == {JobRunStatus.SUCCEEDED}
        assert [r.started_at for r in runs][-5:] == [back] * 5
        orders = CatererOrder.objects.filter(caterer=world["caterer"]).order_by("day")
        assert [o.day.day for o in orders] == [30, 1, 3, 4, 7, 8]
        assert CatererOrderVersion.objects.filter(order__in=orders).count() == 6
        keys = list(OutboxMessage.objects.filter(idempotency_key__startswith="catering:")
                    .values_list("idempotency_key", flat=True))
        assert sorted(keys) == sorted(f"catering:order:{o.pk}:v1" for o in orders)
        late = OutboxMessage.objects.get(idempotency_key=f"catering:order:{orders[1].pk}:v1")
        assert late.subject.endswith("(envoi tardif)")


def test_changes_after_the_cutoff_are_sent_as_one_amendment(commune_alpha, world):
    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        catering_tick(now=PARIS_9H_MONDAY)
        from tenant_apps.bookings.services import booking_cancel

        booking_cancel(child=world["child"], service=world["service"], day=MONDAY,
                       actor=agent, now=PARIS_9H_MONDAY + timedelta(minutes=5))
        checked = catering_tick(now=PARIS_9H_MONDAY + timedelta(minutes=20))
        assert checked.amendments == 1
        assert catering_tick(now=PARIS_9H_MONDAY + timedelta(minutes=40)).amendments == 0
        order = CatererOrder.objects.get(caterer=world["caterer"], day=MONDAY)
        assert list(order.versions.values_list("number", "total")) == [(1, 1), (2, 0)]
        assert OutboxMessage.objects.filter(
            idempotency_key__startswith=f"catering:order:{order.pk}:").count() == 2
        (amendment_run,) = _runs(commune_alpha, JobKind.CATERER_AMENDMENT)[:1]
        assert amendment_run.result["amended"][0]["version"] == 2


def test_a_failing_run_is_recorded_then_retried(commune_alpha, world, monkeypatch):
    with inside(commune_alpha):
        real = services.caterer_order_compute

        def broken(**kwargs):
            raise ConnectionError("base du prestataire injoignable")

        monkeypatch.setattr("tenant_apps.catering.scheduling.caterer_order_compute", broken)
        result = catering_tick(now=PARIS_9H_MONDAY)
        assert result.failed == [PARIS_9H_MONDAY]
        (run,) = _runs(commune_alpha)
        assert run.status == JobRunStatus.FAILED and "injoignable" in run.error
        assert not CatererOrder.objects.filter(caterer=world["caterer"]).exists()
        monkeypatch.setattr("tenant_apps.catering.scheduling.caterer_order_compute", real)
        assert catering_tick(now=PARIS_9H_MONDAY + timedelta(minutes=1)).ran == []  # pause
        assert catering_tick(now=PARIS_9H_MONDAY + timedelta(minutes=6)).ran == [
            PARIS_9H_MONDAY]
        run.refresh_from_db()
        assert (run.status, run.attempts, run.error) == (JobRunStatus.SUCCEEDED, 2, "")
        assert CatererOrder.objects.filter(caterer=world["caterer"]).count() == 1


def test_the_next_cutoff_is_published_and_a_missed_one_is_an_alert(commune_alpha, world):
    with inside(commune_alpha):
        catering_tick(now=PARIS_9H_MONDAY)
    schedule = JobSchedule.objects.get(commune=commune_alpha, kind=JobKind.CATERER_ORDER)
    assert schedule.next_due_at == PARIS_9H_MONDAY + timedelta(days=1)
    # No worker: Tuesday 09:00 passes with no run.
    tuesday = schedule.next_due_at
    assert job_alerts(now=tuesday + timedelta(minutes=10)) == [] or all(
        a.schedule.commune_id != commune_alpha.pk
        for a in job_alerts(now=tuesday + timedelta(minutes=10)))
    alerts = [a for a in job_alerts(now=tuesday + timedelta(minutes=30))
              if a.schedule.commune_id == commune_alpha.pk]
    assert len(alerts) == 1 and alerts[0].late_label == "30 min"
    with inside(commune_alpha):
        catering_tick(now=tuesday + timedelta(minutes=31))
    assert not [a for a in job_alerts(now=tuesday + timedelta(minutes=32))
                if a.schedule.commune_id == commune_alpha.pk]
