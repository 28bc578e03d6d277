"""Mass booking at scale: 1,000 children booked on a school-days service (Mon, Tue, Thu,
Fri) for a whole school year, action "replace", plan + apply timed together.

Then the household's weekly grid (selectors.household_week, what the portal shows): its
query count for a household of 4 children registered to 4 services each (all booked that
week) must equal the count for a household of 1 child and 1 service; the p95 of 50 loads
of the large household's grid is timed.

The bench commune (bench-bookings, in cantine_bench) is created with its 1,000
registered children when missing; each run first clears that service's bookings."""

import json
import time
from datetime import date
from typing import Any

from _setup import bench_commune, django_for_bench

SLUG = "bench-bookings"
CHILDREN = 1_000
TARGET_S = 10
SERVICE = "Cantine bench"


def _commune() -> Any:
    from datetime import time as clock

    from tenant_apps.catalog.models import Registration, Service
    from tenant_apps.families.models import Child, ChildHousehold, Household
    from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear

    commune, fresh = bench_commune(
        SLUG, "Bench Réservations",
        complete=lambda: Registration.objects.filter(service__name=SERVICE).count() >= CHILDREN,
    )
    if not fresh:
        return commune
    SchoolYear.objects.filter(is_current=True).update(is_current=False)
    year = SchoolYear.objects.create(label="2025-2026", starts_on=date(2025, 9, 1),
                                     ends_on=date(2026, 7, 3), is_current=True)
    school = School.objects.create(name="École du bench", kind="primaire")
    classes = [SchoolClass.objects.create(school=school, school_year=year, name=f"Classe {n}")
               for n in range(40)]
    service = Service.objects.create(name=SERVICE, kind="repas", weekdays=[1, 2, 4, 5],
                                     book_until=clock(8, 30), cancel_until=clock(8, 30))
    households = Household.objects.bulk_create(
        [Household(name=f"Foyer {n}") for n in range(CHILDREN // 2)])
    children = Child.objects.bulk_create([
        Child(last_name=f"Nom{n}", first_name=f"Enfant{n}", birth_date=date(2018, 1, 1))
        for n in range(CHILDREN)])
    ChildHousehold.objects.bulk_create([
        ChildHousehold(child=c, household=households[n // 2]) for n, c in enumerate(children)])
    Enrolment.objects.bulk_create([
        Enrolment(child=c, school_year=year, school_class=classes[n % len(classes)])
        for n, c in enumerate(children)])
    Registration.objects.bulk_create([
        Registration(child=c, service=service, school_year=year, household=households[n // 2])
        for n, c in enumerate(children)])
    return commune


GRID_MONDAY = date(2025, 11, 17)  # a school week of zone B
GRID_LOADS = 50
GRID_SERVICES = ("Grille bench repas", "Grille bench matin", "Grille bench soir",
                 "Grille bench étude")


def _grid_household(ref: str, children: int, services: list[Any]) -> list[Any]:
    """A household with `children` children, enrolled, registered to `services` and booked
    on every day of the grid week those services run (created once)."""
    from datetime import timedelta

    from tenant_apps.bookings.models import Booking, BookingState
    from tenant_apps.catalog.models import Registration
    from tenant_apps.families.models import Child, ChildHousehold, Household
    from tenant_apps.schooling.models import Enrolment, SchoolClass, SchoolYear

    household = Household.objects.filter(external_ref=ref).first()
    if household is not None:
        return list(Child.objects.filter(memberships__household=household).order_by("pk"))
    year = SchoolYear.objects.get(is_current=True)
    klass = SchoolClass.objects.filter(school_year=year).order_by("pk").first()
    household = Household.objects.create(external_ref=ref, name=f"Foyer {ref}")
    kids = Child.objects.bulk_create([
        Child(last_name=ref, first_name=f"Enfant{n}", birth_date=date(2018, 1, 1))
        for n in range(children)])
    ChildHousehold.objects.bulk_create([ChildHousehold(child=c, household=household)
                                        for c in kids])
    Enrolment.objects.bulk_create([Enrolment(child=c, school_year=year, school_class=klass)
                                   for c in kids])
    Registration.objects.bulk_create([
        Registration(child=c, service=s, school_year=year, household=household)
        for c in kids for s in services])
    Booking.objects.bulk_create([
        Booking(child=c, service=s, household=household, day=GRID_MONDAY + timedelta(days=d),
                state=BookingState.BOOKED)
        for c in kids for s in services for d in (0, 1, 3, 4)])
    return kids


def _grid_figures(actor: Any) -> dict[str, Any]:
    from datetime import time as clock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenant_apps.bookings.selectors import household_week
    from tenant_apps.catalog.models import Service

    services = []
    for name in GRID_SERVICES:
        service, _ = Service.objects.get_or_create(name=name, defaults={
            "kind": "periscolaire", "weekdays": [1, 2, 4, 5], "capacity": 200,
            "book_until": clock(8, 30), "cancel_until": clock(8, 30)})
        services.append(service)
    large = _grid_household("GRILLE-4x4", 4, services)
    small = _grid_household("GRILLE-1x1", 1, services[:1])

    def queries(kids: list[Any]) -> int:
        household = kids[0].memberships.get().household
        with CaptureQueriesContext(connection) as captured:
            weeks = household_week(household=household, monday=GRID_MONDAY, actor=actor)
        assert len(weeks) == len(kids)
        assert all(len(row.cells) == 7 for week in weeks for row in week.services)
        return sum(1 for q in captured.captured_queries if not q["sql"].startswith("SET "))

    household = large[0].memberships.get().household
    household_week(household=household, monday=GRID_MONDAY, actor=actor)  # warm caches
    timings = []
    for _ in range(GRID_LOADS):
        started = time.perf_counter()
        household_week(household=household, monday=GRID_MONDAY, actor=actor)
        timings.append(time.perf_counter() - started)
    timings.sort()
    return {
        "household_grid_p95_s": round(timings[int(0.95 * len(timings)) - 1], 4),
        "household_grid_queries_1x1": queries(small),
        "household_grid_queries_4x4": queries(large),
    }


def main() -> None:
    django_for_bench()
    from tenant_apps.accounts.models import Role, User
    from tenant_apps.bookings.mass import REPLACE, mass_booking_apply, mass_booking_plan
    from tenant_apps.bookings.models import Booking, BookingEvent
    from tenant_apps.catalog.models import Service
    from tenant_apps.families.models import Child
    from tenants.db import use_commune

    commune = _commune()
    use_commune(commune)
    service = Service.objects.get(name=SERVICE)
    BookingEvent.objects.filter(booking__service=service).delete()
    Booking.objects.filter(service=service).delete()
    actor = User.objects.filter(email="bench-agent@example.test").first() or \
        User.objects.create_user(email="bench-agent@example.test", role=Role.AGENT)
    children = list(Child.objects.filter(registrations__service=service).distinct())
    started = time.perf_counter()
    plan = mass_booking_plan(
        service=service, children=children,
        weekdays_per_child={c.pk: [1, 2, 4, 5] for c in children},
        starts_on=date(2025, 9, 1), ends_on=date(2026, 7, 3), action=REPLACE,
        school_weeks_only=True,
    )
    planned = time.perf_counter() - started
    mass = mass_booking_apply(plan=plan, actor=actor)
    elapsed = time.perf_counter() - started
    print(json.dumps({
        "bench": "bookings", "mass_booking_1000_children_year_s": round(elapsed, 2),
        "plan_s": round(planned, 2), "children": len(children),
        "bookings_created": mass.summary["created"], "target_s": TARGET_S,
    }))
    grid = _grid_figures(actor)
    print(json.dumps({"bench": "bookings", **grid}))
    if grid["household_grid_queries_1x1"] != grid["household_grid_queries_4x4"]:
        raise SystemExit("week grid: the query count grows with children or services")


if __name__ == "__main__":
    main()
