"""Demo commune bookings: a school year of bookings, attendance and one closure.

For every service, each registered child is booked on 3 or 4 of the service's weekdays
(every Wednesday for the Wednesday centre) from the start of the current school year to
four weeks after today, through the mass booking service (one plan and one bulk apply per
service). Past days are then marked as the animateur would (mostly present, a few
justified or unjustified absences), and one class has a school trip day (a closure of its
lunches and after-school care).

Idempotent: a service already seeded (a MassBooking by the demo account) is left alone, as
is the closure once it exists; re-running changes nothing."""

import datetime
import random
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone

WEEKS_AHEAD = 4
TRIP_LABEL = "Sortie scolaire à l'Île-Grande"
TRIP_SERVICES = ("Repas enfant", "Accueil périscolaire soir")
# Attendance of past booked days: (state, weight).
ATTENDANCE_DRAW = (("attended", 92), ("absent_justified", 5), ("absent_unjustified", 3))


def _seed_actor(slug: str) -> Any:
    """Who the demo's mass bookings are recorded as (also the idempotency marker)."""
    return SimpleNamespace(pk=None, email=f"reprise-demo@{slug}.demo")


def _weekdays(rng: random.Random, service_weekdays: list[int]) -> list[int]:
    if len(service_weekdays) <= 3:
        return sorted(service_weekdays)
    return sorted(rng.sample(service_weekdays, rng.choice((3, 4))))


def _mark_past_days(*, booking_ids: list[int], rng: random.Random,
                    marker: Any) -> int:
    """Attendance of past booked days in bulk (what attendance_mark writes, per row)."""
    from tenant_apps.bookings.attendance import ATTENDANCE_REASON
    from tenant_apps.bookings.models import Booking, BookingEvent, BookingState

    states = [s for s, _ in ATTENDANCE_DRAW]
    weights = [w for _, w in ATTENDANCE_DRAW]
    by_state: dict[str, list[int]] = defaultdict(list)
    for pk in booking_ids:
        by_state[rng.choices(states, weights=weights)[0]].append(pk)
    now = timezone.now()
    for state, ids in by_state.items():
        Booking.objects.filter(pk__in=ids, state=BookingState.BOOKED).update(
            state=state, updated_at=now)
    BookingEvent.objects.bulk_create([
        BookingEvent(booking_id=pk, from_state=BookingState.BOOKED, to_state=state,
                     actor_id=getattr(marker, "pk", None),
                     actor_email=getattr(marker, "email", "") or "", actor_is_agent=True,
                     past_deadline=True, reason=ATTENDANCE_REASON)
        for state, ids in by_state.items() for pk in ids
    ], batch_size=5000)
    return len(booking_ids)


def _seed_service(*, service: Any, year: Any, ends_on: datetime.date, today: datetime.date,
                  slug: str, marker: Any) -> int:
    from tenant_apps.bookings.mass import ADD, mass_booking_apply, mass_booking_plan
    from tenant_apps.bookings.models import Booking, BookingState, MassBooking
    from tenant_apps.catalog.models import Registration
    from tenant_apps.families.models import Child

    actor = _seed_actor(slug)
    if MassBooking.objects.filter(created_by_email=actor.email,
                                  parameters__service=service.pk).exists():
        return 0
    child_ids = sorted(set(Registration.objects.filter(service=service, school_year=year)
                           .values_list("child_id", flat=True)))
    if not child_ids:
        return 0
    rng = random.Random(f"{slug}-bookings-{service.name}")  # noqa: S311 - demo data
    children = list(Child.objects.filter(pk__in=child_ids).order_by("pk").only("pk"))
    plan = mass_booking_plan(
        service=service, children=children,
        weekdays_per_child={c.pk: _weekdays(rng, list(service.weekdays)) for c in children},
        starts_on=year.starts_on, ends_on=ends_on, action=ADD, school_weeks_only=False,
    )
    with transaction.atomic():
        mass = mass_booking_apply(plan=plan, actor=actor)
        past = list(Booking.objects.filter(
            service=service, day__gte=year.starts_on, day__lt=today, state=BookingState.BOOKED,
        ).order_by("pk").values_list("pk", flat=True))
        _mark_past_days(booking_ids=past, rng=rng, marker=marker)
    return int(mass.summary.get("created", 0))


def _trip_day(service: Any, *, today: datetime.date, ends_on: datetime.date) -> Any:
    """The first Thursday at least a week ahead on which the service runs."""
    from tenant_apps.bookings.calendar import service_runs_on
    from tenant_apps.commune_settings.selectors import commune_settings_get

    zone = commune_settings_get().school_holiday_zone
    day = today + datetime.timedelta(days=7)
    while day <= ends_on:
        if day.isoweekday() == 4 and service_runs_on(service.weekdays, service.calendar, day,
                                                     zone):
            return day
        day += datetime.timedelta(days=1)
    return None


def _seed_trip(*, year: Any, today: datetime.date, ends_on: datetime.date, slug: str) -> None:
    from tenant_apps.bookings.closures import closure_create
    from tenant_apps.bookings.models import ClosurePeriod
    from tenant_apps.catalog.models import Service
    from tenant_apps.schooling.models import SchoolClass

    if ClosurePeriod.objects.filter(label=TRIP_LABEL).exists():
        return
    services = list(Service.objects.filter(name__in=TRIP_SERVICES).order_by("pk"))
    classes = list(SchoolClass.objects.filter(school_year=year, levels__contains=["CE2"])
                   .order_by("pk")[:1])
    if not services or not classes:
        return
    day = _trip_day(services[0], today=today, ends_on=ends_on)
    if day is None:
        return
    closure_create(label=TRIP_LABEL, starts_on=day, ends_on=day, services=services,
                   classes=classes, actor=_seed_actor(slug))


def seed_bookings(*, slug: str, today: datetime.date | None = None) -> int:
    """Seed the current school year's bookings (in the current schema); returns how many
    bookings were created (0 when already seeded)."""
    from tenant_apps.accounts.models import User
    from tenant_apps.catalog.models import Service
    from tenant_apps.schooling.models import SchoolYear

    today = today or timezone.localdate()
    year = SchoolYear.objects.filter(is_current=True).first()
    if year is None:
        return 0
    ends_on = min(today + datetime.timedelta(weeks=WEEKS_AHEAD), year.ends_on)
    if ends_on < year.starts_on:
        return 0
    marker = User.objects.filter(email=f"animateur@{slug}.demo").first()
    created = 0
    for service in Service.objects.filter(active=True).order_by("pk"):
        created += _seed_service(service=service, year=year, ends_on=ends_on, today=today,
                                 slug=slug, marker=marker)
    _seed_trip(year=year, today=today, ends_on=ends_on, slug=slug)
    return created
