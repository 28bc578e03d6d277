"""Closure periods (Administration > Périodes > Fermeture): what they remove and restore.

A closure covers services × classes × dates. Creating one cancels every affected
booking (children enrolled in those classes, on those services and dates) that is not
invoiced yet; invoiced bookings are left untouched and reported. Each removal is
recorded in ClosureRemoval with the booking's previous state, so editing or deleting
the closure restores what it removed (when the slot is still free, i.e. the booking is
still cancelled), within capacity: see tenant_apps.bookings.restoring.

What billing reads (the "closure applied" trail, written in the same transaction):
- BookingEvent rows with reason "closure:<id>" and to_state "cancelled": a booking the
  closure removed (in prepaid mode billing credits the household for it);
- BookingEvent rows with reason "closure:<id>:restore": a removal undone by an edit or
  a deletion of the closure; to_state is the state it came back in: a place-holding
  state (billing takes the credit back) or "waiting" (no place: nothing to bill).

Each affected household is told once per change through the outbox (idempotency key
"closure:<id>:<household id>" at creation; edits that remove more use a key suffixed
with a digest of the newly removed cells)."""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tenant_apps.bookings.models import (
    Booking,
    BookingEvent,
    BookingState,
    ClosurePeriod,
    ClosureRemoval,
)
from tenant_apps.bookings.restoring import (
    RestoreCounts,
    restore_preview,
    restore_removals,
    split_restorable,
)
from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Guardian
from tenant_apps.outbox.services import outbox_email_enqueue
from tenant_apps.schooling.models import Enrolment, SchoolClass

Cell = tuple[int, int, date]  # child id, service id, day


@dataclass
class ClosureEffect:
    """What creating, editing or deleting a closure does (the preview shows this)."""

    remove: list[Booking] = field(default_factory=list)
    invoiced: list[Booking] = field(default_factory=list)
    restore: list[ClosureRemoval] = field(default_factory=list)
    not_restorable: list[ClosureRemoval] = field(default_factory=list)
    # How `restore` would come back now: with a place, or on the waiting list.
    restore_counts: RestoreCounts = field(default_factory=RestoreCounts)

    @property
    def households(self) -> set[int]:
        return {b.household_id for b in self.remove}


def closure_validate(
    *, label: str, starts_on: date, ends_on: date, services: Sequence[Service],
    classes: Sequence[SchoolClass],
) -> None:
    errors: dict[str, list[str]] = {}
    if not label.strip():
        errors["label"] = ["Indiquez un libellé."]
    if ends_on < starts_on:
        errors["ends_on"] = ["La date de fin doit être postérieure ou égale à la date de début."]
    elif (ends_on - starts_on).days > 366:
        errors["ends_on"] = ["Une fermeture ne peut pas dépasser un an."]
    if not services:
        errors["services"] = ["Cochez au moins une prestation."]
    if not classes:
        errors["classes"] = ["Cochez au moins une classe."]
    if errors:
        raise ValidationError(errors)


def _affected(
    *, starts_on: date, ends_on: date, service_ids: Iterable[int], class_ids: Iterable[int]
) -> QuerySet[Booking]:
    """Bookings inside the scope that a closure would cancel (not already cancelled)."""
    class_ids = list(class_ids)
    children = Enrolment.objects.filter(school_class_id__in=class_ids).values("child_id")
    return (
        Booking.objects.filter(
            service_id__in=list(service_ids), day__gte=starts_on, day__lte=ends_on,
            child_id__in=children,
        )
        .exclude(state=BookingState.CANCELLED)
        .select_related("child", "service", "household")
        .order_by("day", "service_id", "child_id")
    )


def _in_scope_cells(
    *, starts_on: date, ends_on: date, service_ids: Iterable[int], class_ids: Iterable[int],
    removals: Iterable[ClosureRemoval],
) -> set[Cell]:
    """Which of `removals` still fall inside the (new) scope."""
    service_set = set(service_ids)
    enrolled = set(
        Enrolment.objects.filter(school_class_id__in=list(class_ids)).values_list(
            "child_id", flat=True
        )
    )
    return {
        (r.child_id, r.service_id, r.day) for r in removals
        if r.service_id in service_set and r.child_id in enrolled
        and starts_on <= r.day <= ends_on
    }


