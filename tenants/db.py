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
