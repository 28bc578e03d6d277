"""Rows the schooling and catalog tests build (inside a commune's schema)."""

import itertools
from datetime import date, time
from typing import Any

from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Child, ChildHousehold, CustodyPattern, Household
from tenant_apps.schooling.models import School, SchoolClass, SchoolYear

_seq = itertools.count(1)


def year(label: str = "2025-2026", *, current: bool = True) -> SchoolYear:
    start = int(label[:4])
    if current:
        SchoolYear.objects.filter(is_current=True).update(is_current=False)
    return SchoolYear.objects.create(
        label=label, starts_on=date(start, 9, 1), ends_on=date(start + 1, 7, 4),
        is_current=current,
    )


def school(name: str | None = None, **fields: Any) -> School:
    return School.objects.create(name=name or f"École {next(_seq)}", kind="primaire", **fields)


def school_class(school_: School, year_: SchoolYear, name: str | None = None,
                 levels: list[str] | None = None) -> SchoolClass:
    return SchoolClass.objects.create(school=school_, school_year=year_,
                                      name=name or f"Classe {next(_seq)}", levels=levels or [])


def family(name: str | None = None, children: int = 1) -> tuple[Household, list[Child]]:
    household = Household.objects.create(name=name or f"Foyer {next(_seq)}")
    kids = []
    for _ in range(children):
        n = next(_seq)
        child = Child.objects.create(last_name=household.name.split()[-1], first_name=f"Enfant{n}",
                                     birth_date=date(2018, 1 + n % 12, 1 + n % 28))
        ChildHousehold.objects.create(child=child, household=household)
        kids.append(child)
    return household, kids


def second_home(child: Child, name: str) -> Household:
    """A second household for `child` (shared custody, even weeks)."""
    household = Household.objects.create(name=name)
    ChildHousehold.objects.filter(child=child).update(custody=CustodyPattern.ODD_WEEKS)
    ChildHousehold.objects.create(child=child, household=household,
                                  custody=CustodyPattern.EVEN_WEEKS)
    return household


def service(name: str | None = None, **fields: Any) -> Service:
    values: dict[str, Any] = {
        "kind": "repas", "weekdays": [1, 2, 4, 5], "book_until": time(8, 30),
        "cancel_until": time(8, 30),
    }
    values.update(fields)
    return Service.objects.create(name=name or f"Prestation {next(_seq)}", **values)


def real_queries(client: Any, path: str) -> int:
    """Queries a GET of `path` runs (django-tenants' SET search_path aside); asserts 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return sum(1 for q in captured.captured_queries if not q["sql"].startswith("SET "))
