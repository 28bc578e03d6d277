"""Writes of the schooling app. Each one is a transaction that records who acted."""

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tenant_apps.families.models import Child
from tenant_apps.history.models import ChangeAction
from tenant_apps.history.services import change_record, snapshot
from tenant_apps.schooling.models import (
    Enrolment,
    Level,
    School,
    SchoolClass,
    SchoolKind,
    SchoolYear,
)

SCHOOL_FIELDS = ["name", "kind", "address", "active"]
CLASS_FIELDS = ["name", "levels"]
YEAR_LABEL = re.compile(r"^(\d{4})-(\d{4})$")


def _clean_year(*, label: str, starts_on: date, ends_on: date, exclude_pk: int | None) -> None:
    errors: dict[str, str] = {}
    match = YEAR_LABEL.match(label)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        errors["label"] = "Écrivez l'année scolaire sous la forme 2025-2026."
    elif SchoolYear.objects.filter(label=label).exclude(pk=exclude_pk or 0).exists():
        errors["label"] = "Cette année scolaire existe déjà."
    if ends_on <= starts_on:
        errors["ends_on"] = "La fin doit être postérieure au début."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def school_year_create(
    *, label: str, starts_on: date, ends_on: date, make_current: bool = False, actor: Any
) -> SchoolYear:
    """A new school year. The first one ever created becomes the current one, so that
    there is always exactly one current year once any exists."""
    label = label.strip()
    _clean_year(label=label, starts_on=starts_on, ends_on=ends_on, exclude_pk=None)
    is_first = not SchoolYear.objects.exists()
    year = SchoolYear.objects.create(label=label, starts_on=starts_on, ends_on=ends_on)
    change_record(
        actor=actor, entity="school_year", entity_id=year.pk, action=ChangeAction.CREATE,
        after=snapshot(year, ["label", "starts_on", "ends_on"]),
        summary=f"Année scolaire {year.label} créée",
    )
    if make_current or is_first:
        school_year_set_current(school_year=year, actor=actor)
    return year


@transaction.atomic
def school_year_set_current(*, school_year: SchoolYear, actor: Any) -> SchoolYear:
    """Make `school_year` the only current year (the others stop being current)."""
    previous = (
        SchoolYear.objects.select_for_update().filter(is_current=True).exclude(pk=school_year.pk)
    )
    old_labels = [y.label for y in previous]
    previous.update(is_current=False)
    if not school_year.is_current:
        SchoolYear.objects.filter(pk=school_year.pk).update(is_current=True)
        school_year.is_current = True
        change_record(
            actor=actor, entity="school_year", entity_id=school_year.pk,
            action=ChangeAction.UPDATE,
            before={"is_current": ", ".join(old_labels)}, after={"is_current": school_year.label},
            summary=f"Année en cours : {school_year.label}",
        )
    return school_year


