"""The URL catalogue the isolation tests walk: complete, and the public list honest."""

import pytest
from django.conf import settings

from config.s3 import ensure_bucket
from tests.conftest import host_of
from tests.isolation.endpoints import (
    PUBLIC_OPS_ROUTES,
    PUBLIC_TENANT_ROUTES,
    ops_endpoints,
    tenant_endpoints,
)
from tests.isolation.support import METHODS, assert_denied, is_login_redirect, request

pytestmark = pytest.mark.django_db


def test_walk_finds_every_kind_of_commune_page():
    paths = {e.path for e in tenant_endpoints()}
    # Portal, back office, API, a page with a path argument, and the probes.
    for path in ("/", "/gestion/", "/gestion/parametres/", "/api/v1/moi/",
                 "/compte/mot-de-passe/exemple/", "/healthz"):
        assert path in paths


def test_public_lists_name_only_routes_that_exist():
    assert PUBLIC_TENANT_ROUTES <= {e.route for e in tenant_endpoints()}
    assert PUBLIC_OPS_ROUTES <= {e.route for e in ops_endpoints()}


@pytest.fixture
def files_bucket() -> None:
    ensure_bucket(settings.S3_FILES_BUCKET)  # /readyz checks it


def test_public_commune_pages_answer_anonymous_users(commune_alpha, files_bucket):
    for endpoint in tenant_endpoints():
        if endpoint.route not in PUBLIC_TENANT_ROUTES:
            continue
        response = request("get", endpoint.path, host=host_of(commune_alpha))
        # 200, or 405 for a POST-only logout, or 410 for a sample password link.
        assert response.status_code in (200, 405, 410), (endpoint.route, response.status_code)
        assert not is_login_redirect(response)


def test_every_other_commune_page_is_closed_to_anonymous_users(commune_alpha):
    closed = [e for e in tenant_endpoints() if e.route not in PUBLIC_TENANT_ROUTES]
    assert len(closed) >= 4
    for endpoint in closed:
        for method in METHODS:
            response = request(method, endpoint.path, host=host_of(commune_alpha))
            assert_denied(response, method, f"{method} {endpoint.route}")


def test_every_console_page_is_closed_to_anonymous_users():
    closed = [e for e in ops_endpoints() if e.route not in PUBLIC_OPS_ROUTES]
    assert closed, "the ops console has no page behind its login"
    for endpoint in closed:
        for method in METHODS:
            response = request(method, endpoint.path, host=settings.OPS_HOSTNAME)
            assert_denied(response, method, f"{method} ops {endpoint.route}")
