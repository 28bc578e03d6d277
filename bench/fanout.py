"""Fan-out of the caterer-order tick over many communes (default 500; BENCH_COMMUNES=n).

The fleet (bench-fan-<n> in cantine_bench) is built once and kept between runs; only the
missing communes are created. bench-fan-0 is provisioned normally (template replay) and
given demo-like data in bulk: 2 schools, 120 children with varied diets, a meal service
booked on school days, one caterer (cut-off 09:00 the same day). Every other commune is a
copy of that seeded schema made with the provisioning's own replay of pg_dump's SQL
(provisioning/template_script.py) plus its Commune and Domain rows, one transaction each
(0.3 s at 45 schemas, ~1 s at 500 on a busy 2-core machine: the first run builds the fleet
in ~8 minutes, later runs in seconds).

The timed part is what production does at a cut-off: beat's fan-out enqueues one
`catering_tick_task` per active commune on Redis, and a real Celery worker with a pool of
2 processes (`celery -A config worker -c 2`, a subprocess on the bench database and a
private queue) runs them; the clock stops when every bench commune has recorded its run
(order computed and stored, outbox row written, job run recorded). The outbox deliveries
those ticks enqueue go to another queue, not timed, purged at the end. Each run first
clears the previous run's orders, job runs and outbox rows, so every commune computes
one order."""

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from _setup import ROOT, django_for_bench

COMMUNES = int(os.environ.get("BENCH_COMMUNES", "500"))
WORKERS = 2
CHILDREN = 120
DAY = date(2026, 11, 30)  # a Monday of school term
DUE_AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Paris
NOW = DUE_AT + timedelta(seconds=30)
TARGET_S = 60
TIMEOUT_S = 600


