"""Writes of the catalog: services and registrations, each in a transaction with history."""

from collections.abc import Iterable
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tenant_apps.catalog.deadlines import CALENDAR, WORKING
from tenant_apps.catalog.models import Registration, Service, ServiceCalendar, ServiceKind
from tenant_apps.families.models import Child, ChildHousehold, Household
from tenant_apps.history.models import ChangeAction
from tenant_apps.history.services import change_record, snapshot
from tenant_apps.schooling.models import School, SchoolYear

SERVICE_FIELDS = [
    "name", "kind", "weekdays", "calendar", "capacity",
    "book_until", "book_days_before", "book_day_count",
    "cancel_until", "cancel_days_before", "cancel_day_count",
    "tariff_code", "active",
]
MAX_DAYS_BEFORE = 60


def _clean_service(fields: dict[str, Any], exclude_pk: int | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = str(fields.get("name", "")).strip()
    if not name:
        errors["name"] = "Indiquez le nom de la prestation."
    elif Service.objects.filter(name__iexact=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = "Une prestation porte déjà ce nom."
    if fields.get("kind") not in ServiceKind.values:
        errors["kind"] = "Choisissez le type de prestation."
    if fields.get("calendar") not in ServiceCalendar.values:
        errors["calendar"] = "Choisissez le calendrier."
    weekdays = sorted({int(d) for d in fields.get("weekdays") or []})
    if not weekdays:
        errors["weekdays"] = "Cochez au moins un jour."
    elif any(d < 1 or d > 7 for d in weekdays):
        errors["weekdays"] = "Jour inconnu."
    capacity = fields.get("capacity")
    if capacity is not None and capacity < 1:
        errors["capacity"] = "La capacité est d'au moins 1 place (laissez vide si illimitée)."
    for prefix in ("book", "cancel"):
        if not isinstance(fields.get(f"{prefix}_until"), time):
            errors[f"{prefix}_until"] = "Indiquez une heure (HH:MM)."
        days = fields.get(f"{prefix}_days_before")
        if not isinstance(days, int) or not 0 <= days <= MAX_DAYS_BEFORE:
            errors[f"{prefix}_days_before"] = f"Entre 0 et {MAX_DAYS_BEFORE} jours."
        if fields.get(f"{prefix}_day_count") not in (CALENDAR, WORKING):
            errors[f"{prefix}_day_count"] = "Choisissez jours calendaires ou jours ouvrés."
    if errors:
        raise ValidationError(errors)
    return {**fields, "name": name, "weekdays": weekdays,
            "tariff_code": str(fields.get("tariff_code") or "").strip()}


def _schools_label(schools: Iterable[School]) -> str:
    return ", ".join(sorted(s.name for s in schools))


@transaction.atomic
def service_create(*, actor: Any, schools: Iterable[School] = (), **fields: Any) -> Service:
    """A new service. `fields` are the SERVICE_FIELDS (active defaults to True)."""
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    fields.setdefault("active", True)
    cleaned = _clean_service(fields, exclude_pk=None)
    service = Service.objects.create(**cleaned)
    schools = list(schools)
    service.schools.set(schools)
    change_record(
        actor=actor, entity="service", entity_id=service.pk, action=ChangeAction.CREATE,
        after={**snapshot(service, SERVICE_FIELDS), "schools": _schools_label(schools)},
        summary=f"Prestation « {service.name} » créée",
    )
    return service


@transaction.atomic
def service_update(
    *, service: Service, actor: Any, schools: Iterable[School] | None = None, **fields: Any
) -> Service:
    """Change some fields of `service` (those given); `schools` replaces the schools served."""
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    current = {name: getattr(service, name) for name in SERVICE_FIELDS}
    cleaned = _clean_service({**current, **fields}, exclude_pk=service.pk)
    old_schools = list(service.schools.all())
    before = {**snapshot(service, SERVICE_FIELDS), "schools": _schools_label(old_schools)}
    for name in SERVICE_FIELDS:
        setattr(service, name, cleaned[name])
    service.save()
    new_schools = old_schools if schools is None else list(schools)
    if schools is not None:
        service.schools.set(new_schools)
    change_record(
        actor=actor, entity="service", entity_id=service.pk, action=ChangeAction.UPDATE,
        before=before,
        after={**snapshot(service, SERVICE_FIELDS), "schools": _schools_label(new_schools)},
        summary=f"Prestation « {service.name} » modifiée",
    )
    return service


def _check_registration(
    *, child: Child, service: Service, school_year: SchoolYear, household: Household
) -> None:
    if not service.active:
        raise ValidationError({"service": "Cette prestation n'est plus proposée."})
    if not ChildHousehold.objects.filter(child=child, household=household).exists():
        raise ValidationError(
            {"household": f"{child} n'appartient pas au foyer « {household.name} »."}
        )


@transaction.atomic
def registration_create(
    *, child: Child, service: Service, school_year: SchoolYear, household: Household, actor: Any
) -> Registration:
    """Register `child` to `service` for `school_year`, on behalf of `household` (which
    pays). In shared custody each household may register the child. Capacity is only
    informational here: bookings will enforce it (waiting list)."""
    _check_registration(child=child, service=service, school_year=school_year,
                        household=household)
    if Registration.objects.filter(
        child=child, service=service, school_year=school_year, household=household
    ).exists():
        raise ValidationError(
            {"child": f"{child} est déjà inscrit(e) à « {service.name} » par ce foyer."}
        )
    registration = Registration.objects.create(
        child=child, service=service, school_year=school_year, household=household
    )
    change_record(
        actor=actor, entity="child", entity_id=child.pk, action=ChangeAction.CREATE,
        after={"inscription": f"{service.name} ({school_year.label}) — {household.name}"},
        summary=f"Inscrit(e) à « {service.name} » ({school_year.label}), foyer {household.name}",
    )
    return registration


@transaction.atomic
def registration_create_many(
    *,
    service: Service,
    school_year: SchoolYear,
    memberships: Iterable[ChildHousehold],
    actor: Any,
) -> tuple[list[Registration], int]:
    """Register each (child, household) membership; those already registered are left as
    they are. All or nothing. Returns the new registrations and how many were skipped."""
    created: list[Registration] = []
    skipped = 0
    for membership in memberships:
        exists = Registration.objects.filter(
            child_id=membership.child_id, service=service, school_year=school_year,
            household_id=membership.household_id,
        ).exists()
        if exists:
            skipped += 1
            continue
        created.append(
            registration_create(
                child=membership.child, service=service, school_year=school_year,
                household=membership.household, actor=actor,
            )
        )
    return created, skipped


@transaction.atomic
def registration_delete(*, registration: Registration, actor: Any) -> None:
    """Unregister. Later, bookings of the registration decide whether this is allowed."""
    label = (
        f"{registration.service.name} ({registration.school_year.label}) — "
        f"{registration.household.name}"
    )
    child_id = registration.child_id
    registration.delete()
    change_record(
        actor=actor, entity="child", entity_id=child_id, action=ChangeAction.DELETE,
        before={"inscription": label}, summary=f"Désinscrit(e) de {label}",
    )
