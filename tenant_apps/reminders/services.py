"""Writing booking reminders (back office) and sending one due reminder (the tick)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, linebreaks

from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.history.models import ChangeAction
from tenant_apps.history.services import change_record, snapshot
from tenant_apps.outbox.services import outbox_email_enqueue
from tenant_apps.reminders import selectors
from tenant_apps.reminders.models import BookingReminder, ReminderAudience
from tenant_apps.reminders.rules import target_week

REMINDER_FIELDS = ["weekday", "at", "active", "audience", "subject", "body"]
SCHEDULE_FIELDS = ("weekday", "at", "active")


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    cleaned["subject"] = " ".join(str(fields.get("subject") or "").split())
    cleaned["body"] = str(fields.get("body") or "").strip()
    if not cleaned["subject"]:
        errors["subject"] = "Indiquez l'objet du rappel."
    elif len(cleaned["subject"]) > 200:
        errors["subject"] = "L'objet ne doit pas dépasser 200 caractères."
    if not cleaned["body"]:
        errors["body"] = "Écrivez le message du rappel."
    if fields.get("weekday") not in range(1, 8):
        errors["weekday"] = "Choisissez le jour d'envoi."
    if fields.get("at") is None:
        errors["at"] = "Indiquez l'heure d'envoi (par exemple 18:00)."
    if fields.get("audience") not in ReminderAudience.values:
        errors["audience"] = "Choisissez les destinataires."
    if errors:
        raise ValidationError(errors)
    cleaned["at"] = cleaned["at"].replace(second=0, microsecond=0, tzinfo=None)
    return cleaned


@transaction.atomic
def reminder_save(
    *, reminder: BookingReminder | None, acting_user: Any, now: datetime | None = None,
    **fields: Any,
) -> BookingReminder:
    """Create (reminder=None) or update a booking reminder (fields: REMINDER_FIELDS).

    Changing its day, time or switching it on restarts its schedule: due times before
    now are never sent (no surprise email the minute a reminder is moved earlier)."""
    unknown = set(fields) - set(REMINDER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    fields.setdefault("active", True)
    cleaned = _clean(fields)
    now = now or timezone.now()
    if reminder is None:
        reminder = BookingReminder.objects.create(schedule_set_at=now, **cleaned)
        before, action = None, ChangeAction.CREATE
    else:
        reminder = BookingReminder.objects.select_for_update().get(pk=reminder.pk)
        before, action = snapshot(reminder, REMINDER_FIELDS), ChangeAction.UPDATE
        moved = any(getattr(reminder, name) != cleaned[name] for name in SCHEDULE_FIELDS)
        for name, value in cleaned.items():
            setattr(reminder, name, value)
        if moved:
            reminder.schedule_set_at = now
        reminder.save()
    change_record(
        actor=acting_user, entity="booking_reminder", entity_id=reminder.pk, action=action,
        before=before, after=snapshot(reminder, REMINDER_FIELDS),
        summary=f"Rappel de réservation « {reminder.subject} » enregistré",
    )
    from tenant_apps.reminders.scheduling import reminders_schedule_publish

    transaction.on_commit(reminders_schedule_publish)
    return reminder


def _day(day: date) -> str:
    return date_format(day, "l j F Y")


def reminder_email(*, reminder: BookingReminder, monday: date, sunday: date) -> dict[str, str]:
    """Subject, text and HTML of the reminder about the week monday..sunday."""
    commune = commune_settings_get().display_name
    week = f"Semaine du {_day(monday)} au {_day(sunday)}."
    text = f"{reminder.body}\n\n{week}\n\n{commune}"
    return {"subject": reminder.subject, "body_text": text,
            "body_html": linebreaks(escape(text))}


@dataclass(frozen=True)
class ReminderSent:
    reminder_id: int
    households: int


def reminder_send(*, reminder: BookingReminder, due_at: datetime) -> ReminderSent:
    """One email per concerned household for the reminder due at `due_at`, through the
    outbox (idempotency key per reminder, due time and household: a replay sends
    nothing more). Call it in the run's transaction."""
    monday, sunday = target_week(due_at)
    email = reminder_email(reminder=reminder, monday=monday, sunday=sunday)
    recipients = selectors.reminder_recipients(audience=reminder.audience, monday=monday,
                                               sunday=sunday)
    stamp = due_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    for household in recipients:
        outbox_email_enqueue(
            recipients=household.emails,
            idempotency_key=f"reminder:{reminder.pk}:{stamp}:{household.household_id}",
            **email,
        )
    return ReminderSent(reminder_id=reminder.pk, households=len(recipients))
