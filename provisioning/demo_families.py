"""Demo commune content: the 2026-2027 school year, schools and classes, services, and
family files (households, guardians linked to their portal accounts, children with their
class, registrations, diets and a few PAI).

Reproducible and idempotent: every household and child carries a `DEMO-` reference;
what exists is left alone, what is missing is created in bulk (a few queries per table)."""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

SCHOOL_YEAR = "2026-2027"
YEAR_START, YEAR_END = datetime.date(2026, 9, 1), datetime.date(2027, 7, 3)
REF_PREFIX = "DEMO-"
MATERNELLE = ("PS", "MS", "GS")
ELEMENTAIRE = ("CP", "CE1", "CE2", "CM1", "CM2")
# Birth year -> level in 2026-2027.
LEVEL_BY_BIRTH_YEAR = {2023: "PS", 2022: "MS", 2021: "GS", 2020: "CP", 2019: "CE1",
                       2018: "CE2", 2017: "CM1", 2016: "CM2"}
TEACHERS = ("Mme Le Bihan", "M. Tanguy", "Mme Guillou", "Mme Morvan", "M. Jaouen", "Mme Hamon",
            "M. Quéré", "Mme Le Roux", "Mme Kerhervé", "M. Le Goff", "Mme Riou", "M. Prigent")
FEMALE_FIRST_NAMES = frozenset(
    "Camille Léa Manon Chloé Emma Inès Sarah Julie Laura Marie Anaïs Pauline Élodie Claire "
    "Gwenaëlle Nolwenn Yasmine Amina Fatou Lina".split()
)
GIRLS = ("Louise Jade Ambre Alba Rose Alice Romy Anna Nina Lou Mila Louna Maëlys Jeanne Clémence "
         "Nolwenn Enora Lilou Zoé Iris").split()
BOYS = ("Léo Gabriel Raphaël Louis Noah Arthur Jules Adam Maël Sacha Lucas Tiago Nolan Elouan "
        "Malo Gaspard Timéo Ewen Titouan Yanis").split()
STREETS = ("rue des Écoles", "rue de Brélévenez", "avenue Ernest Renan", "rue du Port",
           "chemin de Kerampont", "allée des Mouettes", "rue de la Corderie", "impasse du Moulin",
           "boulevard d'Armor", "rue Saint-Yves")
ALLERGIES = ("arachide", "œuf", "lait de vache", "fruits à coque", "gluten", "kiwi")


@dataclass(frozen=True)
class DemoHousehold:
    number: int
    surname: str
    guardians: tuple[tuple[str, str], ...]  # (first name, email)


@dataclass(frozen=True)
class SchoolSpec:
    name: str
    kind: str
    classes: tuple[tuple[str, ...], ...]  # the levels of each class


FERRY = SchoolSpec("École maternelle Jules Ferry", "maternelle", (("PS",), ("MS",), ("GS",)))
PREVERT = SchoolSpec("École élémentaire Jacques Prévert", "elementaire",
                     (("CP",), ("CE1",), ("CE2",), ("CM1",), ("CM2",)))
LE_GOFFIC = SchoolSpec("École primaire Charles Le Goffic", "primaire",
                       (("PS", "MS"), ("GS", "CP"), ("CE1", "CE2"), ("CM1", "CM2")))
SCHOOLS_BY_SLUG = {"lannion": (FERRY, PREVERT, LE_GOFFIC)}


def _services() -> list[dict[str, Any]]:
    t = datetime.time
    return [
        dict(name="Repas enfant", kind="repas", weekdays=[1, 2, 4, 5], calendar="school_days",
             book_until=t(8, 30), cancel_until=t(8, 30), tariff_code="REPAS"),
        dict(name="Accueil périscolaire matin", kind="periscolaire", weekdays=[1, 2, 4, 5],
             calendar="school_days", book_until=t(18, 0), book_days_before=1,
             cancel_until=t(18, 0), cancel_days_before=1, tariff_code="APS-MATIN"),
        dict(name="Accueil périscolaire soir", kind="periscolaire", weekdays=[1, 2, 4, 5],
             calendar="school_days", book_until=t(12, 0), cancel_until=t(12, 0),
             tariff_code="APS-SOIR"),
        dict(name="ALSH mercredi", kind="alsh", weekdays=[3], calendar="wednesdays",
             capacity=48, book_until=t(12, 0), book_days_before=2, book_day_count="working",
             cancel_until=t(12, 0), cancel_days_before=2, cancel_day_count="working",
             tariff_code="ALSH-MER"),
    ]


