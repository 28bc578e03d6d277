"""(e) Cache keys carry the schema name: one commune never reads another's entries."""

import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests.conftest import inside

pytestmark = pytest.mark.django_db  # creates the test database the communes live in


@pytest.fixture
def key() -> str:
    return f"isolation-{uuid.uuid4().hex}"


def test_entry_set_in_alpha_is_invisible_in_beta_and_public(commune_alpha, commune_beta, key):
    with inside(commune_alpha):
        cache.set(key, "secret d'alpha", timeout=60)
    with inside(commune_beta):
        assert cache.get(key) is None
        assert cache.get_many([key]) == {}
        assert not cache.has_key(key)
        assert cache.add(key, "valeur de beta", timeout=60)  # free in beta
    connection.set_schema_to_public()
    assert cache.get(key) is None
    with inside(commune_alpha):
        assert cache.get(key) == "secret d'alpha"
    with inside(commune_beta):
        assert cache.get(key) == "valeur de beta"


def test_deleting_in_beta_leaves_alpha_entry(commune_alpha, commune_beta, key):
    with inside(commune_alpha):
        cache.set(key, 1, timeout=60)
    with inside(commune_beta):
        cache.delete(key)
        cache.delete_many([key])
        with pytest.raises(ValueError):
            cache.incr(key)
    with inside(commune_alpha):
        assert cache.get(key) == 1


def test_redis_key_starts_with_the_schema_name(commune_alpha, key):
    with inside(commune_alpha):
        cache.set(key, "x", timeout=60)
        full_key = cache.make_key(key)
    assert full_key.startswith(f"{commune_alpha.schema_name}:")
    server = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert server.exists(full_key) == 1
    assert [k for k in server.scan_iter(f"*{key}*")] == [full_key.encode()]