def closure_preview(
    *, starts_on: date, ends_on: date, services: Sequence[Service],
    classes: Sequence[SchoolClass], closure: ClosurePeriod | None = None,
) -> ClosureEffect:
    """Dry run: what creating (or editing `closure` into) this scope would change."""
    service_ids = [s.pk for s in services]
    class_ids = [c.pk for c in classes]
    effect = ClosureEffect()
    for booking in _affected(
        starts_on=starts_on, ends_on=ends_on, service_ids=service_ids, class_ids=class_ids
    ):
        (effect.invoiced if booking.invoiced else effect.remove).append(booking)
    if closure is not None and closure.pk:
        pending = list(
            closure.removals.filter(restored_at__isnull=True).select_related("child", "service")
        )
        keep = _in_scope_cells(
            starts_on=starts_on, ends_on=ends_on, service_ids=service_ids, class_ids=class_ids,
            removals=pending,
        )
        leaving = [r for r in pending if (r.child_id, r.service_id, r.day) not in keep]
        effect.restore, effect.not_restorable = split_restorable(leaving)
        effect.restore_counts = restore_preview(effect.restore)
    return effect


def _actor_fields(actor: Any) -> dict[str, Any]:
    return {
        "actor_id": getattr(actor, "pk", None),
        "actor_email": getattr(actor, "email", "") or "",
        "actor_is_agent": actor is not None,
    }


def _remove(closure: ClosurePeriod, bookings: Sequence[Booking], actor: Any) -> None:
    if not bookings:
        return
    ClosureRemoval.objects.bulk_create([
        ClosureRemoval(
            closure=closure, child_id=b.child_id, service_id=b.service_id,
            household_id=b.household_id, day=b.day, previous_state=b.state,
            previous_waiting_since=b.waiting_since if b.state == BookingState.WAITING else None,
        )
        for b in bookings
    ])
    actor_fields = _actor_fields(actor)
    BookingEvent.objects.bulk_create([
        BookingEvent(booking=b, from_state=b.state, to_state=BookingState.CANCELLED,
                     reason=f"closure:{closure.pk}", **actor_fields)
        for b in bookings
    ])
    Booking.objects.filter(pk__in=[b.pk for b in bookings], invoiced=False).update(
        state=BookingState.CANCELLED, waiting_since=None, updated_at=timezone.now()
    )


def _french_date(day: date) -> str:
    days = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    return f"{days[day.weekday()]} {day.strftime('%d/%m/%Y')}"


def _notify(closure: ClosurePeriod, bookings: Sequence[Booking], *, key_suffix: str = "") -> int:
    """One email per affected household listing its cancelled days; returns how many."""
    by_household: dict[int, list[Booking]] = defaultdict(list)
    for booking in bookings:
        by_household[booking.household_id].append(booking)
    emails: dict[int, list[str]] = defaultdict(list)
    for household_id, email in Guardian.objects.filter(
        household_id__in=list(by_household)
    ).exclude(email="").values_list("household_id", "email"):
        emails[household_id].append(email)
    sent = 0
    for household_id, rows in by_household.items():
        if not emails.get(household_id):
            continue
        lines = [
            f"- {_french_date(b.day)} : {b.service.name} ({b.child.first_name})"
            for b in sorted(rows, key=lambda b: (b.day, b.service.name, b.child.first_name))
        ]
        body = (
            "Bonjour,\n\n"
            f"En raison de la fermeture « {closure.label} » "
            f"(du {closure.starts_on:%d/%m/%Y} au {closure.ends_on:%d/%m/%Y}), "
            "les réservations suivantes sont annulées et ne vous seront pas facturées :\n\n"
            + "\n".join(lines)
            + "\n\nCordialement,\nLe service enfance"
        )
        outbox_email_enqueue(
            recipients=emails[household_id],
            subject=f"Fermeture : {closure.label}",
            body_text=body,
            idempotency_key=f"closure:{closure.pk}:{household_id}{key_suffix}",
        )
        sent += 1
    return sent


@dataclass
class ClosureResult:
    """`restored` counts every booking put back: `restored_booked` with a place,
    `restored_waiting` on the waiting list (the service was full); `promoted`: other
    families' waiting entries that got a place the restore left free."""

    closure: ClosurePeriod
    removed: int = 0
    restored: int = 0
    restored_booked: int = 0
    restored_waiting: int = 0
    promoted: int = 0
    invoiced: list[Booking] = field(default_factory=list)
    not_restorable: int = 0
    households_notified: int = 0


