"""Reads of the catalog: services, registrations, and who may still be registered."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, FilteredRelation, Prefetch, Q, QuerySet
from django.http import Http404

from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import ChildHousehold
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear


def services_list(
    *, school_year: SchoolYear | None, active_only: bool = False
) -> QuerySet[Service]:
    """Services with their schools and how many children are registered in `school_year`
    (a child registered by both households of a shared custody counts once)."""
    services = Service.objects.prefetch_related(
        Prefetch("schools", queryset=School.objects.order_by("name"))
    )
    if active_only:
        services = services.filter(active=True)
    return services.annotate(
        registered_count=Count(
            "registrations__child",
            filter=Q(registrations__school_year=school_year),
            distinct=True,
        )
    ).order_by("-active", "kind", "name")


def service_get(*, pk: int) -> Service:
    service = Service.objects.prefetch_related("schools").filter(pk=pk).first()
    if service is None:
        raise Http404
    return service


def _with_year_class(
    registrations: QuerySet[Registration], school_year: SchoolYear
) -> QuerySet[Registration]:
    """Each row carries the child's class and school of the year (None if not placed)."""
    return registrations.alias(
        year_enrolment=FilteredRelation(
            "child__enrolments", condition=Q(child__enrolments__school_year=school_year)
        )
    ).annotate(
        class_name=F("year_enrolment__school_class__name"),
        class_id=F("year_enrolment__school_class_id"),
        school_name=F("year_enrolment__school_class__school__name"),
        school_id=F("year_enrolment__school_class__school_id"),
    )


def registrations_list(
    *,
    service: Service,
    school_year: SchoolYear,
    school_id: int | None = None,
    class_id: int | None = None,
    term: str = "",
    household_id: int | None = None,
) -> QuerySet[Registration]:
    """One query, whatever the number of rows: child, household, class and school."""
    rows = _with_year_class(
        Registration.objects.filter(service=service, school_year=school_year).select_related(
            "child", "household"
        ),
        school_year,
    )
    if school_id:
        rows = rows.filter(year_enrolment__school_class__school_id=school_id)  # type: ignore[misc]
    if class_id:
        rows = rows.filter(year_enrolment__school_class_id=class_id)  # type: ignore[misc]
    if household_id:
        rows = rows.filter(household_id=household_id)
    for word in term.split():
        rows = rows.filter(
            Q(child__last_name__icontains=word)
            | Q(child__first_name__icontains=word)
            | Q(household__name__icontains=word)
        )
    return rows.order_by("child__last_name", "child__first_name", "household__name")


def registration_get(*, pk: int) -> Registration:
    registration = (
        Registration.objects.select_related("child", "service", "household", "school_year")
        .filter(pk=pk)
        .first()
    )
    if registration is None:
        raise Http404
    return registration


@dataclass(frozen=True)
class Candidate:
    """A child in one of their households, as offered for registration."""

    membership: ChildHousehold
    school_class: SchoolClass | None
    registered: bool
    shared_custody: bool


def registration_candidates(
    *,
    service: Service,
    school_year: SchoolYear,
    term: str = "",
    class_id: int | None = None,
    limit: int = 60,
) -> list[Candidate]:
    """Children (with each of their households) matching a name or in a class; those
    already registered through that household are flagged. Three queries in all."""
    words = term.split()
    if not words and not class_id:
        return []
    memberships = ChildHousehold.objects.select_related("child", "household").annotate(
        household_count=Count("child__memberships", distinct=True)
    )
    for word in words:
        memberships = memberships.filter(
            Q(child__last_name__icontains=word)
            | Q(child__first_name__icontains=word)
            | Q(household__name__icontains=word)
        )
    if class_id:
        memberships = memberships.filter(
            child__enrolments__school_class_id=class_id,
            child__enrolments__school_year=school_year,
        )
    found = list(
        memberships.order_by("child__last_name", "child__first_name", "household__name")[:limit]
    )
    child_ids = {m.child_id for m in found}
    classes = {
        e.child_id: e.school_class
        for e in Enrolment.objects.filter(school_year=school_year, child_id__in=child_ids)
        .select_related("school_class__school")
    }
    registered = set(
        Registration.objects.filter(
            service=service, school_year=school_year, child_id__in=child_ids
        ).values_list("child_id", "household_id")
    )
    return [
        Candidate(
            membership=m,
            school_class=classes.get(m.child_id),
            registered=(m.child_id, m.household_id) in registered,
            shared_custody=getattr(m, "household_count", 1) > 1,
        )
        for m in found
    ]


@dataclass(frozen=True)
class ServiceDayFigure:
    service_id: int
    name: str
    kind: str
    capacity: int | None
    total: int
    by_school: list[tuple[str, int]]

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.total > self.capacity


def registered_on(*, day: date, school_year: SchoolYear | None) -> list[ServiceDayFigure]:
    """Per active service running on `day`'s weekday: children registered for the year,
    in all and per school (by the child's class that year). Two queries.

    Registrations only: bookings do not exist yet, so these are "inscrits", not
    "réservés"; closures and the service calendar are not applied either."""
    services = list(
        Service.objects.filter(active=True, weekdays__contains=[day.isoweekday()]).order_by(
            "kind", "name"
        )
    )
    if not services or school_year is None:
        return [ServiceDayFigure(s.pk, s.name, s.get_kind_display(), s.capacity, 0, [])
                for s in services]
    rows = (
        _with_year_class(
            Registration.objects.filter(school_year=school_year, service__in=services),
            school_year,
        )
        .values("service_id", "school_name")  # type: ignore[misc]
        .annotate(n=Count("child_id", distinct=True))
        .order_by("service_id", "school_name")
    )
    per_school: dict[int, list[tuple[str, int]]] = {}
    for row in rows:
        per_school.setdefault(row["service_id"], []).append(
            (row["school_name"] or "Sans classe cette année", row["n"])
        )
    return [
        ServiceDayFigure(
            s.pk, s.name, s.get_kind_display(), s.capacity,
            # A child has one class a year, so the schools split the children: the sum
            # is the number of distinct children.
            sum(n for _, n in per_school.get(s.pk, [])), per_school.get(s.pk, []),
        )
        for s in services
    ]


def memberships_get(*, pks: list[int]) -> list[ChildHousehold]:
    """The child-household links named by a registration form (unknown ids are ignored)."""
    return list(
        ChildHousehold.objects.filter(pk__in=pks)
        .select_related("child", "household")
        .order_by("child__last_name", "child__first_name")
    )
