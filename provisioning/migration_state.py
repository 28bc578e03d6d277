"""Which commune schemas are behind the code's migrations, read in one query per batch."""

from collections.abc import Iterable

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from psycopg import sql


def expected_migrations() -> frozenset[tuple[str, str]]:
    """Every migration the code knows. django-tenants records all apps' migrations in every
    schema (the router turns the others into no-ops), so a schema is up to date when its
    django_migrations table holds all of them."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.nodes)


def applied_migrations(schemas: Iterable[str]) -> dict[str, set[tuple[str, str]]]:
    """Applied migrations per schema; a schema without a django_migrations table maps to {}."""
    schemas = list(schemas)
    result: dict[str, set[tuple[str, str]]] = {s: set() for s in schemas}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [schemas],
        )
        present = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(present), 200):
            chunk = present[start : start + 200]
            query = sql.SQL(" UNION ALL ").join(
                sql.SQL("SELECT {lit}, app, name FROM {tbl}").format(
                    lit=sql.Literal(schema), tbl=sql.Identifier(schema, "django_migrations")
                )
                for schema in chunk
            )
            cursor.execute(query.as_string(connection.connection))
            for schema, app, name in cursor.fetchall():
                result[schema].add((app, name))
    return result


def schemas_behind(schemas: Iterable[str]) -> list[str]:
    expected = expected_migrations()
    return [s for s, applied in applied_migrations(schemas).items() if not expected <= applied]
