"""Back-office pages of booking reminders: agents read, administrators edit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tenant_apps.accounts.access import acting_user, administrator_required, agent_required
from tenant_apps.accounts.models import Role
from tenant_apps.backoffice.form_styles import add_service_errors
from tenant_apps.reminders import selectors, services
from tenant_apps.reminders.forms import ReminderForm
from tenant_apps.reminders.models import DEFAULT_BODY, DEFAULT_SUBJECT, BookingReminder
from tenant_apps.reminders.rules import ReminderRule, next_occurrence, target_week


@agent_required
def reminders_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = []
    for reminder in selectors.reminders_list():
        upcoming = None
        if reminder.active:
            rule = ReminderRule(reminder_id=reminder.pk, weekday=reminder.weekday,
                                at=reminder.at, not_before=reminder.schedule_set_at)
            at = next_occurrence(rule, now=now)
            upcoming = (timezone.localtime(at), *target_week(at))
        rows.append((reminder, upcoming))
    return render(request, "reminders/list.html", {
        "rows": rows,
        "can_admin": getattr(request.user, "role", None) == Role.ADMINISTRATOR,
    })


PREVIEW_HOUSEHOLDS = 100


@agent_required
def reminder_preview_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The email as its next sending will read, and who it would reach if it left now."""
    reminder = selectors.reminder_get(pk=pk)
    rule = ReminderRule(reminder_id=reminder.pk, weekday=reminder.weekday, at=reminder.at,
                        not_before=reminder.schedule_set_at)
    at = next_occurrence(rule, now=timezone.now())
    monday, sunday = target_week(at)
    recipients = selectors.reminder_recipients(audience=reminder.audience, monday=monday,
                                               sunday=sunday)
    return render(request, "reminders/preview.html", {
        "reminder": reminder, "at": timezone.localtime(at), "monday": monday,
        "sunday": sunday,
        "email": services.reminder_email(reminder=reminder, monday=monday, sunday=sunday),
        "recipients": recipients[:PREVIEW_HOUSEHOLDS], "count": len(recipients),
        "addresses": sum(len(r.emails) for r in recipients),
    })


def _form_page(request: HttpRequest, *, reminder: BookingReminder | None) -> HttpResponse:
    if reminder is None:
        initial = {"weekday": 3, "at": "18:00", "audience": "unbooked",
                   "subject": DEFAULT_SUBJECT, "body": DEFAULT_BODY, "active": True}
    else:
        initial = {name: getattr(reminder, name) for name in services.REMINDER_FIELDS}
    form = ReminderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.reminder_save(reminder=reminder, acting_user=acting_user(request),
                                   **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Rappel de réservation enregistré.")
            return redirect("backoffice:reminders:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "reminders/form.html", {"form": form, "reminder": reminder},
                  status=status)


@administrator_required
def reminder_create_page(request: HttpRequest) -> HttpResponse:
    return _form_page(request, reminder=None)


@administrator_required
def reminder_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, reminder=selectors.reminder_get(pk=pk))
