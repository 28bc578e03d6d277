"""Mass booking at scale: 1,000 children booked on a school-days service (Mon, Tue, Thu,
Fri) for a whole school year, action "replace", plan + apply timed together.

The bench commune (bench-bookings, in cantine_bench) is created with its 1,000
registered children when missing; each run first clears that service's bookings."""

import json
import time
from datetime import date
from typing import Any

from _setup import django_for_bench

SLUG = "bench-bookings"
CHILDREN = 1_000
TARGET_S = 10
SERVICE = "Cantine bench"


def _commune() -> Any:
    from datetime import time as clock

    from django.db import ProgrammingError

    from provisioning.schemas import schema_drop, template_schema_ensure
    from provisioning.services import commune_create, provisioning_job_run
    from tenant_apps.catalog.models import Registration, Service
    from tenant_apps.families.models import Child, ChildHousehold, Household
    from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear
    from tenants.db import use_commune, use_public
    from tenants.models import Commune

    template_schema_ensure()
    commune = Commune.objects.filter(slug=SLUG).first()
    if commune is not None:
        use_commune(commune)
        try:
            if Registration.objects.filter(service__name=SERVICE).count() >= CHILDREN:
                return commune
        except ProgrammingError:
            pass
        use_public()
        schema_drop(commune.schema_name)
        Commune.objects.filter(pk=commune.pk).delete()
    job = commune_create(actor=None, name="Bench Réservations", slug=SLUG, insee_code="22113",
                         contact_email="bench@example.test", admin_email="admin@example.test",
                         dispatch=False)
    provisioning_job_run(job_id=job.pk)
    commune = Commune.objects.get(slug=SLUG)
    use_commune(commune)
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


if __name__ == "__main__":
    main()
