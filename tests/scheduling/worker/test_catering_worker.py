"""Caterer orders through a real Celery worker on the real Redis broker, with an outage.

The worker runs Monday's 09:00 tick, then stops. While it is down, an agent changes a
booking after the cut-off, and beat's ticks pile up in Redis, one of them delivered twice
(a duplicate message). When the worker comes back, every due run happens once, in order,
the outbox holds exactly one message per order and per amendment, and each caterer email
is sent once."""

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail

from config.celery import app
from provisioning.schemas import schema_drop
from provisioning.services import commune_create, provisioning_job_run
from shared_apps.jobs.models import JobKind, JobRun, JobRunStatus
from tenant_apps.catering.models import CatererOrder
from tenant_apps.catering.tasks import catering_tick_task
from tenant_apps.outbox.models import OutboxMessage, OutboxStatus
from tenants.models import Commune
from tests.catering import support
from tests.catering.support import MONDAY
from tests.conftest import inside, make_user
from tests.jobs.test_celery_worker import _wait_for, private_queue  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
PARIS_9H_MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
CATERER_EMAIL = "cuisine@traiteur-worker.example"


class TickCounter:
    """How many catering ticks the worker finished (task_postrun, any thread)."""

    def __init__(self) -> None:
        self.done = 0
        self._lock = threading.Lock()

    def __call__(self, sender=None, **kwargs) -> None:
        if getattr(sender, "name", "") == catering_tick_task.name:
            with self._lock:
                self.done += 1


@pytest.fixture
def commune():
    slug = f"tick-{uuid.uuid4().hex[:6]}"
    job = commune_create(actor=None, name="Trébeurden", slug=slug, insee_code="22343",
                         contact_email="mairie@example.test", admin_email="dgs@example.test",
                         dispatch=False)
    provisioning_job_run(job_id=job.pk)
    row = Commune.objects.get(slug=slug)
    try:
        yield row
    finally:
        schema_drop(row.schema_name)
        row.delete()  # its job runs and schedules with it


@pytest.fixture
def world(commune):
    with inside(commune):
        s = support.setting()
        s["caterer"] = support.caterer(schools=[s["school"]], services=[s["service"]],
                                       created_at=PARIS_9H_MONDAY - timedelta(hours=1),
                                       emails=[CATERER_EMAIL])
        s["child"] = support.child_at(s["klass"], s["service"])
        for n in (0, 1, 3, 4, 7, 8):  # Mon, Tue, Thu, Fri, next Mon, Tue
            support.book(s["child"], s["service"], MONDAY + timedelta(days=n))
    return s


def _tick(commune: Commune, now: datetime) -> None:
    """What beat's fan-out sends for this commune (tenants.fanout.fan_out)."""
    catering_tick_task.apply_async(kwargs={"now": now.isoformat()},
                                   headers={"_schema_name": commune.schema_name})


def _all_sent(commune: Commune) -> bool:
    with inside(commune):
        return not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


def test_outage_then_due_runs_once_in_order_and_each_email_once(private_queue, commune,  # noqa: F811
                                                                world):
    counter = TickCounter()
    task_postrun.connect(counter, weak=False)
    try:
        with start_worker(app, queues=[private_queue], perform_ping_check=False):
            _tick(commune, PARIS_9H_MONDAY + timedelta(seconds=20))
            assert _wait_for(lambda: counter.done == 1)
            assert _wait_for(lambda: _all_sent(commune))
        # The worker is down. After the cut-off an agent cancels Monday's meal.
        agent = make_user(commune, role="agent")
        with inside(commune):
            from tenant_apps.bookings.services import booking_cancel

            booking_cancel(child=world["child"], service=world["service"], day=MONDAY,
                           actor=agent, now=PARIS_9H_MONDAY + timedelta(minutes=5))
        # Beat keeps ticking into Redis: Monday 09:20, then the next Tuesday 10:00, that
        # one twice (a duplicate message).
        back = PARIS_9H_MONDAY + timedelta(days=8, hours=1)
        _tick(commune, PARIS_9H_MONDAY + timedelta(minutes=20))
        _tick(commune, back)
        _tick(commune, back)
        time.sleep(0.5)
        assert counter.done == 1  # nobody runs them while the worker is down
        with inside(commune):
            assert CatererOrder.objects.count() == 1
        with start_worker(app, queues=[private_queue], perform_ping_check=False):
            assert _wait_for(lambda: counter.done == 4)
            assert _wait_for(lambda: _all_sent(commune))
    finally:
        task_postrun.disconnect(counter)

    runs = list(JobRun.objects.filter(commune=commune, kind=JobKind.CATERER_ORDER)
                .order_by("pk"))
    # Claimed in due order, each once, all succeeded.
    assert [r.due_at.strftime("%a %d %H:%M") for r in runs] == [
        "Mon 30 08:00", "Tue 01 08:00", "Thu 03 08:00", "Fri 04 08:00", "Mon 07 08:00",
        "Tue 08 08:00"]
    assert {(r.status, r.attempts) for r in runs} == {(JobRunStatus.SUCCEEDED, 1)}
    assert [r.started_at for r in runs[1:]] == [back] * 5
    (amendment_run,) = JobRun.objects.filter(commune=commune,
                                             kind=JobKind.CATERER_AMENDMENT)
    assert amendment_run.due_at == PARIS_9H_MONDAY + timedelta(minutes=15)
    with inside(commune):
        orders = {o.day.day: o for o in CatererOrder.objects.all()}
        assert sorted(orders) == [1, 3, 4, 7, 8, 30]
        keys = sorted(OutboxMessage.objects.filter(idempotency_key__startswith="catering:")
                      .values_list("idempotency_key", flat=True))
        expected = [f"catering:order:{o.pk}:v1" for o in orders.values()]
        expected.append(f"catering:order:{orders[30].pk}:v2")
        assert keys == sorted(expected)
    sent = [m for m in mail.outbox if m.to == [CATERER_EMAIL]]
    assert len(sent) == 7
    assert sum("Rectificatif" in m.subject for m in sent) == 1
