"""Reads that turn audience filters into families, and a family into matching filters.

Both directions look at children of the current school year only: their class (hence
school) from their enrolment, their services from their registrations. A child in two
households (shared custody) counts for both, whichever household registered it."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tenant_apps.catalog.models import Registration
from tenant_apps.families.models import Child, ChildHousehold, Household
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear


@dataclass(frozen=True)
class ChildFacts:
    """What the filters look at for one child in the current school year."""

    school_id: int | None
    class_id: int | None
    service_ids: frozenset[int]


def current_school_year() -> SchoolYear | None:
    return SchoolYear.objects.filter(is_current=True).first()


def audience_choices() -> dict[str, list]:
    """Schools, classes of the current year and active services, for the target fields."""
    from tenant_apps.catalog.models import Service

    year = current_school_year()
    classes = (
        list(SchoolClass.objects.filter(school_year=year).select_related("school"))
        if year
        else []
    )
    return {
        "schools": list(School.objects.filter(active=True)),
        "classes": classes,
        "services": list(Service.objects.filter(active=True)),
    }


def audience_children(
    *, school_id: int | None, class_id: int | None, service_id: int | None
) -> QuerySet[Child]:
    """Children of the current year matching every filter given (all children if none)."""
    children = Child.objects.all()
    if not (school_id or class_id or service_id):
        return children
    year = current_school_year()
    if year is None:
        return Child.objects.none()
    if class_id or school_id:
        enrolments = Enrolment.objects.filter(school_year=year)
        if class_id:
            enrolments = enrolments.filter(school_class_id=class_id)
        if school_id:
            enrolments = enrolments.filter(school_class__school_id=school_id)
        children = children.filter(pk__in=enrolments.values("child_id"))
    if service_id:
        registrations = Registration.objects.filter(school_year=year, service_id=service_id)
        children = children.filter(pk__in=registrations.values("child_id"))
    return children


def audience_households(
    *, school_id: int | None, class_id: int | None, service_id: int | None
) -> QuerySet[Household]:
    """Households in the audience: every household without filters, else the households
    of the matching children (both households of a child in shared custody)."""
    if not (school_id or class_id or service_id):
        return Household.objects.all()
    children = audience_children(school_id=school_id, class_id=class_id, service_id=service_id)
    memberships = ChildHousehold.objects.filter(child__in=children)
    return Household.objects.filter(pk__in=memberships.values("household_id"))


def household_children_facts(*, household: Household) -> list[ChildFacts]:
    """One ChildFacts per child of the household, for the current school year."""
    child_ids = list(
        ChildHousehold.objects.filter(household=household).values_list("child_id", flat=True)
    )
    year = current_school_year()
    if not child_ids:
        return []
    classes: dict[int, tuple[int, int]] = {}
    services: dict[int, set[int]] = {cid: set() for cid in child_ids}
    if year is not None:
        for child_id, class_id, school_id in Enrolment.objects.filter(
            school_year=year, child_id__in=child_ids
        ).values_list("child_id", "school_class_id", "school_class__school_id"):
            classes[child_id] = (class_id, school_id)
        for child_id, service_id in Registration.objects.filter(
            school_year=year, child_id__in=child_ids
        ).values_list("child_id", "service_id"):
            services[child_id].add(service_id)
    return [
        ChildFacts(
            school_id=classes[cid][1] if cid in classes else None,
            class_id=classes[cid][0] if cid in classes else None,
            service_ids=frozenset(services[cid]),
        )
        for cid in child_ids
    ]


def audience_q_for_household(*, household: Household) -> Q:
    """A filter on any model with AudienceFields: the rows whose audience includes the
    household (untargeted rows, or rows one of its children matches entirely)."""
    untargeted = Q(target_school__isnull=True, target_class__isnull=True,
                   target_service__isnull=True)
    match = untargeted
    for facts in household_children_facts(household=household):
        school = Q(target_school__isnull=True)
        if facts.school_id:
            school |= Q(target_school_id=facts.school_id)
        klass = Q(target_class__isnull=True)
        if facts.class_id:
            klass |= Q(target_class_id=facts.class_id)
        service = Q(target_service__isnull=True)
        if facts.service_ids:
            service |= Q(target_service_id__in=facts.service_ids)
        match |= school & klass & service
    return match


