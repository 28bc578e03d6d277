"""Putting back what a closure removed (when it is edited or deleted), within capacity.

A removal is restorable while its slot is still free (no booking, or still cancelled).
Per service-day, under the same advisory lock as booking (services.lock_service_day),
`rules.plan_restore` decides: bookings that held a place get it back in their original
order while places remain, the others join the waiting list at their original rank
(when they were booked, or their old place on the list); a place still free goes to the
waiting list in order, and its family is told (outbox), as for any promotion."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from tenant_apps.bookings import services
from tenant_apps.bookings.models import (
    PLACE_HOLDING_STATES,
    Booking,
    BookingEvent,
    BookingState,
    ClosurePeriod,
    ClosureRemoval,
)
from tenant_apps.bookings.rules import RestoreCandidate, plan_restore
from tenant_apps.catalog.models import Service

WAITING = BookingState.WAITING.value


def split_restorable(
    removals: Sequence[ClosureRemoval],
) -> tuple[list[ClosureRemoval], list[ClosureRemoval]]:
    """Removals whose slot is still free (booking missing or still cancelled) vs taken."""
    if not removals:
        return [], []
    current = {
        (b.child_id, b.service_id, b.day): b.state
        for b in Booking.objects.filter(child_id__in={r.child_id for r in removals},
                                        day__in={r.day for r in removals})
    }
    free: list[ClosureRemoval] = []
    taken: list[ClosureRemoval] = []
    for removal in removals:
        state = current.get((removal.child_id, removal.service_id, removal.day))
        (free if state in (None, BookingState.CANCELLED) else taken).append(removal)
    return free, taken


@dataclass
class RestoreCounts:
    booked: int = 0  # back with a place (booked, or the attendance state it had)
    waiting: int = 0  # back on the waiting list (no place left)
    promoted: int = 0  # other families' waiting entries that got a freed place

    @property
    def total(self) -> int:
        return self.booked + self.waiting


Slot = tuple[int, date]  # service id, day


def _by_slot(removals: Sequence[ClosureRemoval]) -> dict[Slot, list[ClosureRemoval]]:
    slots: dict[Slot, list[ClosureRemoval]] = defaultdict(list)
    for removal in removals:
        slots[(removal.service_id, removal.day)].append(removal)
    return dict(sorted(slots.items()))


def _rows(removals: Sequence[ClosureRemoval]) -> dict[tuple[int, int, date], Booking]:
    return {
        (b.child_id, b.service_id, b.day): b
        for b in Booking.objects.filter(child_id__in={r.child_id for r in removals},
                                        day__in={r.day for r in removals})
    }


def _candidate(removal: ClosureRemoval, booking: Booking | None, fallback: datetime,
               key: int) -> RestoreCandidate:
    if removal.previous_state == WAITING:
        queued_at = removal.previous_waiting_since or (booking.created_at if booking
                                                       else fallback)
    else:
        queued_at = booking.created_at if booking else fallback
    return RestoreCandidate(key=key, previous_state=removal.previous_state, queued_at=queued_at)


def _slot_plan(service_id: int, day: date, removals: Sequence[ClosureRemoval],
               rows: dict[tuple[int, int, date], Booking], fallback: datetime,
               capacity: dict[int, int | None]) -> tuple[dict[int, str], dict[int, Booking]]:
    """The plan of one service-day; keys are removal ids (candidates) and booking ids
    negated (waiting entries already on the list)."""
    candidates = [
        _candidate(r, rows.get((r.child_id, r.service_id, r.day)), fallback, r.pk)
        for r in removals
    ]
    waiting = list(Booking.objects.filter(service_id=service_id, day=day,
                                          state=BookingState.WAITING, invoiced=False))
    limit = capacity[service_id]
    places_left = None if limit is None else limit - Booking.objects.filter(
        service_id=service_id, day=day, state__in=PLACE_HOLDING_STATES
    ).count()
    plan = plan_restore(candidates, places_left=places_left, waiting=[
        (-b.pk, b.waiting_since or b.created_at) for b in waiting])
    return plan, {-b.pk: b for b in waiting}


def _capacities(service_ids: set[int]) -> dict[int, int | None]:
    return dict(Service.objects.filter(pk__in=service_ids).values_list("pk", "capacity"))


def restore_preview(removals: Sequence[ClosureRemoval]) -> RestoreCounts:
    """What restoring these removals would give now (reads only)."""
    free, _taken = split_restorable(removals)
    counts = RestoreCounts()
    if not free:
        return counts
    rows = _rows(free)
    capacity = _capacities({r.service_id for r in free})
    now = timezone.now()
    for (service_id, day), group in _by_slot(free).items():
        plan, _waiting = _slot_plan(service_id, day, group, rows, now, capacity)
        _count(counts, plan, {r.pk for r in group})
    return counts


def _count(counts: RestoreCounts, plan: dict[int, str], candidate_keys: set[int]) -> None:
    for key, state in plan.items():
        if key not in candidate_keys:
            counts.promoted += 1
        elif state == WAITING:
            counts.waiting += 1
        else:
            counts.booked += 1


def restore_removals(
    closure: ClosurePeriod, removals: Sequence[ClosureRemoval], actor: Any
) -> RestoreCounts:
    """Put back the removals whose slot is still free, within capacity; in the caller's
    transaction. Each restored booking gets an event "closure:<id>:restore"; a waiting
    entry given a freed place gets "promotion:liste d'attente" and its family an email."""
    free, _taken = split_restorable(removals)
    counts = RestoreCounts()
    if not free:
        return counts
    slots = _by_slot(free)
    for service_id, day in slots:  # in a fixed order: no deadlock between two restores
        services.lock_service_day(service_id, day)
    rows = _rows(free)
    now = timezone.now()
    capacity = _capacities({s for s, _ in slots})
    actor_fields = {"actor_id": getattr(actor, "pk", None),
                    "actor_email": getattr(actor, "email", "") or "",
                    "actor_is_agent": actor is not None}
    events: list[BookingEvent] = []
    changed: list[Booking] = []
    promoted: list[Booking] = []
    for (service_id, day), group in slots.items():
        plan, waiting = _slot_plan(service_id, day, group, rows, closure.created_at, capacity)
        _count(counts, plan, {r.pk for r in group})
        for removal in group:
            booking = rows.get((removal.child_id, removal.service_id, removal.day))
            if booking is None:  # bookings are never deleted; kept for safety
                booking = Booking.objects.create(
                    child_id=removal.child_id, service_id=service_id, day=day,
                    household_id=removal.household_id, state=BookingState.CANCELLED)
            candidate = _candidate(removal, booking, closure.created_at, removal.pk)
            booking.state = plan[removal.pk]
            booking.waiting_since = candidate.queued_at if booking.state == WAITING else None
            booking.updated_at = now
            changed.append(booking)
            events.append(BookingEvent(booking=booking, from_state=BookingState.CANCELLED,
                                       to_state=booking.state,
                                       reason=f"closure:{closure.pk}:restore", **actor_fields))
            if removal.previous_state == WAITING and booking.state != WAITING:
                promoted.append(booking)
            removal.restored_at = now
        for key, entry in waiting.items():
            if key in plan:
                entry.state, entry.waiting_since, entry.updated_at = BookingState.BOOKED, None, now
                changed.append(entry)
                events.append(BookingEvent(booking=entry, from_state=WAITING,
                                           to_state=entry.state,
                                           reason="promotion:liste d'attente"))
                promoted.append(entry)
    Booking.objects.bulk_update(changed, ["state", "waiting_since", "updated_at"],
                                batch_size=1000)
    BookingEvent.objects.bulk_create(events)
    ClosureRemoval.objects.bulk_update(free, ["restored_at"])
    for booking in promoted:
        services.notify_promoted(booking)
    return counts
