"""Small builders of families, schooling and services for the mailing and messaging
tests; plain ORM inside the current commune schema (callers use `inside`)."""

import uuid
from datetime import date, time

from tenant_apps.catalog.models import Registration, Service, ServiceKind
from tenant_apps.families.models import Child, ChildHousehold, Guardian, Household
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolKind, SchoolYear


def tag() -> str:
    return uuid.uuid4().hex[:6]


def household(name: str, *guardians: tuple[str, str]) -> Household:
    """A household with guardians given as (first name, email or "")."""
    h = Household.objects.create(name=f"{name} {tag()}")
    for first, email in guardians:
        Guardian.objects.create(household=h, first_name=first, last_name=name, email=email)
    return h


def child(first: str, *households: Household) -> Child:
    c = Child.objects.create(first_name=first, last_name=households[0].name,
                             birth_date=date(2017, 3, 4))
    for h in households:
        ChildHousehold.objects.create(child=c, household=h)
    return c


def current_year() -> SchoolYear:
    year = SchoolYear.objects.filter(is_current=True).first()
    return year or SchoolYear.objects.create(label="2025-2026", starts_on=date(2025, 9, 1),
                                             ends_on=date(2026, 7, 4), is_current=True)


def past_year() -> SchoolYear:
    year, _ = SchoolYear.objects.get_or_create(
        label="2019-2020", defaults={"starts_on": date(2019, 9, 2), "ends_on": date(2020, 7, 3)}
    )
    return year


def school(name: str = "École du Port") -> School:
    return School.objects.create(name=f"{name} {tag()}", kind=SchoolKind.ELEMENTAIRE)


def school_class(of: School, year: SchoolYear, name: str = "CP") -> SchoolClass:
    return SchoolClass.objects.create(school=of, school_year=year, name=f"{name} {tag()}")


def enrol(c: Child, cls: SchoolClass) -> Enrolment:
    return Enrolment.objects.create(child=c, school_year=cls.school_year, school_class=cls)


def service(name: str = "Repas Enfant") -> Service:
    return Service.objects.create(name=f"{name} {tag()}", kind=ServiceKind.MEAL,
                                  weekdays=[1, 2, 4, 5], book_until=time(8, 30),
                                  cancel_until=time(8, 30))


def register(c: Child, s: Service, h: Household, year: SchoolYear) -> Registration:
    return Registration.objects.create(child=c, service=s, school_year=year, household=h)
