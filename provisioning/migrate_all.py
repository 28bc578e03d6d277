"""Migrate every commune schema in parallel, skipping those already up to date."""

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

from django.conf import settings
from django.db import connections

from provisioning.migration_state import schemas_behind
from provisioning.schemas import schema_migrate
from tenants.models import Commune


@dataclass
class MigrationRun:
    checked: int = 0
    migrated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def _migrate_one(schema_name: str) -> tuple[str, str]:
    try:
        schema_migrate(schema_name)
        return schema_name, ""
    except Exception as exc:  # reported per schema; the others go on
        return schema_name, f"{type(exc).__name__}: {exc}"
    finally:
        connections.close_all()


def commune_schemas_migrate(*, jobs: int = 2) -> MigrationRun:
    """Bring the template and every commune schema to the code's migrations.

    Up-to-date schemas cost one batched query in all; only those behind are migrated,
    `jobs` at a time in forked processes (each with its own database connection)."""
    started = time.monotonic()
    schemas = [settings.TENANT_TEMPLATE_SCHEMA] + list(
        Commune.objects.exclude(status="failed").values_list("schema_name", flat=True)
    )
    run = MigrationRun(checked=len(schemas))
    behind = schemas_behind(schemas)
    if behind:
        connections.close_all()  # never share a socket with the children
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            for schema_name, error in pool.map(_migrate_one, behind):
                if error:
                    run.failed[schema_name] = error
                else:
                    run.migrated.append(schema_name)
    run.seconds = time.monotonic() - started
    return run