@transaction.atomic
def closure_create(
    *, label: str, starts_on: date, ends_on: date, services: Sequence[Service],
    classes: Sequence[SchoolClass], actor: Any,
) -> ClosureResult:
    """Create the closure, cancel the affected non-invoiced bookings, tell the families."""
    closure_validate(label=label, starts_on=starts_on, ends_on=ends_on, services=services,
              classes=classes)
    closure = ClosurePeriod.objects.create(
        label=label.strip(), starts_on=starts_on, ends_on=ends_on,
        created_by_email=getattr(actor, "email", "") or "",
    )
    closure.services.set(services)
    closure.classes.set(classes)
    effect = closure_preview(starts_on=starts_on, ends_on=ends_on, services=services,
                             classes=classes)
    _remove(closure, effect.remove, actor)
    notified = _notify(closure, effect.remove)
    return ClosureResult(closure=closure, removed=len(effect.remove), invoiced=effect.invoiced,
                         households_notified=notified)


@transaction.atomic
def closure_update(
    *, closure: ClosurePeriod, label: str, starts_on: date, ends_on: date,
    services: Sequence[Service], classes: Sequence[SchoolClass], actor: Any,
) -> ClosureResult:
    """Change a closure: restore what no longer falls inside, remove what newly does."""
    if closure.deleted_at is not None:
        raise ValidationError("Cette fermeture est supprimée.")
    closure_validate(label=label, starts_on=starts_on, ends_on=ends_on, services=services,
              classes=classes)
    closure = ClosurePeriod.objects.select_for_update().get(pk=closure.pk)
    effect = closure_preview(starts_on=starts_on, ends_on=ends_on, services=services,
                             classes=classes, closure=closure)
    closure.label, closure.starts_on, closure.ends_on = label.strip(), starts_on, ends_on
    closure.save(update_fields=["label", "starts_on", "ends_on"])
    closure.services.set(services)
    closure.classes.set(classes)
    counts = restore_removals(closure, effect.restore, actor)
    _remove(closure, effect.remove, actor)
    digest = hashlib.sha256(
        ",".join(f"{b.pk}" for b in effect.remove).encode()
    ).hexdigest()[:12]
    notified = _notify(closure, effect.remove, key_suffix=f":{digest}") if effect.remove else 0
    return ClosureResult(closure=closure, removed=len(effect.remove), restored=counts.total,
                         restored_booked=counts.booked, restored_waiting=counts.waiting,
                         promoted=counts.promoted, invoiced=effect.invoiced,
                         not_restorable=len(effect.not_restorable), households_notified=notified)


@transaction.atomic
def closure_delete(*, closure: ClosurePeriod, actor: Any) -> ClosureResult:
    """Soft delete: restore every removal not yet restored whose slot is still free."""
    closure = ClosurePeriod.objects.select_for_update().get(pk=closure.pk)
    if closure.deleted_at is not None:
        return ClosureResult(closure=closure)
    pending = list(closure.removals.filter(restored_at__isnull=True))
    counts = restore_removals(closure, pending, actor)
    closure.deleted_at = timezone.now()
    closure.save(update_fields=["deleted_at"])
    return ClosureResult(closure=closure, restored=counts.total, restored_booked=counts.booked,
                         restored_waiting=counts.waiting, promoted=counts.promoted,
                         not_restorable=len(pending) - counts.total)


def closure_delete_preview(*, closure: ClosurePeriod) -> ClosureEffect:
    pending = list(
        closure.removals.filter(restored_at__isnull=True).select_related("child", "service")
    )
    effect = ClosureEffect()
    effect.restore, effect.not_restorable = split_restorable(pending)
    effect.restore_counts = restore_preview(effect.restore)
    return effect


def closures_list() -> QuerySet[ClosurePeriod]:
    return ClosurePeriod.objects.filter(deleted_at__isnull=True).prefetch_related(
        "services", "classes__school"
    )


def closed_cells(
    *, service: Service, child_ids: Iterable[int], starts_on: date, ends_on: date
) -> dict[int, list[tuple[date, date]]]:
    """Per child, the closure date ranges of `service` overlapping the period."""
    result: dict[int, list[tuple[date, date]]] = defaultdict(list)
    closures = list(
        ClosurePeriod.objects.filter(
            deleted_at__isnull=True, services=service, starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        ).prefetch_related("classes")
    )
    if not closures:
        return result
    child_ids = list(child_ids)
    for closure in closures:
        for child_id in Enrolment.objects.filter(
            school_class__in=closure.classes.all(), child_id__in=child_ids
        ).values_list("child_id", flat=True):
            result[child_id].append((closure.starts_on, closure.ends_on))
    return result
