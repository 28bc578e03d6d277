"""Booking reminders: another commune's reminder is a 404 and nothing changes; a tick of
one commune never reads or writes another's reminders, outbox or job runs."""

import pytest

from shared_apps.jobs.models import JobKind, JobRun
from tenant_apps.outbox.models import OutboxMessage
from tenant_apps.reminders.models import BookingReminder
from tenant_apps.reminders.scheduling import reminders_tick
from tests.conftest import inside, logged_in_client, make_user
from tests.reminders import support
from tests.reminders.support import WED_18H

pytestmark = pytest.mark.django_db


def test_another_communes_reminder_is_404_and_unchanged(commune_alpha, commune_beta):
    beta_admin = make_user(commune_beta, role="administrator")
    with inside(commune_beta):
        theirs = support.reminder(beta_admin)
    with inside(commune_alpha):
        if BookingReminder.objects.filter(pk=theirs.pk).exists():
            pytest.skip("same id in both communes: the path below would be alpha's own")
    admin = logged_in_client(commune_alpha, make_user(commune_alpha, role="administrator"))
    edit = f"/gestion/rappels/{theirs.pk}/modifier/"
    assert admin.get(edit).status_code == 404
    assert admin.get(f"/gestion/rappels/{theirs.pk}/apercu/").status_code == 404
    assert admin.post(edit, {"weekday": "1", "at": "08:00", "audience": "registered",
                             "subject": "Piraté", "body": "Piraté"}).status_code == 404
    assert "Aucun rappel de réservation" in admin.get("/gestion/rappels/").content.decode()
    with inside(commune_beta):
        theirs.refresh_from_db()
        assert theirs.subject == "Pensez à réserver" and theirs.weekday == 3


def test_a_tick_of_one_commune_touches_only_its_own_reminders(commune_alpha, commune_beta):
    beta_admin = make_user(commune_beta, role="administrator")
    alpha_admin = make_user(commune_alpha, role="administrator")
    with inside(commune_beta):
        support.world()
        support.reminder(beta_admin)
    with inside(commune_alpha):
        support.world()
        support.reminder(alpha_admin)
        assert reminders_tick(now=WED_18H).ran == [WED_18H]
    assert JobRun.objects.filter(kind=JobKind.BOOKING_REMINDER, commune=commune_beta).count() == 0
    with inside(commune_beta):
        assert not OutboxMessage.objects.filter(idempotency_key__startswith="reminder:").exists()