def _clean_school(*, name: str, kind: str, exclude_pk: int | None) -> None:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Indiquez le nom de l'école."
    elif School.objects.filter(name__iexact=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = "Une école porte déjà ce nom."
    if kind not in SchoolKind.values:
        errors["kind"] = "Choisissez le type d'établissement."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def school_create(*, name: str, kind: str, address: str = "", actor: Any) -> School:
    name = name.strip()
    _clean_school(name=name, kind=kind, exclude_pk=None)
    school = School.objects.create(name=name, kind=kind, address=address.strip())
    change_record(
        actor=actor, entity="school", entity_id=school.pk, action=ChangeAction.CREATE,
        after=snapshot(school, SCHOOL_FIELDS), summary=f"École « {school.name} » créée",
    )
    return school


@transaction.atomic
def school_update(
    *, school: School, name: str, kind: str, address: str = "", active: bool = True, actor: Any
) -> School:
    name = name.strip()
    _clean_school(name=name, kind=kind, exclude_pk=school.pk)
    before = snapshot(school, SCHOOL_FIELDS)
    school.name, school.kind, school.address, school.active = name, kind, address.strip(), active
    school.save()
    change_record(
        actor=actor, entity="school", entity_id=school.pk, action=ChangeAction.UPDATE,
        before=before, after=snapshot(school, SCHOOL_FIELDS),
        summary=f"École « {school.name} » modifiée",
    )
    return school


def school_set_active(*, school: School, active: bool, actor: Any) -> School:
    """Deactivate (or reactivate) a school: kept with its history, hidden from choices."""
    return school_update(
        school=school, name=school.name, kind=school.kind, address=school.address,
        active=active, actor=actor,
    )


def _clean_class(
    *, school: School, school_year: SchoolYear, name: str, levels: list[str],
    exclude_pk: int | None,
) -> None:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Indiquez le nom de la classe."
    elif (
        SchoolClass.objects.filter(school=school, school_year=school_year, name__iexact=name)
        .exclude(pk=exclude_pk or 0)
        .exists()
    ):
        errors["name"] = (
            f"La classe « {name} » existe déjà à {school.name} pour {school_year.label}."
        )
    unknown = [lv for lv in levels if lv not in Level.values]
    if unknown:
        errors["levels"] = f"Niveau inconnu : {', '.join(unknown)}."
    if errors:
        raise ValidationError(errors)


def _ordered_levels(levels: list[str]) -> list[str]:
    return [lv for lv in Level.values if lv in set(levels)]


@transaction.atomic
def school_class_create(
    *, school: School, school_year: SchoolYear, name: str, levels: list[str], actor: Any
) -> SchoolClass:
    name = name.strip()
    _clean_class(school=school, school_year=school_year, name=name, levels=levels,
                 exclude_pk=None)
    school_class = SchoolClass.objects.create(
        school=school, school_year=school_year, name=name, levels=_ordered_levels(levels)
    )
    change_record(
        actor=actor, entity="school_class", entity_id=school_class.pk,
        action=ChangeAction.CREATE, after=snapshot(school_class, CLASS_FIELDS),
        summary=f"Classe « {name} » créée ({school.name}, {school_year.label})",
    )
    return school_class


@transaction.atomic
def school_class_update(
    *, school_class: SchoolClass, name: str, levels: list[str], actor: Any
) -> SchoolClass:
    name = name.strip()
    _clean_class(school=school_class.school, school_year=school_class.school_year, name=name,
                 levels=levels, exclude_pk=school_class.pk)
    before = snapshot(school_class, CLASS_FIELDS)
    school_class.name, school_class.levels = name, _ordered_levels(levels)
    school_class.save()
    change_record(
        actor=actor, entity="school_class", entity_id=school_class.pk,
        action=ChangeAction.UPDATE, before=before, after=snapshot(school_class, CLASS_FIELDS),
        summary=f"Classe « {name} » modifiée",
    )
    return school_class


@transaction.atomic
def enrolment_set(
    *, child: Child, school_year: SchoolYear, school_class: SchoolClass, level: str = "",
    actor: Any,
) -> Enrolment:
    """Place `child` in `school_class` for `school_year`, or move them there (one class
    per child and year). The level must be one the class teaches, when it lists any."""
    errors: dict[str, str] = {}
    if school_class.school_year_id != school_year.pk:
        errors["school_class"] = (
            f"Cette classe appartient à l'année {school_class.school_year.label}, "
            f"pas à {school_year.label}."
        )
    if level and level not in Level.values:
        errors["level"] = "Niveau inconnu."
    elif level and school_class.levels and level not in school_class.levels:
        errors["level"] = (
            f"La classe « {school_class.name} » accueille : {', '.join(school_class.levels)}."
        )
    if not level and len(school_class.levels) == 1:
        level = school_class.levels[0]
    if errors:
        raise ValidationError(errors)
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("school_class__school")
        .filter(child=child, school_year=school_year)
        .first()
    )
    before = (
        {"classe": str(enrolment.school_class), "niveau": enrolment.level} if enrolment else {}
    )
    if enrolment is None:
        enrolment = Enrolment.objects.create(
            child=child, school_year=school_year, school_class=school_class, level=level
        )
        action = ChangeAction.CREATE
    else:
        enrolment.school_class, enrolment.level = school_class, level
        enrolment.save(update_fields=["school_class", "level"])
        action = ChangeAction.UPDATE
    change_record(
        actor=actor, entity="child", entity_id=child.pk, action=action, before=before,
        after={"classe": str(school_class), "niveau": level},
        summary=f"Classe {school_year.label} : {school_class}",
    )
    return enrolment


@transaction.atomic
def enrolment_delete(*, enrolment: Enrolment, actor: Any) -> None:
    child_id, label = enrolment.child_id, str(enrolment.school_class)
    enrolment.delete()
    change_record(
        actor=actor, entity="child", entity_id=child_id, action=ChangeAction.UPDATE,
        before={"classe": label}, after={"classe": ""}, summary=f"Retiré de la classe {label}",
    )
