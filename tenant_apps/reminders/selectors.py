"""Reads of booking reminders: the list, the schedule's rules, and who receives one."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.http import Http404

from tenant_apps.bookings.calendar import service_runs_on
from tenant_apps.bookings.models import Booking, BookingState
from tenant_apps.bookings.selectors import school_holiday_zone
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Guardian
from tenant_apps.reminders.models import BookingReminder, ReminderAudience
from tenant_apps.reminders.rules import ReminderRule


def reminders_list() -> QuerySet[BookingReminder]:
    return BookingReminder.objects.order_by("weekday", "at", "pk")


def reminder_get(*, pk: int) -> BookingReminder:
    reminder = BookingReminder.objects.filter(pk=pk).first()
    if reminder is None:
        raise Http404("Rappel inconnu.")
    return reminder


def reminder_rules() -> list[ReminderRule]:
    """The active reminders as plain values for the pure due-time rules."""
    return [
        ReminderRule(reminder_id=r.pk, weekday=r.weekday, at=r.at, not_before=r.schedule_set_at)
        for r in BookingReminder.objects.filter(active=True).order_by("pk")
    ]


@dataclass(frozen=True)
class HouseholdRecipients:
    household_id: int
    household_name: str
    emails: list[str]


def services_running(monday: date, sunday: date) -> list[int]:
    """Active services that run at least one day of the week (calendar, holidays)."""
    zone = school_holiday_zone()
    days = [monday + timedelta(days=n) for n in range((sunday - monday).days + 1)]
    return [
        s.pk for s in Service.objects.filter(active=True).only("pk", "weekdays", "calendar")
        if any(service_runs_on(s.weekdays, s.calendar, day, zone) for day in days)
    ]


def reminder_recipients(*, audience: str, monday: date, sunday: date) -> list[HouseholdRecipients]:
    """The households a reminder about the week monday..sunday reaches, with the distinct
    email addresses of their guardians (households nobody can be mailed at are left out).

    Concerned: a household that registered a child to a service running that week, for a
    school year covering the week. With the "unbooked" audience, a household is left out
    as soon as one of those children (or the household itself) has a booking that week
    in any state but cancelled (a waiting-list request counts: they did book)."""
    registrations = Registration.objects.filter(
        service_id__in=services_running(monday, sunday),
        school_year__starts_on__lte=sunday, school_year__ends_on__gte=monday,
    ).values_list("household_id", "child_id")
    children: dict[int, set[int]] = defaultdict(set)
    for household_id, child_id in registrations:
        children[household_id].add(child_id)
    if audience == ReminderAudience.UNBOOKED and children:
        week = Booking.objects.filter(day__range=(monday, sunday)).exclude(
            state=BookingState.CANCELLED)
        booked_children = set(week.values_list("child_id", flat=True))
        booked_households = set(week.values_list("household_id", flat=True))
        children = {
            hid: kids for hid, kids in children.items()
            if hid not in booked_households and not kids & booked_children
        }
    emails: dict[int, list[str]] = defaultdict(list)
    names: dict[int, str] = {}
    guardians = (
        Guardian.objects.filter(household_id__in=list(children)).exclude(email="")
        .order_by("household__name", "household_id", "pk")
        .values_list("household_id", "household__name", "email")
    )
    for household_id, name, email in guardians:
        address = email.strip()
        if address.lower() not in {e.lower() for e in emails[household_id]}:
            emails[household_id].append(address)
        names[household_id] = name
    return [
        HouseholdRecipients(household_id=hid, household_name=names[hid], emails=addresses)
        for hid, addresses in emails.items()
    ]
