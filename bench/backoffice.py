"""Back office at scale: a commune of 10,000 children (reused across runs), the family
search's p95, and the households and children list pages (time and query count of page 1
and page 5, through the Django test client as a logged-in agent).

One JSON line per figure; times in keys ending in _s."""

import json
import statistics
import time
from typing import Any

from _setup import bench_commune, django_for_bench

SLUG = "bench-backoffice"
CHILDREN = 10_000
HOUSEHOLDS = 5_500  # 1 to 3 children each: about 10,000 children
SEARCH_TERMS = ("martin", "le gall", "kerhervé", "camille", "helene", "noah", "dupont",
                "moreau léa", "fontaine", "06 12", "lannion0", "gu", "rob", "quere", "morv")
SEARCH_ROUNDS = 8
PAGE_ROUNDS = 5
TARGET_SEARCH_P95_S = 0.1


def emit(**figure: Any) -> None:
    print(json.dumps({"bench": "backoffice", **figure}))


def _commune() -> Any:
    """The bench commune with its families; created (or rebuilt) only when missing or
    unusable (the schema predates a model change)."""

    from provisioning.demo_data import FIRST_NAMES, SURNAMES, _ascii
    from provisioning.demo_families import DemoHousehold, seed_families
    from tenant_apps.families.models import Child

    started = time.monotonic()
    commune, fresh = bench_commune(
        SLUG, "Bench Back-office",
        complete=lambda: Child.objects.count() >= CHILDREN,
    )
    if not fresh:
        return commune
    import random

    rng = random.Random(SLUG)  # noqa: S311 - reproducible bench data
    households = []
    for n in range(HOUSEHOLDS):
        surname = rng.choice(SURNAMES)
        firsts = rng.sample(FIRST_NAMES, rng.choice((1, 2, 2)))
        households.append(DemoHousehold(n, surname, tuple(
            (f, f"{_ascii(f)}.{_ascii(surname)}{n}@bench.test") for f in firsts)))
    seed_families(slug="lannion", town="Lannion", households=households)
    emit(setup_s=round(time.monotonic() - started, 2), children=Child.objects.count())
    return commune


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def _search(commune: Any) -> None:
    from tenant_apps.families.selectors import global_search
    from tenants.db import use_commune

    use_commune(commune)
    for term in SEARCH_TERMS:  # warm the caches once
        global_search(term=term)
    samples = []
    for _ in range(SEARCH_ROUNDS):
        for term in SEARCH_TERMS:
            started = time.perf_counter()
            global_search(term=term)
            samples.append(time.perf_counter() - started)
    emit(search_p95_s=round(_p95(samples), 4), search_p50_s=round(statistics.median(samples), 4),
         searches=len(samples), selector="tenant_apps.families.selectors.global_search",
         target_search_p95_s=TARGET_SEARCH_P95_S)


def _agent_client(commune: Any) -> Any:
    from django.test import Client

    from tenant_apps.accounts.middleware import SESSION_SCHEMA_KEY
    from tenant_apps.accounts.models import Role, User
    from tenants.db import use_commune, use_public

    use_commune(commune)
    agent = User.objects.filter(email="bench-agent@example.test").first() or \
        User.objects.create_user(email="bench-agent@example.test", role=Role.AGENT)
    client = Client(HTTP_HOST=f"{SLUG}.localhost")
    client.force_login(agent)
    session = client.session
    session[SESSION_SCHEMA_KEY] = commune.schema_name
    session.save()
    use_public()
    return client


def _pages(commune: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _agent_client(commune)
    for name, path in (("list_children", "/gestion/familles/enfants/"),
                       ("list_households", "/gestion/familles/")):
        for page in (1, 5):
            url = f"{path}?page={page}"
            response = client.get(url)  # warm-up
            assert response.status_code == 200, (url, response.status_code)
            times = []
            for _ in range(PAGE_ROUNDS):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - started)
                assert response.status_code == 200
            emit(**{f"{name}_page{page}_s": round(statistics.median(times), 4),
                    "queries": len(queries)})


def _analyze(commune: Any) -> None:
    """Fresh planner statistics, as autovacuum keeps them in production: right after a
    bulk load the planner would otherwise ignore the trigram indexes."""
    from django.db import connection

    from tenants.db import use_commune

    use_commune(commune)
    with connection.cursor() as cursor:
        for table in ("families_household", "families_guardian", "families_child",
                      "families_childhousehold", "schooling_enrolment", "catalog_registration"):
            cursor.execute(f"ANALYZE {table}")  # noqa: S608 - constant table names


def main() -> None:
    django_for_bench()
    from tenants.db import use_public

    commune = _commune()
    _analyze(commune)
    _search(commune)
    use_public()
    _pages(commune)


if __name__ == "__main__":
    main()
