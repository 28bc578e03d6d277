"""Shared test machinery: a migrated template and two shared test communes per session.

Tests run against the real PostgreSQL (one database per xdist worker) and Redis. Most
tests use the `db` fixture (each test in a rolled-back transaction); the shared communes
are committed once per session so every test can use them cheaply."""

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from hypothesis import settings as hypothesis_settings

from tenants.models import Commune

hypothesis_settings.register_profile("ci", deadline=None, max_examples=200)
hypothesis_settings.load_profile("ci")

SHARED_COMMUNES = {
    "alpha": {"name": "Alphaville", "insee_code": "22113"},
    "beta": {"name": "Bétaville", "insee_code": "29019"},
}


def _create_shared_commune(slug: str) -> Commune:
    from provisioning.services import commune_create, provisioning_job_run

    spec = SHARED_COMMUNES[slug]
    job = commune_create(
        actor=None,
        name=spec["name"],
        slug=slug,
        insee_code=spec["insee_code"],
        contact_email=f"mairie@{slug}.example",
        admin_email=f"admin@{slug}.example",
        admin_name=f"Admin {spec['name']}",
        dispatch=False,
    )
    provisioning_job_run(job_id=job.pk)
    return Commune.objects.get(slug=slug)


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache_prefix() -> None:
    # xdist workers and successive runs share one Redis: give each session its own keys.
    caches["default"].key_prefix = f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """After pytest-django has migrated the public schema: the template and two communes."""
    from provisioning.schemas import template_schema_ensure

    # Never seed a real database: only pytest-django's test_* databases.
    assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        template_schema_ensure()
        for slug in SHARED_COMMUNES:
            if not Commune.objects.filter(slug=slug).exists():
                _create_shared_commune(slug)
    yield


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    yield
    with contextlib.suppress(Exception):
        connection.set_schema_to_public()


@pytest.fixture
def commune_alpha(django_db_setup, django_db_blocker) -> Commune:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        return Commune.objects.get(slug="alpha")


@pytest.fixture
def commune_beta(django_db_setup, django_db_blocker) -> Commune:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        return Commune.objects.get(slug="beta")


@contextlib.contextmanager
def inside(commune: Commune) -> Iterator[None]:
    """Run ORM code inside a commune's schema, then come back to public."""
    connection.set_tenant(commune)
    try:
        yield
    finally:
        connection.set_schema_to_public()


def host_of(commune: Commune) -> str:
    return f"{commune.slug}.localhost"


@pytest.fixture
def ops_client() -> Client:
    return Client(HTTP_HOST="ops.localhost")


def make_user(
    commune: Commune | None, *, role: str, email: str | None = None, password: str = "Motdepasse-1"
) -> object:
    """Create an account with a usable password in the commune's schema (public if None)."""
    from tenant_apps.accounts.models import User

    email = email or f"{role}-{uuid.uuid4().hex[:6]}@example.test"
    if commune is None:
        connection.set_schema_to_public()
        return User.objects.create_user(email=email, password=password, role=role)
    with inside(commune):
        return User.objects.create_user(email=email, password=password, role=role)


def logged_in_client(commune: Commune | None, user: object) -> Client:
    """A client on the commune's host (or the ops host), logged in as `user`."""
    from tenant_apps.accounts.middleware import SESSION_SCHEMA_KEY

    client = Client(HTTP_HOST=host_of(commune) if commune else "ops.localhost")
    if commune is None:
        client.force_login(user)  # type: ignore[arg-type]
        session = client.session
        session[SESSION_SCHEMA_KEY] = "public"
        session.save()
        return client
    with inside(commune):
        client.force_login(user)  # type: ignore[arg-type]
        session = client.session
        session[SESSION_SCHEMA_KEY] = commune.schema_name
        session.save()
    return client
