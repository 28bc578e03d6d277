"""Reads of the exchange pages: the children export and the import preview."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Collate
from django.utils.text import slugify

from tenant_apps.catalog.models import Registration, Service
from tenant_apps.exchange.import_rows import (
    GUARDIAN_FIELDS,
    MAX_HOUSEHOLDS_PER_CHILD,
    GuardianRow,
    ImportPlan,
    LineError,
    fold,
)
from tenant_apps.families.models import Child, ChildHousehold, Guardian, Household
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear

GUARDIAN_COLUMNS = 4  # two households of two guardians: shared custody fits
EXPORT_CHUNK = 1000
# The database sorts in C order ("Zoé" after "Zola", "École" after "Lycée"); PostgreSQL's
# ICU French collation sorts names as a French reader expects.
FRENCH = "fr-FR-x-icu"


@dataclass(frozen=True)
class ExportFilters:
    school: School | None = None
    school_class: SchoolClass | None = None
    service: Service | None = None


def current_school_year() -> SchoolYear | None:
    return SchoolYear.objects.filter(is_current=True).first()


def export_header(*, medical: bool) -> list[str]:
    """Column titles of the children export; PAI and allergies only with `medical`."""
    header = ["Nom", "Prénom", "Date de naissance", "École", "Classe", "Régime alimentaire"]
    if medical:
        header += ["PAI", "Allergies"]
    header.append("Foyer(s)")
    for n in range(1, GUARDIAN_COLUMNS + 1):
        header += [f"Responsable {n}", f"Courriel responsable {n}", f"Téléphone responsable {n}"]
    header.append("Tous les courriels")
    return header


def export_widths(*, medical: bool) -> list[int]:
    widths = [18, 16, 12, 30, 22, 16] + ([6, 24] if medical else []) + [28]
    return widths + [24, 30, 16] * GUARDIAN_COLUMNS + [50]


def _export_queryset(filters: ExportFilters) -> QuerySet[Child]:
    year = current_school_year()
    if year is None:
        if filters.school or filters.school_class or filters.service:
            return Child.objects.none()
        enrolments = Enrolment.objects.none()
    else:
        enrolments = Enrolment.objects.filter(child=OuterRef("pk"), school_year=year)
    children = Child.objects.annotate(
        school_name=Subquery(enrolments.values("school_class__school__name")[:1]),
        class_name=Subquery(enrolments.values("school_class__name")[:1]),
    )
    if filters.school:
        children = children.filter(
            Exists(enrolments.filter(school_class__school=filters.school)))
    if filters.school_class:
        children = children.filter(Exists(enrolments.filter(school_class=filters.school_class)))
    if filters.service:
        children = children.filter(
            Exists(Registration.objects.filter(child=OuterRef("pk"), service=filters.service,
                                               school_year=year)))
    return children.order_by(
        Collate(F("school_name"), FRENCH).asc(nulls_last=True),
        Collate(F("class_name"), FRENCH).asc(nulls_last=True),
        Collate(F("last_name"), FRENCH), Collate(F("first_name"), FRENCH), "pk",
    ).prefetch_related(
        Prefetch(
            "memberships",
            queryset=ChildHousehold.objects.select_related("household").prefetch_related(
                Prefetch("household__guardians", queryset=Guardian.objects.order_by("pk"))
            ).order_by("pk"),
        )
    )


def export_rows(*, filters: ExportFilters, medical: bool) -> Iterator[list[Any]]:
    """One row per child matching the filters (class, school, service registration of the
    current school year), sorted by school, class and name, read in chunks of
    EXPORT_CHUNK children with three queries per chunk. Guardians of every household of
    the child (shared custody: both) fill the first GUARDIAN_COLUMNS slots; every email
    is in the last column anyway."""
    for child in _export_queryset(filters).iterator(chunk_size=EXPORT_CHUNK):
        households = [m.household for m in child.memberships.all()]
        guardians = [g for h in households for g in h.guardians.all()]
        row: list[Any] = [
            child.last_name.upper(), child.first_name, child.birth_date,
            child.school_name or "", child.class_name or "",  # type: ignore[attr-defined]
            child.get_diet_display(),
        ]
        if medical:
            row += ["oui" if child.has_pai else "non", child.allergies]
        row.append(" ; ".join(h.name for h in households))
        for n in range(GUARDIAN_COLUMNS):
            g = guardians[n] if n < len(guardians) else None
            row += ([f"{g.first_name} {g.last_name}", g.email,
                     g.phone_mobile or g.phone_home or g.phone_work] if g else ["", "", ""])
        emails = dict.fromkeys(g.email for g in guardians if g.email)
        row.append(", ".join(emails))
        yield row


def export_filename(*, filters: ExportFilters, extension: str, day: datetime.date) -> str:
    """ "enfants-ecole-maternelle-jules-ferry-2026-11-24.xlsx": what the file holds."""
    parts = ["enfants"]
    school = filters.school or (filters.school_class.school if filters.school_class else None)
    if school:
        parts.append(slugify(school.name))
    if filters.school_class:
        parts.append(slugify(filters.school_class.name))
    if filters.service:
        parts.append(slugify(filters.service.name))
    if len(parts) == 1:
        parts.append("tous")
    return f"{'-'.join(p for p in parts if p)[:120]}-{day.isoformat()}.{extension}"


@dataclass
class EntityCounts:
    create: int = 0
    update: int = 0
    unchanged: int = 0


@dataclass
class ImportPreview:
    """What confirming would do, counted against the commune's current data."""

    households: EntityCounts = field(default_factory=EntityCounts)
    guardians: EntityCounts = field(default_factory=EntityCounts)
    children: EntityCounts = field(default_factory=EntityCounts)
    links: EntityCounts = field(default_factory=EntityCounts)
    new_households: list[str] = field(default_factory=list)
    changed_households: list[str] = field(default_factory=list)
    new_children: list[str] = field(default_factory=list)
    changed_children: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return sum(c.create + c.update for c in
                   (self.households, self.guardians, self.children, self.links))


