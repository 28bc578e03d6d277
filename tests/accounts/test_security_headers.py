"""Security headers on the three front ends, and templates the CSP can serve as they are."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.conftest import host_of

ROOT = Path(__file__).resolve().parents[2]
# Rendered to PDF or email, never served to a browser under our CSP.
NOT_SERVED = ("emails/", "billing/pdf/", "catering/order_pdf", "500.html")


def _directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/connexion/", "/compte/nouveau-mot-de-passe/",
                                  "/gestion/connexion/"])
def test_commune_pages_carry_a_strict_policy(commune_alpha, path):
    response = Client(HTTP_HOST=host_of(commune_alpha)).get(path)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    # Logos come from the file storage (a presigned URL), nothing else from elsewhere.
    storage = urlsplit(settings.S3_ENDPOINT_URL)
    assert policy["img-src"] == ["'self'", "data:", f"{storage.scheme}://{storage.netloc}"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    # The one <style> element (the brand colour) carries this response's nonce.
    [nonce] = [s[len("'nonce-"):-1] for s in policy["style-src"] if s.startswith("'nonce-")]
    assert f'<style nonce="{nonce}">' in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_each_response_gets_its_own_nonce(commune_alpha):
    client = Client(HTTP_HOST=host_of(commune_alpha))
    first = client.get("/connexion/")["Content-Security-Policy"]
    second = client.get("/connexion/")["Content-Security-Policy"]
    assert first != second


@pytest.mark.django_db
def test_ops_console_is_covered_too(ops_client):
    policy = _directives(ops_client.get("/connexion/")["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_only_the_api_docs_get_inline_scripts(commune_alpha):
    response = Client(HTTP_HOST=host_of(commune_alpha)).get("/api/docs/")
    policy = _directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_cookies_are_httponly_lax_and_secure_when_asked(commune_alpha):
    with override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True):
        response = Client(HTTP_HOST=host_of(commune_alpha)).get("/connexion/")
    csrf = response.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["secure"] and csrf["samesite"] == "Lax"


def _served_templates() -> list[Path]:
    return [
        p for p in (ROOT / "templates").rglob("*.html")
        if not any(part in str(p.relative_to(ROOT / "templates")) for part in NOT_SERVED)
    ]


def test_no_template_has_inline_script_or_event_handler():
    """script-src 'self' refuses inline code: behaviour belongs in static/ files
    (static/js/behaviours.js has data-confirm, data-autosubmit and data-check-all)."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\s on[a-z]+\s*=\s*[\"']", re.I | re.X)
    offenders = []
    for path in _served_templates():
        text = path.read_text()
        if inline_script.search(text) or handler.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_style_element_carries_the_nonce():
    style = re.compile(r"<style(?![^>]*nonce=\"\{\{ CSP_NONCE \}\}\")[^>]*>", re.I)
    offenders = [str(p.relative_to(ROOT)) for p in _served_templates()
                 if style.search(p.read_text())]
    assert offenders == []
