"""Benchmarks run against their own database (cantine_bench), never the demo's."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "cantine_bench"


def django_for_bench() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/4")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            f"select 1 from pg_database where datname='{BENCH_DB}'",  # noqa: S608 - constant
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", BENCH_DB], check=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", shared=True, verbosity=0)
    # Every commune of the bench database at the code's migrations (cheap when they are).
    call_command("migrate_communes", verbosity=0)


def bench_commune(slug: str, name: str, *, complete: Callable[[], bool]) -> tuple[Any, bool]:
    """The bench commune `slug`, selected as the current schema, and whether it is new.

    A commune from an earlier run is kept when `complete()` (run inside its schema) says
    its data is all there; a half-made one is dropped and provisioned again, empty."""
    from django.db import DatabaseError

    from provisioning.schemas import schema_drop, template_schema_ensure
    from provisioning.services import commune_create, provisioning_job_run
    from tenants.db import use_commune, use_public
    from tenants.models import Commune

    template_schema_ensure()
    commune = Commune.objects.filter(slug=slug).first()
    if commune is not None:
        use_commune(commune)
        try:
            if complete():
                return commune, False
        except DatabaseError:
            pass  # a half-made schema: rebuilt below
        use_public()
        schema_drop(commune.schema_name)
        Commune.objects.filter(pk=commune.pk).delete()
    job = commune_create(actor=None, name=name, slug=slug, insee_code="22113",
                         contact_email="bench@example.test", admin_email="admin@example.test",
                         dispatch=False)
    provisioning_job_run(job_id=job.pk)
    commune = Commune.objects.get(slug=slug)
    use_commune(commune)
    return commune, True