def _differs(instance: Any, fields: dict[str, Any]) -> bool:
    return any(getattr(instance, name) != value for name, value in fields.items())


def guardian_match(existing: list[Guardian], row: GuardianRow) -> Guardian | None:
    """The existing guardian a file's guardian is: same email if both have one, else
    same first and last name (accents and case ignored)."""
    email = row.fields.get("email", "")
    if email:
        for g in existing:
            if g.email.lower() == email:
                return g
    name = (fold(row.fields.get("last_name", "")), fold(row.fields.get("first_name", "")))
    for g in existing:
        if (fold(g.last_name), fold(g.first_name)) == name:
            return g
    return None


@dataclass
class ExistingData:
    households: dict[str, Household]
    guardians: dict[int, list[Guardian]]
    children: dict[str, Child]
    links: dict[tuple[int, int], ChildHousehold]


def existing_for(plan: ImportPlan) -> ExistingData:
    """The households, guardians, children and links the plan's references already name:
    four queries whatever the size of the file."""
    households = {h.external_ref: h for h in
                  Household.objects.filter(external_ref__in=list(plan.households))}
    guardians: dict[int, list[Guardian]] = {h.pk: [] for h in households.values()}
    for g in Guardian.objects.filter(household__in=list(households.values())).order_by("pk"):
        guardians[g.household_id].append(g)
    children = {c.external_ref: c for c in
                Child.objects.filter(external_ref__in=list(plan.children))}
    links = {(m.child_id, m.household_id): m for m in
             ChildHousehold.objects.filter(child__in=list(children.values()))
             .select_related("household")}
    return ExistingData(households, guardians, children, links)


