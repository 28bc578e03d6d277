"""Helpers of the isolation suite: replaying credentials on another host, checking that
the answer is the anonymous one, and fingerprinting a schema to prove nothing changed."""

import contextlib
import uuid
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from psycopg import sql

from tests.isolation.endpoints import Endpoint

METHODS = ("get", "post", "put", "delete")
PROBE_ROUTES = frozenset({"healthz", "readyz"})
# What an attacker would post to a settings, profile or password page.
HOSTILE_FORM = {
    "display_name": "Commune piratée",
    "phone": "06 66 66 66 66",
    "email": "pirate@example.test",
    "brand_colour": "#000000",
    "portal_welcome_text": "Piraté",
    "password1": "Pirate-Mot2passe!",
    "password2": "Pirate-Mot2passe!",
    "full_name": "Pirate",
    "role": "administrator",
}
# Tables whose rows legitimately change on anonymous requests (an empty session row).
UNFINGERPRINTED_TABLES = frozenset({"django_session"})


def unique_email(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}@example.test"


def request(
    method: str,
    path: str,
    *,
    host: str,
    session_key: str | None = None,
    token: str | None = None,
    remote_addr: str = "127.0.0.1",
) -> HttpResponse:
    """One request from a fresh client carrying only the given credentials.

    A fresh client per request: a logout answer would otherwise replace the replayed
    cookie and make every later request trivially anonymous."""
    client = Client(HTTP_HOST=host, REMOTE_ADDR=remote_addr)
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    extra = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    if method == "get":
        return client.get(path, **extra)
    if method == "post":
        return client.post(path, HOSTILE_FORM, **extra)
    return getattr(client, method)(path, data=HOSTILE_FORM, content_type="application/json",
                                   **extra)


def is_login_redirect(response: HttpResponse) -> bool:
    return response.status_code in (301, 302, 303) and "connexion" in response.get(
        "Location", ""
    )


def assert_denied(response: HttpResponse, method: str, where: str) -> None:
    """A page that is not public: login redirect, 401 or 403 (405 for a wrong method)."""
    status = response.status_code
    assert status < 500, f"{where}: {status}"
    if method == "get":
        assert is_login_redirect(response) or status in (401, 403, 405), (
            f"{where}: {status} {response.get('Location', '')}"
        )
    else:
        assert not 200 <= status < 300, f"{where}: {status}"


def assert_same_as_anonymous(
    response: HttpResponse, anonymous: HttpResponse, where: str
) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if response.status_code == 401:
        return  # the foreign credentials were refused outright (DRF, invalid token)
    assert (response.status_code, response.get("Location")) == (
        anonymous.status_code,
        anonymous.get("Location"),
    ), f"{where}: answered like a signed-in user, not like an anonymous one"


def assert_reveals_nothing(response: HttpResponse, secrets: Iterable[str], where: str) -> None:
    body = response.content.decode(errors="replace")
    for secret in secrets:
        assert secret not in body, f"{where}: the answer contains {secret!r}"


def sweep(
    endpoints: list[Endpoint],
    public_routes: frozenset[str],
    *,
    host: str,
    session_key: str | None = None,
    token: str | None = None,
    secrets: Iterable[str] = (),
) -> int:
    """Every endpoint, every method, with the foreign credentials and without any: the
    answers must be the same, non-public ones denied, nothing secret in the body.
    Returns how many requests were checked."""
    checked = 0
    secrets = list(secrets)
    for endpoint in endpoints:
        for method in METHODS:
            where = f"{method.upper()} {host}{endpoint.path} ({endpoint.route})"
            anonymous = request(method, endpoint.path, host=host)
            replayed = request(method, endpoint.path, host=host, session_key=session_key,
                               token=token)
            if endpoint.route not in PROBE_ROUTES:  # probes answer with the infra's state
                assert_same_as_anonymous(replayed, anonymous, where)
            assert_reveals_nothing(replayed, secrets, where)
            if endpoint.route not in public_routes:
                assert_denied(replayed, method, where)
            checked += 1
    return checked


def schema_fingerprint(schema: str) -> dict[str, str]:
    """md5 of every table's rows in the schema (sessions aside): equal before and after
    means no row was written, updated or deleted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema],
        )
        tables = [row[0] for row in cursor.fetchall() if row[0] not in UNFINGERPRINTED_TABLES]
        result = {}
        for table in tables:
            cursor.execute(
                sql.SQL(
                    "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' "
                    "ORDER BY t::text)), '') FROM {}.{} AS t"
                ).format(sql.Identifier(schema), sql.Identifier(table))
            )
            result[table] = cursor.fetchone()[0]
    assert result, f"schema {schema} has no tables"
    return result


@contextlib.contextmanager
def nothing_changes(*schemas: str) -> Iterator[None]:
    """The block may read but must not write a row in any of the schemas."""
    before = {s: schema_fingerprint(s) for s in schemas}
    yield
    for schema in schemas:
        after = schema_fingerprint(schema)
        changed = sorted(
            t for t in before[schema].keys() | after.keys()
            if before[schema].get(t) != after.get(t)
        )
        assert not changed, f"rows changed in {schema}: {changed}"
