"""Reads of the schooling app: school years, schools, classes and their rosters."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tenant_apps.families.models import Child
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear


def school_years_list() -> QuerySet[SchoolYear]:
    return SchoolYear.objects.annotate(class_count=Count("classes")).order_by("-starts_on")


def school_year_current() -> SchoolYear | None:
    return SchoolYear.objects.filter(is_current=True).first()


def school_year_get(*, pk: int) -> SchoolYear:
    year = SchoolYear.objects.filter(pk=pk).first()
    if year is None:
        raise Http404
    return year


def school_year_chosen(raw: str | None) -> SchoolYear | None:
    """The year named by a `?annee=` parameter, else the current one, else the latest."""
    if raw and raw.isdigit():
        year = SchoolYear.objects.filter(pk=int(raw)).first()
        if year is not None:
            return year
    return school_year_current() or SchoolYear.objects.order_by("-starts_on").first()


def schools_list(
    *, school_year: SchoolYear | None = None, active_only: bool = False
) -> QuerySet[School]:
    """Schools with how many classes and enrolled children they have in `school_year`."""
    schools = School.objects.all()
    if active_only:
        schools = schools.filter(active=True)
    year_filter = Q(classes__school_year=school_year)
    return schools.annotate(
        class_count=Count("classes", filter=year_filter, distinct=True),
        child_count=Count("classes__enrolments", filter=year_filter, distinct=True),
    ).order_by("-active", "name")


def school_get(*, pk: int) -> School:
    school = School.objects.filter(pk=pk).first()
    if school is None:
        raise Http404
    return school


def classes_list(
    *, school: School | None = None, school_year: SchoolYear | None = None
) -> QuerySet[SchoolClass]:
    classes = SchoolClass.objects.select_related("school", "school_year")
    if school is not None:
        classes = classes.filter(school=school)
    if school_year is not None:
        classes = classes.filter(school_year=school_year)
    return classes.annotate(child_count=Count("enrolments")).order_by("school__name", "name")


def school_class_get(*, pk: int) -> SchoolClass:
    school_class = SchoolClass.objects.select_related("school", "school_year").filter(pk=pk).first()
    if school_class is None:
        raise Http404
    return school_class


def class_roster(*, school_class: SchoolClass) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(school_class=school_class)
        .select_related("child")
        .order_by("child__last_name", "child__first_name")
    )


def enrolment_get(*, pk: int) -> Enrolment:
    enrolment = Enrolment.objects.select_related("child", "school_class").filter(pk=pk).first()
    if enrolment is None:
        raise Http404
    return enrolment


def children_search(
    *, term: str, school_year: SchoolYear, limit: int = 30
) -> list[tuple[Child, Enrolment | None]]:
    """Children whose first or last name contains `term`, each with their class in
    `school_year` (None when not yet placed). Two queries whatever the number of rows."""
    words = [w for w in term.split() if w]
    if not words:
        return []
    children = Child.objects.all()
    for word in words:
        children = children.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
    found = list(children.order_by("last_name", "first_name")[:limit])
    enrolments = {
        e.child_id: e
        for e in Enrolment.objects.filter(school_year=school_year, child__in=found).select_related(
            "school_class__school"
        )
    }
    return [(child, enrolments.get(child.pk)) for child in found]


def child_get(*, pk: int) -> Child:
    child = Child.objects.filter(pk=pk).first()
    if child is None:
        raise Http404
    return child