def import_preview(*, plan: ImportPlan) -> ImportPreview:
    """Count what would be created, updated or left as is (nothing is written)."""
    existing = existing_for(plan)
    preview = ImportPreview()
    for ref, row in plan.households.items():
        household = existing.households.get(ref)
        label = f"{row.fields.get('name', '')} ({ref})"
        if household is None:
            preview.households.create += 1
            preview.guardians.create += len(row.guardians)
            preview.new_households.append(label)
            continue
        changed = _differs(household, row.fields)
        pool = list(existing.guardians.get(household.pk, []))
        for g_row in row.guardians:
            match = guardian_match(pool, g_row)
            if match is None:
                preview.guardians.create += 1
                changed = True
            else:
                pool.remove(match)
                if _differs(match, {k: v for k, v in g_row.fields.items()
                                    if k in GUARDIAN_FIELDS.values()}):
                    preview.guardians.update += 1
                    changed = True
                else:
                    preview.guardians.unchanged += 1
        if _differs(household, row.fields):
            preview.households.update += 1
        else:
            preview.households.unchanged += 1
        if changed:
            preview.changed_households.append(label)
    for ref, c_row in plan.children.items():
        child = existing.children.get(ref)
        label = f"{c_row.fields.get('first_name', '')} {c_row.fields.get('last_name', '')}"
        if child is None:
            preview.children.create += 1
            preview.new_children.append(f"{label} ({ref})")
        elif _differs(child, c_row.fields):
            preview.children.update += 1
            preview.changed_children.append(f"{label} ({ref})")
        else:
            preview.children.unchanged += 1
    for m in plan.memberships:
        child, household = existing.children.get(m.child_ref), existing.households.get(
            m.household_ref)
        link = existing.links.get((child.pk, household.pk)) if child and household else None
        if link is None:
            preview.links.create += 1
        elif m.custody is not None and link.custody != m.custody:
            preview.links.update += 1
        else:
            preview.links.unchanged += 1
    return preview


def import_conflicts(*, plan: ImportPlan) -> list[LineError]:
    """Rules the file alone cannot judge, against the commune's data: a guardian's email
    already names a guardian of another household; a portal account's email (its login)
    would change; a child would belong to more than two households."""
    existing = existing_for(plan)
    errors: list[LineError] = []
    emails = {g.fields["email"]: (ref, h.line) for ref, h in plan.households.items()
              for g in h.guardians if g.fields.get("email")}
    matched: dict[int, int] = {}  # guardian pk -> file line, for the guardians the file names
    for ref, h in plan.households.items():
        household = existing.households.get(ref)
        pool = list(existing.guardians.get(household.pk, [])) if household else []
        for g_row in h.guardians:
            match = guardian_match(pool, g_row)
            if match is None:
                continue
            pool.remove(match)
            matched[match.pk] = h.line
            email = g_row.fields.get("email")
            if match.user_id is not None and email is not None and email != match.email:
                errors.append(LineError(h.line, f"{match.first_name} {match.last_name} a un "
                                        f"compte sur le portail ({match.email}) : changez son "
                                        "courriel depuis sa fiche, pas par un import"))
    taken = Guardian.objects.filter(email__in=list(emails)).select_related("household")
    for g in taken:
        ref, line = emails[g.email]
        if g.pk not in matched and g.household.external_ref != ref:
            errors.append(LineError(line, f"le courriel « {g.email} » est déjà celui d'un "
                                    f"responsable du foyer « {g.household.name} »"))
        elif g.pk not in matched:
            errors.append(LineError(line, f"le courriel « {g.email} » est déjà celui de "
                                    f"{g.first_name} {g.last_name}, dans ce foyer"))
    file_links: dict[str, set[str]] = {}
    for m in plan.memberships:
        file_links.setdefault(m.child_ref, set()).add(m.household_ref)
    lines = {m.child_ref: m.line for m in plan.memberships}
    outside = ChildHousehold.objects.filter(
        child__in=list(existing.children.values())).select_related("household", "child")
    count: dict[str, set[str]] = {ref: set(refs) for ref, refs in file_links.items()}
    for link in outside:
        key = link.household.external_ref or f"#{link.household_id}"
        count.setdefault(link.child.external_ref, set()).add(key)
    for ref, households in count.items():
        if len(households) > MAX_HOUSEHOLDS_PER_CHILD and ref in lines:
            errors.append(LineError(lines[ref], f"l'enfant « {ref} » serait rattaché à plus de "
                                    f"{MAX_HOUSEHOLDS_PER_CHILD} foyers (avec ceux déjà "
                                    "enregistrés)"))
    return sorted(errors, key=lambda e: e.line)
