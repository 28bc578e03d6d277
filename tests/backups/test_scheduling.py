"""Which communes are due for a backup, and the beat task that enqueues them, read back
from the real Redis broker."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from backups.models import BackupRecord, BackupStatus
from backups.selectors import backup_overdue, communes_due_for_backup, last_successful_backups
from backups.tasks import schedule_backups
from config.celery import app
from tenants.models import Commune

pytestmark = pytest.mark.django_db


def backup_at(commune: Commune, minutes_ago: int, status: str = BackupStatus.SUCCEEDED) -> None:
    moment = timezone.now() - timedelta(minutes=minutes_ago)
    BackupRecord.objects.create(
        commune=commune,
        commune_slug=commune.slug,
        schema_name=commune.schema_name,
        status=status,
        started_at=moment,
        finished_at=moment + timedelta(seconds=5),
    )


def due_slugs() -> set[str]:
    return {c.slug for c in communes_due_for_backup(now=timezone.now())} & {"alpha", "beta"}


def test_never_backed_up_communes_are_due(commune_alpha, commune_beta):
    assert due_slugs() == {"alpha", "beta"}


def test_only_communes_past_their_interval_are_due(commune_alpha, commune_beta):
    backup_at(commune_alpha, 20)
    backup_at(commune_beta, 61)
    assert due_slugs() == {"beta"}


def test_interval_is_per_commune(commune_alpha, commune_beta):
    Commune.objects.filter(pk=commune_alpha.pk).update(backup_interval_minutes=15)
    backup_at(commune_alpha, 20)
    backup_at(commune_beta, 20)
    assert due_slugs() == {"alpha"}


def test_failed_attempts_do_not_count_and_running_ones_block(commune_alpha, commune_beta):
    backup_at(commune_alpha, 5, status=BackupStatus.FAILED)
    backup_at(commune_beta, 3, status=BackupStatus.RUNNING)
    assert due_slugs() == {"alpha"}


def test_suspended_communes_are_never_due(commune_alpha, commune_beta):
    Commune.objects.filter(pk=commune_beta.pk).update(status="suspended")
    assert due_slugs() == {"alpha"}


def test_overdue_alert_after_twice_the_interval(commune_alpha):
    now = timezone.now()
    backup_at(commune_alpha, 119)
    assert not backup_overdue(commune_alpha, last_successful_backups()[commune_alpha.pk], now)
    backup_at(commune_alpha, 121)  # older: the newest (119 min) still counts
    BackupRecord.objects.filter(started_at__gt=now - timedelta(minutes=120)).delete()
    assert backup_overdue(commune_alpha, last_successful_backups()[commune_alpha.pk], now)


@pytest.fixture
def backups_queue():
    """Route the backup task to a queue of this test only, read back with kombu."""
    queue = f"test-backups-{uuid.uuid4().hex[:10]}"
    previous = app.conf.task_routes

    def reroute(routes):  # type: ignore[no-untyped-def]
        app.conf.task_routes = routes
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)

    reroute({"backups.tasks.backup_commune_task": {"queue": queue}})
    with app.connection_for_write() as conn:
        simple = conn.SimpleQueue(queue)
        simple.clear()
        try:
            yield simple
        finally:
            reroute(previous)
            simple.clear()
            conn.default_channel.queue_delete(queue)
            simple.close()


def test_beat_task_enqueues_one_public_task_per_due_commune(
    commune_alpha, commune_beta, backups_queue
):
    backup_at(commune_alpha, 10)
    expected = {c.pk for c in communes_due_for_backup(now=timezone.now())}
    assert commune_beta.pk in expected and commune_alpha.pk not in expected

    assert schedule_backups() == len(expected)

    messages = []
    while True:
        try:
            message = backups_queue.get(timeout=0.5)
        except backups_queue.Empty:
            break
        message.ack()
        messages.append(message)
    assert {m.headers["_schema_name"] for m in messages} == {"public"}
    assert {m.headers["task"] for m in messages} == {"backups.tasks.backup_commune_task"}
    assert {tuple(m.decode()[0]) for m in messages} == {(pk, "scheduled") for pk in expected}