def _seed() -> None:
    from tenant_apps.bookings.models import Booking
    from tenant_apps.catalog.models import Registration, Service
    from tenant_apps.catering.models import Caterer, CatererSite
    from tenant_apps.families.models import Child, ChildHousehold, Household
    from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear

    if Caterer.objects.exists():
        return
    year = SchoolYear.objects.create(label="2026-2027", starts_on=date(2026, 9, 1),
                                     ends_on=date(2027, 7, 4), is_current=True)
    schools = [School.objects.create(name=f"École {n}", kind="primaire") for n in range(2)]
    classes = [SchoolClass.objects.create(school=s, school_year=year, name=f"Classe {n}")
               for n, s in enumerate(schools * 3)]
    service = Service.objects.create(name="Repas enfant", kind="repas", weekdays=[1, 2, 4, 5],
                                     book_until=clock(8, 30), cancel_until=clock(8, 30))
    diets = ["standard"] * 6 + ["sans_porc", "sans_viande", "vegetarien"]
    households = Household.objects.bulk_create([Household(name=f"Foyer {n}")
                                                for n in range(CHILDREN // 2)])
    kids = Child.objects.bulk_create([
        Child(last_name=f"Nom{n}", first_name=f"Enfant{n}", birth_date=date(2018, 1, 1),
              diet=diets[n % len(diets)], has_pai=n % 40 == 0) for n in range(CHILDREN)])
    ChildHousehold.objects.bulk_create([ChildHousehold(child=c, household=households[n // 2])
                                        for n, c in enumerate(kids)])
    Enrolment.objects.bulk_create([Enrolment(child=c, school_year=year,
                                             school_class=classes[n % len(classes)])
                                   for n, c in enumerate(kids)])
    Registration.objects.bulk_create([Registration(child=c, service=service, school_year=year,
                                                   household=households[n // 2])
                                      for n, c in enumerate(kids)])
    Booking.objects.bulk_create([
        Booking(child=c, service=service, household=households[n // 2],
                day=DAY + timedelta(days=d), state="booked")
        for n, c in enumerate(kids) if n % 7 for d in (0, 1, 3, 4)])
    caterer = Caterer.objects.create(name="Traiteur bench", emails=["bench@example.test"],
                                     cutoff_time=clock(9, 0))
    caterer.services.set([service])
    CatererSite.objects.bulk_create([CatererSite(caterer=caterer, school=s, adult_meals=3)
                                     for s in schools])
    Caterer.objects.filter(pk=caterer.pk).update(
        created_at=datetime(2026, 11, 29, tzinfo=UTC))


def _source() -> Any:
    """bench-fan-0, provisioned and seeded the normal way (once)."""
    from provisioning.schemas import template_schema_ensure
    from provisioning.services import commune_create, provisioning_job_run
    from tenants.db import use_commune, use_public
    from tenants.models import Commune

    template_schema_ensure()
    commune = Commune.objects.filter(slug="bench-fan-0").first()
    if commune is None:
        job = commune_create(actor=None, name="Bench 0", slug="bench-fan-0", insee_code="22113",
                             contact_email="bench@example.test",
                             admin_email="admin-0@example.test", dispatch=False)
        provisioning_job_run(job_id=job.pk)
        commune = Commune.objects.get(slug="bench-fan-0")
    use_commune(commune)
    try:
        _seed()
    finally:
        use_public()
    return commune


def _reset(communes: list[Any]) -> None:
    """Forget the previous run: orders (with versions, lines, emails), outbox rows, runs."""
    from django.db import connection
    from psycopg import sql

    from shared_apps.jobs.models import JobRun, JobSchedule

    JobRun.objects.filter(commune__in=communes).delete()
    JobSchedule.objects.filter(commune__in=communes).delete()
    with connection.cursor() as cursor:
        for commune in communes:
            cursor.execute(sql.SQL(
                "DELETE FROM {line}; DELETE FROM {dispatch}; DELETE FROM {version}; "
                "DELETE FROM {outbox} WHERE idempotency_key LIKE 'catering:%%'; "
                "DELETE FROM {order}"
            ).format(**{
                name: sql.Identifier(commune.schema_name, table) for name, table in (
                    ("line", "catering_catererorderline"),
                    ("dispatch", "catering_catererorderdispatch"),
                    ("version", "catering_catererorderversion"),
                    ("outbox", "outbox_outboxmessage"),
                    ("order", "catering_catererorder"))
            }))


def _fleet(source: Any) -> tuple[list[Any], int]:
    """The COMMUNES bench communes; the missing ones are copies of the seeded source."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from provisioning.template_script import schema_create_from_template
    from tenants.db import use_public
    from tenants.models import Commune, CommuneStatus, Domain
    from tenants.naming import hostname_for, schema_name_for

    slugs = [f"bench-fan-{n}" for n in range(COMMUNES)]
    existing = {c.slug: c for c in Commune.objects.filter(slug__in=slugs)}
    _reset(list(existing.values()))  # the source is copied without last run's orders
    created = 0
    for slug in slugs:
        if slug in existing:
            continue
        with transaction.atomic():
            commune = Commune(name=f"Bench {slug.rsplit('-', 1)[1]}", slug=slug,
                              schema_name=schema_name_for(slug), insee_code="22113",
                              contact_email="bench@example.test", status=CommuneStatus.ACTIVE,
                              status_changed_at=timezone.now(), modules=source.modules)
            Commune.objects.bulk_create([commune])
            Domain.objects.create(domain=hostname_for(slug, settings.BASE_HOSTNAME),
                                  tenant=commune, is_primary=True)
            schema_create_from_template(source.schema_name, commune.schema_name)
            use_public()
        existing[slug] = commune
        created += 1
    return [existing[slug] for slug in slugs], created


WORKER_MAIN = """
import sys
from config.celery import app
app.conf.task_routes = {"tenant_apps.catering.tasks.*": {"queue": sys.argv[1]},
                        "*": {"queue": sys.argv[1] + "-other"}}
app.worker_main(["worker", "-Q", sys.argv[1], "-c", sys.argv[2], "-n", sys.argv[1] + "@%h",
                 "--loglevel=WARNING", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"])
"""


def _route(app: Any, queue: str) -> None:
    app.conf.task_routes = {"tenant_apps.catering.tasks.*": {"queue": queue},
                            "*": {"queue": f"{queue}-other"}}
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


def _start_worker(app: Any, queue: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    worker = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", WORKER_MAIN, queue, str(WORKERS)], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
            return worker
        if worker.poll() is not None:
            raise RuntimeError("the bench worker exited")
    worker.terminate()
    raise RuntimeError("the bench worker did not start")


def _wait_runs(communes: list[Any]) -> int:
    from shared_apps.jobs.models import JobKind, JobRun, JobRunStatus

    runs = JobRun.objects.filter(commune__in=communes, kind=JobKind.CATERER_ORDER,
                                 due_at=DUE_AT, status__in=[JobRunStatus.SUCCEEDED,
                                                            JobRunStatus.FAILED])
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if runs.count() >= len(communes):
            break
        time.sleep(0.05)
    return runs.filter(status=JobRunStatus.SUCCEEDED).count()


def main() -> None:
    django_for_bench()
    import redis
    from django.conf import settings

    from config.celery import app
    from tenant_apps.catering.tasks import catering_tick_task
    from tenants.fanout import fan_out

    started = time.perf_counter()
    communes, created = _fleet(_source())
    setup_s = time.perf_counter() - started
    queue = f"bench-fanout-{uuid.uuid4().hex[:8]}"
    _route(app, queue)
    worker = _start_worker(app, queue)
    try:
        started = time.perf_counter()
        enqueued = fan_out(catering_tick_task, now=NOW.isoformat())
        orders = _wait_runs(communes)
        total = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        names = (queue, f"{queue}-other")
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*names, *(
            f"_kombu.{kind}.{name}" for kind in ("binding", "binding_permanent")
            for name in names))
    print(json.dumps({
        "bench": "fanout", "communes": len(communes), "total_s": round(total, 2),
        "per_commune_s": round(total / max(1, len(communes)), 4), "workers": WORKERS,
        "runner": "celery worker -c 2 (prefork) on Redis", "ticks_enqueued": enqueued,
        "orders": orders, "setup_s": round(setup_s, 1), "communes_created": created,
        "target_s": TARGET_S, "ok": total <= TARGET_S and orders == len(communes),
    }))


if __name__ == "__main__":
    main()