def _school_structure(slug: str) -> tuple[Any, dict[str, list[Any]]]:
    """The current year, schools, classes and services (get or create); returns the year
    and, per level, the classes that teach it."""
    from tenant_apps.catalog.models import Service
    from tenant_apps.schooling.models import School, SchoolClass, SchoolYear

    year, _ = SchoolYear.objects.get_or_create(
        label=SCHOOL_YEAR, defaults={"starts_on": YEAR_START, "ends_on": YEAR_END})
    if not SchoolYear.objects.filter(is_current=True).exists():
        year.is_current = True
        year.save(update_fields=["is_current"])
    by_level: dict[str, list[Any]] = {}
    schools = []
    teacher = 0
    for spec in SCHOOLS_BY_SLUG.get(slug, (FERRY, PREVERT)):
        school, _ = School.objects.get_or_create(name=spec.name, defaults={"kind": spec.kind})
        schools.append(school)
        for levels in spec.classes:
            name = f"{'-'.join(levels)} de {TEACHERS[teacher % len(TEACHERS)]}"
            teacher += 1
            school_class, _ = SchoolClass.objects.get_or_create(
                school=school, school_year=year, name=name, defaults={"levels": list(levels)})
            for level in levels:
                by_level.setdefault(level, []).append(school_class)
    for fields in _services():
        service, created = Service.objects.get_or_create(name=fields.pop("name"),
                                                         defaults=fields)
        if created:
            service.schools.set(schools)
    return year, by_level


@dataclass
class _Plan:
    households: list[Any]
    guardians: list[Any]
    children: list[Any]
    links: list[tuple[Any, Any, str]]
    enrolments: list[tuple[Any, Any, str]]
    registrations: list[tuple[Any, str, Any]]


def _phone(rng: random.Random) -> str:
    return f"0{rng.choice('67')} " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))


def _child(rng: random.Random, surname: str, ref: str) -> Any:
    from tenant_apps.families.models import Child

    girl = rng.random() < 0.5
    born = datetime.date(rng.choice(list(LEVEL_BY_BIRTH_YEAR)), rng.randint(1, 12),
                         rng.randint(1, 28))
    pai = rng.random() < 0.05
    diet = rng.choices(["standard", "sans_porc", "sans_viande", "vegetarien"],
                       weights=[80, 8, 5, 7])[0]
    return Child(
        external_ref=ref, last_name=surname, first_name=rng.choice(GIRLS if girl else BOYS),
        sex="F" if girl else "M", birth_date=born, diet=diet, has_pai=pai,
        allergies=rng.choice(ALLERGIES) if pai or rng.random() < 0.03 else "",
        medical_notes="Trousse PAI dans le bureau de la direction." if pai else "",
        vaccinations_up_to_date=rng.random() < 0.95,
        may_be_photographed=rng.random() < 0.8, may_go_on_outings=True,
        medical_care_allowed=True, may_leave_alone=born.year <= 2017 and rng.random() < 0.3,
    )


