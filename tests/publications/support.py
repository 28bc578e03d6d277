"""Families, schools and services built with the ORM inside a commune (the families
services are being written by another helper): two schools, two classes, a meal
service, and households including one child in shared custody."""

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from tenant_apps.accounts.models import Role, User
from tenant_apps.catalog.models import Registration, Service, ServiceKind
from tenant_apps.families.models import Child, ChildHousehold, Guardian, Household
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolKind, SchoolYear

PASSWORD = "Motdepasse-1"


@dataclass
class World:
    year: SchoolYear
    school_a: School
    school_b: School
    class_a: SchoolClass
    class_b: SchoolClass
    meal: Service
    households: dict[str, Household] = field(default_factory=dict)
    guardians: dict[str, Guardian] = field(default_factory=dict)
    children: dict[str, Child] = field(default_factory=dict)


def world_make() -> World:
    """Call inside(commune). Households:
    - "martin": child Léa in class A (school A), registered to the meal service;
    - "durand": child Tom in class B (school B), no service;
    - "split_a" and "split_b": child Zoé (shared custody) in class B, meal service
      registered by split_a only;
    - "empty": no child."""
    SchoolYear.objects.filter(is_current=True).update(is_current=False)
    tag = uuid.uuid4().hex[:6]
    year = SchoolYear.objects.create(
        label=f"T{tag[:4]}-{tag[4:]}"[:9], starts_on=datetime.date(2000, 9, 1),
        ends_on=datetime.date(2100, 7, 4), is_current=True,
    )
    school_a = School.objects.create(name=f"École des Tilleuls {tag}", kind=SchoolKind.PRIMAIRE)
    school_b = School.objects.create(name=f"École du Port {tag}", kind=SchoolKind.PRIMAIRE)
    class_a = SchoolClass.objects.create(school=school_a, school_year=year, name="CP de M. Le Goff")
    class_b = SchoolClass.objects.create(school=school_b, school_year=year, name="CE1 de Mme Riou")
    meal = Service.objects.create(
        name=f"Repas Enfant {tag}", kind=ServiceKind.MEAL, weekdays=[1, 2, 4, 5],
        book_until=datetime.time(8, 30), cancel_until=datetime.time(8, 30),
    )
    world = World(year, school_a, school_b, class_a, class_b, meal)

    def household(key: str, name: str) -> Household:
        row = Household.objects.create(name=name)
        world.households[key] = row
        world.guardians[key] = Guardian.objects.create(
            household=row, last_name=name.split()[0], first_name="Camille",
            email=f"{key}-{tag}@example.test",
        )
        return row

    def child(key: str, first: str, klass: SchoolClass, *homes: Household) -> Child:
        row = Child.objects.create(last_name=homes[0].name.split()[0], first_name=first,
                                   birth_date=datetime.date(2018, 3, 4))
        for home in homes:
            ChildHousehold.objects.create(child=row, household=home)
        Enrolment.objects.create(child=row, school_year=year, school_class=klass)
        world.children[key] = row
        return row

    martin = household("martin", "MARTIN Léa et Paul")
    durand = household("durand", "DURAND famille")
    split_a = household("split_a", "LE GALL (père)")
    split_b = household("split_b", "LE GALL (mère)")
    household("empty", "SANS ENFANT foyer")
    lea = child("lea", "Léa", class_a, martin)
    child("tom", "Tom", class_b, durand)
    zoe = child("zoe", "Zoé", class_b, split_a, split_b)
    Registration.objects.create(child=lea, service=meal, school_year=year, household=martin)
    Registration.objects.create(child=zoe, service=meal, school_year=year, household=split_a)
    return world


def portal_account(guardian: Guardian) -> Any:
    """Give the guardian a portal login (call inside the commune)."""
    user = User.objects.create_user(
        email=f"portail-{uuid.uuid4().hex[:8]}@example.test", password=PASSWORD,
        role=Role.GUARDIAN,
    )
    guardian.user = user
    guardian.save(update_fields=["user"])
    return user
