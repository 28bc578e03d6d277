"""Schema-level operations: the migrated template, cloning, migrating, dropping."""

import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.migration_executors.base import run_migrations
from django_tenants.utils import schema_exists
from psycopg import sql

from provisioning.migration_state import schemas_behind
from provisioning.template_script import schema_create_from_template
from tenants.db import use_public
from tenants.naming import SCHEMA_PREFIX

logger = logging.getLogger(__name__)

MIGRATE_OPTIONS: dict[str, Any] = {
    "verbosity": 0,
    "force_color": False,
    "no_color": True,
    "interactive": False,
    "database": "default",
    "skip_checks": True,
    "run_syncdb": False,
    "plan": False,
    "check_unapplied": False,
    "prune": False,
    "fake": False,
    "fake_initial": False,
    "app_label": None,
    "migration_name": None,
}


def schema_migrate(schema_name: str) -> None:
    """Run the tenant apps' migrations in one schema (creating the schema if needed)."""
    if not schema_exists(schema_name):
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema_name)))
    run_migrations(
        args=[],
        options=dict(MIGRATE_OPTIONS),
        executor_codename="provisioning",
        schema_name=schema_name,
        allow_atomic=True,
    )
    use_public()


def template_schema_ensure() -> str:
    """Keep the template schema migrated; cheap (one query) when it already is."""
    template = settings.TENANT_TEMPLATE_SCHEMA
    if not schema_exists(template) or schemas_behind([template]):
        logger.info("migrating template schema %s", template)
        schema_migrate(template)
    return template


def schema_clone_from_template(schema_name: str) -> None:
    """Copy the template's tables, sequences and reference rows into a new schema.

    Runs inside the caller's transaction, so a failure leaves no schema behind. The caller
    has made sure the template is migrated (template_schema_ensure)."""
    use_public()
    schema_create_from_template(settings.TENANT_TEMPLATE_SCHEMA, schema_name)


def schema_drop(schema_name: str) -> None:
    if schema_name == settings.TENANT_TEMPLATE_SCHEMA or not schema_name.startswith(SCHEMA_PREFIX):
        raise ValueError(f"refusing to drop schema {schema_name!r}")
    use_public()
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema_name))
        )