def _plan(slug: str, town: str, households: Sequence[DemoHousehold], by_level: dict[str, list[Any]],
          year: Any) -> _Plan:
    from tenant_apps.families.models import Guardian, Household

    rng = random.Random(f"{slug}-families")  # noqa: S311 - demo data, reproducible on purpose
    plan = _Plan([], [], [], [], [], [])
    postcode = {"lannion": "22300", "plouaret": "22420", "perros-guirec": "22700"}.get(slug, "")

    def household(ref: str, name: str, guardians: Sequence[tuple[str, str, str]]) -> Any:
        row = Household(external_ref=ref, name=name,
                        address=f"{rng.randint(1, 60)} {rng.choice(STREETS)}",
                        postcode=postcode, city=town, is_resident=rng.random() < 0.9)
        if rng.random() < 0.8:
            row.allowance_scheme, row.allowance_number = "caf", f"{rng.randint(10**6, 10**7)}"
            row.quotient_familial = rng.randint(350, 2400)
            row.qf_valid_from = datetime.date(2026, 1, 1)
            row.qf_valid_until = datetime.date(2026, 12, 31)
        plan.households.append(row)
        for first, last, email in guardians:
            female = first in FEMALE_FIRST_NAMES
            plan.guardians.append(Guardian(
                household=row, first_name=first, last_name=last, email=email,
                civility="mme" if female else "m", relationship="Mère" if female else "Père",
                phone_mobile=_phone(rng)))
        return row

    def child(ref: str, surname: str, level: str | None = None) -> Any:
        kid = _child(rng, surname, ref)
        if level is not None:
            kid.birth_date = kid.birth_date.replace(
                year=next(y for y, lv in LEVEL_BY_BIRTH_YEAR.items() if lv == level))
        plan.children.append(kid)
        level = LEVEL_BY_BIRTH_YEAR[kid.birth_date.year]
        plan.enrolments.append((kid, rng.choice(by_level[level]), level))
        return kid

    def register(kid: Any, payer: Any) -> None:
        for service, share in (("Repas enfant", 0.85), ("Accueil périscolaire matin", 0.3),
                               ("Accueil périscolaire soir", 0.4), ("ALSH mercredi", 0.25)):
            if rng.random() < share:
                plan.registrations.append((kid, service, payer))

    # The demo parent: two children in two schools, the younger in shared custody.
    parent = household(f"{REF_PREFIX}PARENT", "LE GALL Camille",
                       [("Camille", "Le Gall", f"parent@{slug}.demo")])
    other = household(f"{REF_PREFIX}PARENT-2", "TANGUY Yann",
                      [("Yann", "Tanguy", f"yann.tanguy@{slug}.demo")])
    mael = child(f"{REF_PREFIX}PARENT-E1", "Le Gall", level="CE2")
    nolwenn = child(f"{REF_PREFIX}PARENT-E2", "Tanguy", level="MS")
    schools = {(e[1].school_id or id(e[1].school)) for e in plan.enrolments[-2:]}
    if len(schools) < 2:  # a primary school teaches both levels: pick the other one
        plan.enrolments[-1] = (nolwenn, by_level["MS"][0], "MS")
        plan.enrolments[-2] = (mael, by_level["CE2"][0], "CE2")
    plan.links += [(mael, parent, "full"), (nolwenn, parent, "even_weeks"),
                   (nolwenn, other, "odd_weeks")]
    for kid in (mael, nolwenn):
        plan.registrations += [(kid, "Repas enfant", parent), (kid, "Accueil périscolaire soir",
                                                                 parent)]

    previous = None
    for h in households:
        row = household(f"{REF_PREFIX}H{h.number:04d}", f"{h.surname.upper()} "
                        f"{h.guardians[0][0]}", [(f, h.surname, e) for f, e in h.guardians])
        for n in range(rng.choice((1, 1, 2, 2, 2, 3))):
            kid = child(f"{REF_PREFIX}H{h.number:04d}-E{n + 1}", h.surname)
            if previous is not None and rng.random() < 0.04:
                plan.links += [(kid, row, "odd_weeks"), (kid, previous, "even_weeks")]
            else:
                plan.links.append((kid, row, "full"))
            register(kid, row)
        previous = row
    return plan


def seed_families(*, slug: str, town: str, households: Sequence[DemoHousehold]) -> int:
    """Create what is missing of the commune's demo content (in the current schema);
    returns the number of households created (0 when everything is there)."""
    from tenant_apps.accounts.models import User
    from tenant_apps.catalog.models import Registration, Service
    from tenant_apps.families.models import Child, ChildHousehold, Guardian, Household
    from tenant_apps.schooling.models import Enrolment

    with transaction.atomic():
        year, by_level = _school_structure(slug)
        plan = _plan(slug, town, households, by_level, year)
        known = set(Household.objects.filter(external_ref__startswith=REF_PREFIX)
                    .values_list("external_ref", flat=True))
        new_households = [h for h in plan.households if h.external_ref not in known]
        if not new_households:
            return 0
        fresh = {id(h) for h in new_households}
        known_children = set(Child.objects.filter(external_ref__startswith=REF_PREFIX)
                             .values_list("external_ref", flat=True))
        Household.objects.bulk_create(new_households)
        users = dict(User.objects.filter(role="guardian").values_list("email", "pk"))
        taken = set(Guardian.objects.exclude(user=None).values_list("user_id", flat=True))
        guardians = [g for g in plan.guardians if id(g.household) in fresh]
        for g in guardians:
            g.household_id = g.household.pk
            user_id = users.get(g.email)
            if user_id is not None and user_id not in taken:
                g.user_id = user_id
                taken.add(user_id)
        Guardian.objects.bulk_create(guardians)
        for g in guardians:
            if g.household.billing_guardian_id is None:
                g.household.billing_guardian = g
        Household.objects.bulk_update(new_households, ["billing_guardian"])
        children = [c for c in plan.children if c.external_ref not in known_children]
        Child.objects.bulk_create(children)
        new = {id(c) for c in children}
        ChildHousehold.objects.bulk_create([
            ChildHousehold(child=c, household=h, custody=custody)
            for c, h, custody in plan.links if id(c) in new and h.pk is not None
        ])
        Enrolment.objects.bulk_create([
            Enrolment(child=c, school_year=year, school_class=k, level=level)
            for c, k, level in plan.enrolments if id(c) in new
        ])
        services = {s.name: s for s in Service.objects.all()}
        Registration.objects.bulk_create([
            Registration(child=c, service=services[name], school_year=year, household=h)
            for c, name, h in plan.registrations if id(c) in new
        ])
        return len(new_households)
