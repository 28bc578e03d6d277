"""Mass booking (Réserver en masse): plan first (dry run), then apply in one transaction.

`mass_booking_plan` reads the database but writes nothing: which cells will be booked
(or put on the waiting list when the service is full), which existing non-invoiced
bookings are rebooked or, with action "replace", cancelled, and which cells are refused
and why. `mass_booking_apply` writes the plan with bulk operations, one BookingEvent per
changed booking (reason "mass:<MassBooking id>") and a MassBooking row with the summary.
Applying the same plan twice changes nothing the second time."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from tenant_apps.bookings.calendar import is_school_holiday, service_runs_on
from tenant_apps.bookings.closures import closed_cells
from tenant_apps.bookings.custody import agreed_ranges
from tenant_apps.bookings.models import (
    PLACE_HOLDING_STATES,
    Booking,
    BookingEvent,
    BookingState,
    MassBooking,
)
from tenant_apps.bookings.rules import household_for_day
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.families.models import Child, ChildHousehold

ADD = "add"
REPLACE = "replace"
ACTIONS = (ADD, REPLACE)
MAX_DAYS = 400

REASON_NOT_REGISTERED = "Pas inscrit(e) à la prestation pour cette année scolaire"
REASON_CLOSED = "Fermeture"
REASON_CANCEL_INVOICED = "Annulation déjà facturée : inchangée"
REASON_KEEP_INVOICED = "Réservation déjà facturée : conservée"
HELD = frozenset({*PLACE_HOLDING_STATES, BookingState.WAITING})
REPLACEABLE = (BookingState.BOOKED, BookingState.WAITING)


@dataclass(frozen=True)
class PlannedCell:
    child_id: int
    household_id: int
    day: date
    state: str  # booked, or waiting when the service is full that day


@dataclass(frozen=True)
class Refusal:
    child_id: int
    day: date
    reason: str


@dataclass
class MassBookingPlan:
    service: Service
    parameters: dict[str, Any]
    create: list[PlannedCell] = field(default_factory=list)
    rebook: list[tuple[int, str]] = field(default_factory=list)  # (booking id, new state)
    cancel: list[int] = field(default_factory=list)  # booking ids
    refused: list[Refusal] = field(default_factory=list)
    unchanged: int = 0
    days: int = 0
    # Per child id: "booked", "waiting" (new or reactivated), "rebooked", "cancelled",
    # "unchanged", "refused" counts: what the preview lists child by child.
    by_child: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def summary(self) -> dict[str, Any]:
        states = Counter(c.state for c in self.create) + Counter(s for _, s in self.rebook)
        return {
            "booked": states.get(BookingState.BOOKED, 0),
            "waiting": states.get(BookingState.WAITING, 0),
            "created": len(self.create),
            "rebooked": len(self.rebook),
            "cancelled": len(self.cancel),
            "unchanged": self.unchanged,
            "refused": len(self.refused),
            "refused_by_reason": dict(Counter(r.reason for r in self.refused)),
            "days": self.days,
        }


def _validate(
    *, service: Service, children: Sequence[Child], weekdays_per_child: Mapping[int, Iterable[int]],
    starts_on: date, ends_on: date, action: str,
) -> None:
    errors: dict[str, list[str]] = {}
    if not children:
        errors["children"] = ["Cochez au moins un enfant."]
    if not any(set(weekdays_per_child.get(c.pk, ())) for c in children):
        errors["weekdays"] = ["Cochez au moins un jour de la semaine."]
    if ends_on < starts_on:
        errors["ends_on"] = ["La date de fin doit être postérieure ou égale à la date de début."]
    elif (ends_on - starts_on).days > MAX_DAYS:
        errors["ends_on"] = ["La période ne peut pas dépasser une année scolaire."]
    if action not in ACTIONS:
        errors["action"] = ["Action inconnue."]
    if errors:
        raise ValidationError(errors)


def mass_booking_days(
    *, service: Service, starts_on: date, ends_on: date, school_weeks_only: bool
) -> list[date]:
    """The days of the period the service runs (and, with the criterion, in school term)."""
    zone = commune_settings_get().school_holiday_zone
    days = []
    day = starts_on
    while day <= ends_on:
        if service_runs_on(service.weekdays, service.calendar, day, zone) and not (
            school_weeks_only and is_school_holiday(day, zone)
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


def mass_booking_plan(
    *, service: Service, children: Sequence[Child],
    weekdays_per_child: Mapping[int, Iterable[int]], starts_on: date, ends_on: date,
    action: str, school_weeks_only: bool,
) -> MassBookingPlan:
    """What applying this request would do; reads only."""
    _validate(service=service, children=children, weekdays_per_child=weekdays_per_child,
              starts_on=starts_on, ends_on=ends_on, action=action)
    child_ids = [c.pk for c in children]
    plan = MassBookingPlan(service=service, parameters={
        "service": service.pk, "children": child_ids,
        "weekdays": {str(k): sorted(set(v)) for k, v in weekdays_per_child.items()
                     if k in set(child_ids)},
        "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
        "action": action, "school_weeks_only": school_weeks_only,
    })
    days = mass_booking_days(service=service, starts_on=starts_on, ends_on=ends_on,
                             school_weeks_only=school_weeks_only)
    plan.days = len(days)

    registrations: dict[int, list[tuple[date, date, int]]] = defaultdict(list)
    for child_id, year_start, year_end, household_id in Registration.objects.filter(
        service=service, child_id__in=child_ids, school_year__starts_on__lte=ends_on,
        school_year__ends_on__gte=starts_on,
    ).order_by("pk").values_list(
        "child_id", "school_year__starts_on", "school_year__ends_on", "household_id"
    ):
        registrations[child_id].append((year_start, year_end, household_id))
    memberships: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for child_id, household_id, custody in ChildHousehold.objects.filter(
        child_id__in=child_ids
    ).values_list("child_id", "household_id", "custody"):
        memberships[child_id].append((household_id, custody))
    agreed = agreed_ranges(child_ids, first=starts_on, last=ends_on)
    closures = closed_cells(service=service, child_ids=child_ids, starts_on=starts_on,
                            ends_on=ends_on)
    existing: dict[int, dict[date, tuple[int, str, bool]]] = defaultdict(dict)
    for pk, child_id, day, state, invoiced in Booking.objects.filter(
        service=service, child_id__in=child_ids, day__gte=starts_on, day__lte=ends_on
    ).values_list("pk", "child_id", "day", "state", "invoiced"):
        existing[child_id][day] = (pk, state, invoiced)

    wanted_cells: list[tuple[int, int, date, int | None]] = []  # child, household, day, pk
    for child_id in child_ids:
        weekdays = set(weekdays_per_child.get(child_id, ()))
        booked = existing[child_id]
        wanted_days: set[date] = set()
        for day in days:
            if day.isoweekday() not in weekdays:
                continue
            wanted_days.add(day)
            registering = next(
                (h for start, end, h in registrations[child_id] if start <= day <= end), None
            )
            counts = plan.by_child[child_id]
            if registering is None:
                plan.refused.append(Refusal(child_id, day, REASON_NOT_REGISTERED))
                counts["refused"] += 1
                continue
            if any(start <= day <= end for start, end in closures.get(child_id, ())):
                plan.refused.append(Refusal(child_id, day, REASON_CLOSED))
                counts["refused"] += 1
                continue
            current = booked.get(day)
            if current is None:
                household = household_for_day(memberships[child_id], day, registering,
                                              agreed.get(child_id, ()))
                wanted_cells.append((child_id, household, day, None))
            elif current[1] in HELD:
                plan.unchanged += 1
                counts["unchanged"] += 1
            elif current[2]:
                plan.refused.append(Refusal(child_id, day, REASON_CANCEL_INVOICED))
                counts["refused"] += 1
            else:
                wanted_cells.append((child_id, 0, day, current[0]))
        if action == REPLACE:
            for day, (pk, state, invoiced) in sorted(booked.items()):
                if day in wanted_days or state not in REPLACEABLE:
                    continue
                if invoiced:
                    plan.refused.append(Refusal(child_id, day, REASON_KEEP_INVOICED))
                    plan.by_child[child_id]["refused"] += 1
                else:
                    plan.cancel.append(pk)
                    plan.by_child[child_id]["cancelled"] += 1

    # Capacity: places taken per day, minus what this plan cancels; beyond it, waiting list.
    taken: Counter[date] = Counter()
    if service.capacity is not None:
        for day, count in Booking.objects.filter(
            service=service, day__gte=starts_on, day__lte=ends_on,
            state__in=list(PLACE_HOLDING_STATES),
        ).values_list("day").annotate(n=Count("pk")).values_list("day", "n"):
            taken[day] = count
        cancelled = set(plan.cancel)
        for child_id in child_ids:
            for day, (pk, state, _inv) in existing[child_id].items():
                if pk in cancelled and state in PLACE_HOLDING_STATES:
                    taken[day] -= 1
    for child_id, household, day, booking_pk in wanted_cells:
        state = BookingState.BOOKED
        if service.capacity is not None:
            if taken[day] >= service.capacity:
                state = BookingState.WAITING
            else:
                taken[day] += 1
        if booking_pk is None:
            plan.create.append(PlannedCell(child_id, household, day, state))
        else:
            plan.rebook.append((booking_pk, state))
            plan.by_child[child_id]["rebooked"] += 1
        plan.by_child[child_id][str(state)] += 1
    return plan


def _events(
    rows: Iterable[tuple[int, str, str]], *, reason: str, actor: Any
) -> list[BookingEvent]:
    actor_id = getattr(actor, "pk", None)
    email = getattr(actor, "email", "") or ""
    return [
        BookingEvent(booking_id=pk, from_state=old, to_state=new, actor_id=actor_id,
                     actor_email=email, actor_is_agent=actor is not None, reason=reason)
        for pk, old, new in rows
    ]


def _insert_new(plan: MassBookingPlan, *, reason: str, actor: Any, now: Any) -> int:
    """Insert the planned new bookings and their events in one statement (arrays unnested
    server-side): cells booked since the plan was made are skipped (ON CONFLICT)."""
    booking, event = Booking._meta, BookingEvent._meta

    def col(meta: Any, name: str) -> str:
        return connection.ops.quote_name(meta.get_field(name).column)

    cells = plan.create
    sql = f"""
        WITH new AS (
            INSERT INTO {connection.ops.quote_name(booking.db_table)}
                ({col(booking, "child")}, {col(booking, "service")}, {col(booking, "household")},
                 {col(booking, "day")}, {col(booking, "state")}, {col(booking, "waiting_since")},
                 {col(booking, "invoiced")}, {col(booking, "created_at")},
                 {col(booking, "updated_at")})
            SELECT c, %(service)s, h, d, s,
                   CASE WHEN s = %(waiting)s THEN %(now)s::timestamptz END, false,
                   %(now)s, %(now)s
            FROM unnest(%(children)s::bigint[], %(households)s::bigint[], %(days)s::date[],
                        %(states)s::text[]) AS t(c, h, d, s)
            ON CONFLICT DO NOTHING
            RETURNING {col(booking, "id")} AS id, {col(booking, "state")} AS state
        )
        INSERT INTO {connection.ops.quote_name(event.db_table)}
            ({col(event, "booking")}, {col(event, "from_state")}, {col(event, "to_state")},
             {col(event, "actor_id")}, {col(event, "actor_email")},
             {col(event, "actor_is_agent")}, {col(event, "past_deadline")},
             {col(event, "reason")}, {col(event, "at")})
        SELECT id, '', state, %(actor_id)s, %(actor_email)s, %(is_agent)s, false, %(reason)s,
               %(now)s
        FROM new
    """  # noqa: S608 - identifiers come from the models' meta, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            "service": plan.service.pk, "waiting": BookingState.WAITING.value, "now": now,
            "children": [c.child_id for c in cells],
            "households": [c.household_id for c in cells],
            "days": [c.day for c in cells], "states": [str(c.state) for c in cells],
            "actor_id": getattr(actor, "pk", None),
            "actor_email": getattr(actor, "email", "") or "", "is_agent": actor is not None,
            "reason": reason,
        })
        return int(cursor.rowcount)


@transaction.atomic
def mass_booking_apply(*, plan: MassBookingPlan, actor: Any) -> MassBooking:
    """Write the plan; rows changed since the plan was made are left alone (idempotent)."""
    now = timezone.now()
    mass = MassBooking.objects.create(
        created_by_email=getattr(actor, "email", "") or "", parameters=plan.parameters
    )
    reason = f"mass:{mass.pk}"
    changes: list[tuple[int, str, str]] = []

    created = _insert_new(plan, reason=reason, actor=actor, now=now) if plan.create else 0

    rebooked = 0
    if plan.rebook:
        wanted = dict(plan.rebook)
        still = list(Booking.objects.select_for_update().filter(
            pk__in=list(wanted), state=BookingState.CANCELLED, invoiced=False
        ).values_list("pk", flat=True))
        for target in (BookingState.BOOKED, BookingState.WAITING):
            ids = [pk for pk in still if wanted[pk] == target]
            if ids:
                Booking.objects.filter(pk__in=ids).update(
                    state=target, updated_at=now,
                    waiting_since=now if target == BookingState.WAITING else None,
                )
                changes += [(pk, BookingState.CANCELLED, target) for pk in ids]
        rebooked = len(still)

    cancelled = 0
    if plan.cancel:
        rows = list(Booking.objects.select_for_update().filter(
            pk__in=plan.cancel, state__in=REPLACEABLE, invoiced=False
        ).values_list("pk", "state"))
        Booking.objects.filter(pk__in=[pk for pk, _ in rows]).update(
            state=BookingState.CANCELLED, waiting_since=None, updated_at=now
        )
        changes += [(pk, state, BookingState.CANCELLED) for pk, state in rows]
        cancelled = len(rows)

    BookingEvent.objects.bulk_create(_events(changes, reason=reason, actor=actor),
                                     batch_size=5000)
    summary = plan.summary()
    summary.update({"created": created, "rebooked": rebooked, "cancelled": cancelled,
                    "applied_changes": created + len(changes)})
    mass.summary = summary
    mass.save(update_fields=["summary"])
    return mass
