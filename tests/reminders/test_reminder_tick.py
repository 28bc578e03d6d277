"""The reminders tick: a due reminder is sent once (JobRun unique, outbox keys per
reminder, due time and household), replays send nothing, an outage sends only the last
missed reminder (and none once the announced week has started), and only the intended
households receive it."""

from datetime import UTC, datetime, time, timedelta

import pytest

from shared_apps.jobs.models import JobKind, JobRun, JobRunStatus, JobSchedule
from tenant_apps.outbox.models import OutboxMessage
from tenant_apps.reminders.scheduling import reminders_tick
from tenant_apps.reminders.services import reminder_save
from tests.conftest import inside, make_user
from tests.reminders import support
from tests.reminders.support import WED_18H

pytestmark = pytest.mark.django_db
WEEK = timedelta(days=7)


@pytest.fixture
def admin(commune_alpha):
    return make_user(commune_alpha, role="administrator")


def _runs(commune):
    return list(JobRun.objects.filter(commune=commune, kind=JobKind.BOOKING_REMINDER)
                .order_by("due_at"))


def _messages():
    return OutboxMessage.objects.filter(idempotency_key__startswith="reminder:")


def _households(reminder, due_at):
    stamp = due_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    prefix = f"reminder:{reminder.pk}:{stamp}:"
    return {int(k.rsplit(":", 1)[1]) for k in
            _messages().filter(idempotency_key__startswith=prefix)
            .values_list("idempotency_key", flat=True)}


def test_sent_once_to_the_unbooked_households_and_replays_send_nothing(commune_alpha, admin):
    with inside(commune_alpha):
        w = support.world()
        reminder = support.reminder(admin)
        assert reminders_tick(now=WED_18H - timedelta(minutes=1)).ran == []
        result = reminders_tick(now=WED_18H + timedelta(seconds=20))
        assert result.ran == [WED_18H] and result.failed == []
        expected = {w["unbooked"].pk, w["cancelled"].pk, w["booked_other_week"].pk}
        assert _households(reminder, WED_18H) == expected
        assert result.households == 3
        count = _messages().count()
        for later in (timedelta(minutes=1), timedelta(hours=2), timedelta(days=1)):
            again = reminders_tick(now=WED_18H + later)
            assert again.ran == [] and again.households == 0
        assert _messages().count() == count == 3
        (run,) = _runs(commune_alpha)
        assert run.status == JobRunStatus.SUCCEEDED
        assert run.result["reminders"][0]["households"] == 3
        stamp = "20261125T1700Z"
        message = _messages().get(
            idempotency_key=f"reminder:{reminder.pk}:{stamp}:{w['unbooked'].pk}")
        # One message per household, its guardians' distinct addresses.
        assert message.recipients == ["a@famille.example", "b@famille.example"]
        assert message.subject == "Pensez à réserver"
        assert "Semaine du lundi 30 novembre 2026 au dimanche 6 décembre 2026" in (
            message.body_text)
        schedule = JobSchedule.objects.get(commune=commune_alpha, kind=JobKind.BOOKING_REMINDER)
        assert schedule.next_due_at == WED_18H + WEEK


def test_the_all_registered_audience_includes_households_who_booked(commune_alpha, admin):
    with inside(commune_alpha):
        w = support.world()
        reminder = support.reminder(admin, audience="registered")
        reminders_tick(now=WED_18H)
        assert _households(reminder, WED_18H) == {
            w[k].pk for k in ("unbooked", "booked", "cancelled", "waiting", "booked_other_week")}


def test_an_outage_of_three_weeks_sends_only_the_last_reminder(commune_alpha, admin):
    with inside(commune_alpha):
        support.world()
        reminder = support.reminder(admin)
        first = WED_18H - 3 * WEEK
        assert reminders_tick(now=first).ran == [first]
        # The worker is down from Wednesday 4 to Friday 27 November: 3 reminders missed.
        back = WED_18H + timedelta(days=2, hours=-8)
        result = reminders_tick(now=back)
        assert result.ran == [WED_18H]
        assert [r.due_at for r in _runs(commune_alpha)] == [first, WED_18H]
        for missed in (first + WEEK, first + 2 * WEEK):
            assert _households(reminder, missed) == set()
        assert reminders_tick(now=back + timedelta(minutes=1)).ran == []


def test_no_catch_up_once_the_announced_week_has_started(commune_alpha, admin):
    with inside(commune_alpha):
        support.world()
        support.reminder(admin)
        monday_9h = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
        assert reminders_tick(now=monday_9h).ran == []
        assert _runs(commune_alpha) == [] and not _messages().exists()


def test_moving_a_reminder_earlier_does_not_send_it_at_once(commune_alpha, admin):
    with inside(commune_alpha):
        support.world()
        reminder = support.reminder(admin, weekday=5)  # Friday
        thursday = WED_18H + timedelta(days=1)
        reminder_save(reminder=reminder, acting_user=admin, now=thursday, weekday=3,
                      at=time(18, 0), audience="unbooked", subject="Pensez à réserver",
                      body="Texte", active=True)
        assert reminders_tick(now=thursday + timedelta(minutes=1)).ran == []
        assert reminders_tick(now=WED_18H + WEEK).ran == [WED_18H + WEEK]


def test_an_inactive_reminder_is_never_sent(commune_alpha, admin):
    with inside(commune_alpha):
        support.world()
        reminder = support.reminder(admin)
        reminder.active = False
        reminder.save()
        assert reminders_tick(now=WED_18H).ran == []
        assert JobSchedule.objects.get(commune=commune_alpha,
                                       kind=JobKind.BOOKING_REMINDER).next_due_at is None


def test_a_failing_run_is_recorded_then_retried(commune_alpha, admin, monkeypatch):
    with inside(commune_alpha):
        support.world()
        reminder = support.reminder(admin)

        def broken(**kwargs):
            raise ConnectionError("serveur injoignable")

        from tenant_apps.reminders import scheduling

        real = scheduling.reminder_send
        monkeypatch.setattr(scheduling, "reminder_send", broken)
        assert reminders_tick(now=WED_18H).failed == [WED_18H]
        assert not _messages().exists()
        monkeypatch.setattr(scheduling, "reminder_send", real)
        assert reminders_tick(now=WED_18H + timedelta(minutes=1)).ran == []  # pause
        assert reminders_tick(now=WED_18H + timedelta(minutes=6)).ran == [WED_18H]
        (run,) = _runs(commune_alpha)
        assert (run.status, run.attempts) == (JobRunStatus.SUCCEEDED, 2)
        assert len(_households(reminder, WED_18H)) == 3


def test_the_catering_beat_fans_out_the_reminders_tick_per_commune(
        commune_alpha, commune_beta, monkeypatch):
    from tenant_apps.catering.tasks import catering_tick_task, fan_out_catering_tick
    from tenant_apps.reminders.tasks import reminders_tick_task

    sent: list[tuple[str, str]] = []
    for task in (catering_tick_task, reminders_tick_task):
        monkeypatch.setattr(task, "apply_async", lambda kwargs, headers, name=task.name:
                            sent.append((name, headers["_schema_name"])))
    fan_out_catering_tick()
    reminders = {schema for name, schema in sent if name == reminders_tick_task.name}
    assert {commune_alpha.schema_name, commune_beta.schema_name} <= reminders
    assert reminders == {schema for name, schema in sent if name == catering_tick_task.name}
