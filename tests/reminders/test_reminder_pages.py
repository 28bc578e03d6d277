"""The back-office page /gestion/rappels/: agents read, administrators edit, French
validation, a link from the settings page."""

import pytest

from tenant_apps.history.models import ChangeRecord
from tenant_apps.reminders.models import BookingReminder
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db
VALID = {"weekday": "3", "at": "18:00", "audience": "unbooked", "subject": "Pensez à réserver",
         "body": "Réservez la semaine prochaine avant jeudi.", "active": "on"}


def test_an_administrator_creates_and_edits_a_reminder(commune_alpha):
    admin = logged_in_client(commune_alpha, make_user(commune_alpha, role="administrator"))
    page = admin.get("/gestion/rappels/nouveau/")
    assert page.status_code == 200
    assert "Pensez à réserver la semaine prochaine avant jeudi" in page.content.decode()
    response = admin.post("/gestion/rappels/nouveau/", VALID)
    assert response.status_code == 302 and response["Location"] == "/gestion/rappels/"
    with inside(commune_alpha):
        reminder = BookingReminder.objects.latest("pk")
        assert (reminder.weekday, f"{reminder.at:%H:%M}", reminder.active) == (3, "18:00", True)
        assert ChangeRecord.objects.filter(entity="booking_reminder",
                                           entity_id=reminder.pk).exists()
    listing = admin.get("/gestion/rappels/").content.decode()
    assert "chaque mercredi à 18:00" in listing and "Prochain envoi" in listing
    edit = f"/gestion/rappels/{reminder.pk}/modifier/"
    assert admin.post(edit, {**VALID, "weekday": "4", "active": ""}).status_code == 302
    with inside(commune_alpha):
        reminder.refresh_from_db()
        assert (reminder.weekday, reminder.active) == (4, False)


def test_bad_input_gets_french_messages_and_changes_nothing(commune_alpha):
    admin = logged_in_client(commune_alpha, make_user(commune_alpha, role="administrator"))
    with inside(commune_alpha):
        before = BookingReminder.objects.count()
    response = admin.post("/gestion/rappels/nouveau/",
                          {**VALID, "at": "25:99", "subject": "  ", "weekday": "9", "body": ""})
    assert response.status_code == 400
    text = response.content.decode()
    for message in ("Heure invalide", "Indiquez l&#x27;objet du rappel",
                    "Choisissez le jour d&#x27;envoi", "Écrivez le message du rappel"):
        assert message in text
    with inside(commune_alpha):
        assert BookingReminder.objects.count() == before


def test_agents_read_but_cannot_edit(commune_alpha):
    agent = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    assert agent.get("/gestion/rappels/").status_code == 200
    assert agent.get("/gestion/rappels/nouveau/").status_code == 403
    assert agent.post("/gestion/rappels/nouveau/", VALID).status_code == 403


def test_the_settings_page_links_to_the_reminders(commune_alpha):
    admin = logged_in_client(commune_alpha, make_user(commune_alpha, role="administrator"))
    assert 'href="/gestion/rappels/"' in admin.get("/gestion/parametres/").content.decode()


def test_preview_shows_the_email_and_who_it_would_reach_now(commune_alpha):
    """Agents see the next email as it will read and the households it would reach if it
    left now (same selection as the sending); another family that booked is not there."""
    from datetime import timedelta

    from django.utils import timezone

    from tenant_apps.reminders.rules import ReminderRule, next_occurrence, target_week
    from tests.bookings import support as bookings
    from tests.reminders import support

    admin = make_user(commune_alpha, role="administrator")
    with inside(commune_alpha):
        bookings.school_year()
        service = bookings.service(name="Repas aperçu")
        reminder = support.reminder(admin)
        rule = ReminderRule(reminder_id=reminder.pk, weekday=reminder.weekday,
                            at=reminder.at, not_before=reminder.schedule_set_at)
        monday, _ = target_week(next_occurrence(rule, now=timezone.now()))
        reached = support.family(service, emails=("attente@famille.example",))
        booked = support.family(service, emails=("deja@famille.example",))
        support.book(booked, service, monday + timedelta(days=1))
    agent = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    listing = agent.get("/gestion/rappels/").content.decode()
    assert f"/gestion/rappels/{reminder.pk}/apercu/" in listing
    page = agent.get(f"/gestion/rappels/{reminder.pk}/apercu/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Pensez à réserver la semaine prochaine avant jeudi." in body
    assert f"Semaine du lundi {monday.day}" in body
    assert "attente@famille.example" in body and reached.name in body
    assert "deja@famille.example" not in body
    assert agent.get("/gestion/rappels/999999/apercu/").status_code == 404
