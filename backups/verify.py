"""Checks of a restored schema against its backup's manifest, before it may go live."""

from typing import Any

from django.db import connection
from psycopg import sql

from provisioning.migration_state import applied_migrations, expected_migrations


class VerificationFailed(Exception):
    """The restored schema does not match the manifest; the message is French."""


def table_row_counts(schema: str) -> dict[str, int]:
    """{table: rows} for every ordinary table of the schema, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
            "ORDER BY c.relname",
            [schema],
        )
        tables = [name for (name,) in cursor.fetchall()]
        if not tables:
            return {}
        query = sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT {name}, count(*) FROM {table}").format(
                name=sql.Literal(table), table=sql.Identifier(schema, table)
            )
            for table in tables
        )
        cursor.execute(query.as_string(cursor.connection))
        return {name: int(count) for name, count in cursor.fetchall()}


def _differences(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    lines = []
    for table in sorted(set(expected) | set(found)):
        want, got = expected.get(table), found.get(table)
        if want is None:
            lines.append(f"{table} : table absente de la sauvegarde")
        elif got is None:
            lines.append(f"{table} : table manquante après restauration")
        elif want != got:
            lines.append(f"{table} : {got} lignes au lieu de {want}")
    return lines


def verify_restored(*, schema: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """Compare the restored schema's row counts and applied migrations with the manifest.

    Returns the checks (for the RestoreRecord); raises VerificationFailed listing the
    differences."""
    counts = table_row_counts(schema)
    differences = _differences(
        {str(k): int(v) for k, v in manifest.get("row_counts", {}).items()}, counts
    )
    if differences:
        raise VerificationFailed(
            "Les nombres de lignes restaurées ne correspondent pas au manifeste : "
            + " ; ".join(differences[:20])
        )
    applied = applied_migrations([schema])[schema]
    recorded = {(str(app), str(name)) for app, name in manifest.get("migrations", [])}
    if applied != recorded:
        missing, extra = sorted(recorded - applied), sorted(applied - recorded)
        raise VerificationFailed(
            "L'état des migrations restauré ne correspond pas au manifeste "
            f"(manquantes : {len(missing)}, en trop : {len(extra)})."
        )
    return {
        "tables": len(counts),
        "rows": sum(counts.values()),
        "row_counts_match": True,
        "migrations_match": True,
        "migrations_in_backup": len(recorded),
    }


def migrations_pending(schema: str) -> list[tuple[str, str]]:
    """Migrations of the code not yet applied in the schema (newer than the backup)."""
    return sorted(expected_migrations() - applied_migrations([schema])[schema])
