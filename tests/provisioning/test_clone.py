"""A commune schema made from the template is the template: same tables, columns,
constraints, indexes, sequences and reference rows, and it works for writes."""

import re

import pytest
from django.conf import settings
from django.db import connection

from provisioning.schemas import schema_clone_from_template, schema_drop
from tenant_apps.accounts.models import User
from tests.conftest import inside

pytestmark = pytest.mark.django_db

SHAPE_QUERIES = {
    "columns": """SELECT table_name, column_name, data_type, is_nullable, column_default,
                         is_identity FROM information_schema.columns WHERE table_schema = %s""",
    "constraints": """SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
                      FROM pg_constraint WHERE connamespace = %s::regnamespace""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s",
    "migrations": "SELECT app, name FROM {schema}.django_migrations",
    "content_types": "SELECT app_label, model FROM {schema}.django_content_type",
}


def _normalised(text: str) -> str:
    """PostgreSQL prints a re-created CHECK (x IN (...)) with its casts placed differently
    ("ARRAY[('a'::varchar)::text]" vs "(ARRAY['a'::varchar])::text[]"): same meaning.
    Compare without casts, parentheses and spaces."""
    text = re.sub(r"::[a-z ]+(\[\])?", "", text)
    return re.sub(r"[()\s]", "", text)


def _shape(schema: str) -> dict[str, set[tuple]]:
    shape = {}
    with connection.cursor() as cursor:
        for name, query in SHAPE_QUERIES.items():
            if "{schema}" in query:
                cursor.execute(query.format(schema=schema))
            else:
                cursor.execute(query, [schema])
            rows = {
                tuple(_normalised(str(v).replace(schema, "<s>")) for v in row)
                for row in cursor.fetchall()
            }
            shape[name] = rows
    return shape


def test_clone_has_the_template_shape_and_rows(commune_alpha):
    connection.set_schema_to_public()
    schema_clone_from_template("c_clonetest")
    try:
        template = _shape(settings.TENANT_TEMPLATE_SCHEMA)
        clone = _shape("c_clonetest")
        for part in SHAPE_QUERIES:
            assert clone[part] == template[part], part
        assert template["migrations"] and template["columns"] and template["indexes"]
    finally:
        schema_drop("c_clonetest")


def test_clone_is_writable_with_fresh_identities(commune_alpha):
    # The shared commune was cloned the same way: identities start at 1 and constraints
    # hold (unique email).
    with inside(commune_alpha):
        user = User.objects.create_user(email="clone-check@example.test", role="agent")
        assert user.pk >= 1
        with pytest.raises(Exception, match="unique|duplicate|dupliqu"):
            User.objects.create_user(email="clone-check@example.test", role="agent")
