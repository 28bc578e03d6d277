"""Builders of the exchange tests: school data, families, and generated import plans."""

import datetime
import io
import uuid
from typing import Any

from hypothesis import strategies as st

from tenant_apps.catalog.models import Registration, Service, ServiceKind
from tenant_apps.exchange.import_rows import (
    CODES,
    ChildRow,
    GuardianRow,
    HouseholdRow,
    ImportPlan,
    MembershipRow,
    plan_rows,
)
from tenant_apps.exchange.tables import csv_chunks
from tenant_apps.families.models import Child, ChildHousehold, Guardian, Household
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear


def school_setup() -> dict[str, Any]:
    """A current year and a past one, two schools with a class each, a meal service."""
    past = SchoolYear.objects.create(label="2025-2026", starts_on=datetime.date(2025, 9, 1),
                                     ends_on=datetime.date(2026, 7, 4))
    year = SchoolYear.objects.create(label="2026-2027", starts_on=datetime.date(2026, 9, 1),
                                     ends_on=datetime.date(2027, 7, 3), is_current=True)
    ferry = School.objects.create(name="École maternelle Jules Ferry", kind="maternelle")
    prevert = School.objects.create(name="École élémentaire Jacques Prévert", kind="elementaire")
    gs = SchoolClass.objects.create(school=ferry, school_year=year, name="GS de Mme Le Bihan",
                                    levels=["GS"])
    cp = SchoolClass.objects.create(school=prevert, school_year=year, name="CP de M. Tanguy",
                                    levels=["CP"])
    old = SchoolClass.objects.create(school=prevert, school_year=past, name="CP 2025",
                                     levels=["CP"])
    meal = Service.objects.create(name="Repas enfant", kind=ServiceKind.MEAL, weekdays=[1, 2, 4, 5],
                                  book_until=datetime.time(8, 30),
                                  cancel_until=datetime.time(8, 30))
    return {"year": year, "past": past, "ferry": ferry, "prevert": prevert, "gs": gs, "cp": cp,
            "old": old, "meal": meal}


def family(name: str, *guardians: tuple[str, str, str]) -> Household:
    household = Household.objects.create(name=name)
    for first, last, email in guardians:
        Guardian.objects.create(household=household, first_name=first, last_name=last,
                                email=email, phone_mobile="06 12 34 56 78")
    return household


def child(first: str, last: str, *households: Household, school_class: SchoolClass | None = None,
          **fields: Any) -> Child:
    kid = Child.objects.create(first_name=first, last_name=last,
                               birth_date=fields.pop("birth_date", datetime.date(2020, 3, 14)),
                               **fields)
    for household in households:
        ChildHousehold.objects.create(child=kid, household=household)
    if school_class is not None:
        Enrolment.objects.create(child=kid, school_year=school_class.school_year,
                                 school_class=school_class)
    return kid


def register(kid: Child, service: Service, year: SchoolYear, household: Household) -> None:
    Registration.objects.create(child=kid, service=service, school_year=year, household=household)


def csv_upload(rows: list[list[str]], header: list[str] | None = None) -> bytes:
    return b"".join(csv_chunks(header or list(CODES), rows))


def named(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def unique(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:6]}"


# --- generated plans ------------------------------------------------------------------

_letters = "abcdefghijklmnopqrstuvwxyzéèçëï"
word = st.text(alphabet=_letters, min_size=1, max_size=10).map(str.capitalize)
name = st.lists(word, min_size=1, max_size=2).map(" ".join)
phone = st.lists(st.integers(10, 99), min_size=4, max_size=4).map(
    lambda parts: "06 " + " ".join(str(p) for p in parts))
birth = st.dates(min_value=datetime.date(2008, 1, 1), max_value=datetime.date(2024, 12, 31))


@st.composite
def plans(draw: Any) -> ImportPlan:
    """A valid plan: 1-5 households of 1-2 guardians, 0-3 children each, some children in
    shared custody with a second household."""
    plan = ImportPlan()
    n_households = draw(st.integers(1, 5))
    email_n = 0
    line = 2
    for h in range(n_households):
        guardians = []
        for slot in range(1, draw(st.integers(1, 2)) + 1):
            email_n += 1
            guardians.append(GuardianRow(slot=slot, fields={
                "civility": draw(st.sampled_from(["", "mme", "m"])),
                "last_name": draw(name), "first_name": draw(name),
                "relationship": draw(st.sampled_from(["", "Mère", "Père", "Tuteur"])),
                "email": draw(st.sampled_from([f"resp{email_n}@example.fr", ""])),
                "phone_mobile": draw(phone), "phone_home": "",
            }))
        ref = f"F{h + 1}"
        plan.households[ref] = HouseholdRow(ref=ref, line=line, fields={
            "name": draw(name), "address": draw(st.sampled_from(["", "3 rue du Port"])),
            "postcode": draw(st.sampled_from(["", "22300", "22700"])),
            "city": draw(st.sampled_from(["", "Lannion", "Perros-Guirec"])),
        }, guardians=tuple(guardians))
        line += 1
    refs = list(plan.households)
    n_child = 0
    for ref in refs:
        for _ in range(draw(st.integers(0, 3))):
            n_child += 1
            c_ref = f"E{n_child}"
            plan.children[c_ref] = ChildRow(ref=c_ref, line=line, fields={
                "last_name": draw(name), "first_name": draw(name),
                "sex": draw(st.sampled_from(["", "F", "M"])), "birth_date": draw(birth),
                "diet": draw(st.sampled_from(["standard", "sans_porc", "sans_viande",
                                              "vegetarien"])),
                "has_pai": draw(st.booleans()),
                "allergies": draw(st.sampled_from(["", "arachide", "lait de vache"])),
            })
            others = [r for r in refs if r != ref]
            if others and draw(st.booleans()):
                pair = draw(st.sampled_from([("even_weeks", "odd_weeks"), ("agreed", "agreed")]))
                other = draw(st.sampled_from(others))
                plan.memberships.append(MembershipRow(c_ref, ref, pair[0], line))
                plan.memberships.append(MembershipRow(c_ref, other, pair[1], line + 1))
                line += 2
            else:
                plan.memberships.append(MembershipRow(c_ref, ref, "full", line))
                line += 1
    return plan


def numbered(rows: list[list[str]]) -> list[tuple[int, list[str]]]:
    return [(n, row) for n, row in enumerate(rows, start=2)]


def layout(plan: ImportPlan) -> list[list[str]]:
    return plan_rows(plan)
