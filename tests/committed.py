"""For tests whose rows another process or thread must see (a gunicorn server, a Celery
worker): import `_django_db_marker` into that folder's conftest.py.

Such tests carry the django_db mark so that pytest-django creates the test database even
when they run alone; this override of pytest-django's fixture of the same name then
wraps them in no transaction: the database is simply unblocked and every write commits.
Those tests use unique names and remove what they create."""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _django_db_marker(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        yield
