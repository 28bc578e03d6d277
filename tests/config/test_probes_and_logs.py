"""Readiness reports each dependency; every log line carries the commune and request id."""

import json
import logging

import pytest
from django.test import Client

from config.request_context import JsonFormatter, LogContextFilter

pytestmark = pytest.mark.django_db


def test_readyz_checks_database_redis_and_s3(settings):
    from config.s3 import ensure_bucket

    ensure_bucket(settings.S3_FILES_BUCKET)
    response = Client(HTTP_HOST="ops.localhost").get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "s3": "ok"}


def test_readyz_is_503_when_s3_is_unreachable(settings):
    settings.S3_ENDPOINT_URL = "http://127.0.0.1:9"
    response = Client(HTTP_HOST="ops.localhost").get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["s3"].startswith("erreur")


def test_log_lines_carry_commune_and_request_id(commune_alpha):
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(JsonFormatter().format(record)))

    capture = Capture()
    capture.addFilter(LogContextFilter())
    logger = logging.getLogger("tenant_apps.accounts.views")
    logger.addHandler(capture)
    try:
        response = Client(HTTP_HOST="alpha.localhost").post(
            "/gestion/connexion/",
            {"email": "x@example.test", "password": "faux"},
            HTTP_X_REQUEST_ID="abc123",
        )
    finally:
        logger.removeHandler(capture)
    assert response["X-Request-ID"] == "abc123"
    assert {"commune": "c_alpha", "request_id": "abc123", "message": "login refused"}.items() <= (
        lines[0].items()
    )
