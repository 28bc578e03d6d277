"""Typed access to django-tenants' schema switching on the default connection."""

from typing import cast

from django.db import connection
from django_tenants.postgresql_backend.base import DatabaseWrapper

from tenants.models import Commune


def _tenant_connection() -> DatabaseWrapper:
    return cast(DatabaseWrapper, connection)


def current_schema() -> str:
    """The schema the connection is on ('public' for the control plane)."""
    return _tenant_connection().schema_name or "public"


def use_public() -> None:
    _tenant_connection().set_schema_to_public()


def use_commune(commune: Commune) -> None:
    _tenant_connection().set_tenant(commune)


def current_commune_id() -> int:
    """The id of the commune whose schema the connection is on; refuses the control plane
    (per-commune jobs must never run there)."""
    tenant = getattr(_tenant_connection(), "tenant", None)
    if tenant is None or not getattr(tenant, "pk", None):
        raise RuntimeError("this runs inside a commune's schema only")
    return int(tenant.pk)


class SessionAdvisoryLock:
    """A PostgreSQL session advisory lock named `name`, tried without waiting: `held`
    says whether this process got it (e.g. one scheduler tick per commune at a time)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.held = False

    def __enter__(self) -> "SessionAdvisoryLock":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [self.name])
            row = cursor.fetchone()
            self.held = bool(row and row[0])
        return self

    def __exit__(self, *exc: object) -> None:
        if self.held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [self.name])


def transaction_advisory_lock(name: str) -> None:
    """Wait for the PostgreSQL advisory lock `name` of the current schema, held until the
    transaction ends (writers of one commune's ledger queue behind each other)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                       [f"{current_schema()}:{name}"])
