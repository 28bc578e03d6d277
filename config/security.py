"""Security headers in one place: the Content Security Policy (django-csp 4) and the
middleware that applies it.

Policy, for every HTML page of the three front ends (portal, back office, ops console):

- `default-src 'self'`: nothing is loaded from another origin (no CDN, see UI.md).
- `script-src 'self'`: no inline `<script>` and no inline event handlers (`onclick=`);
  behaviour lives in static files (static/js/behaviours.js, static/portal/password.js...).
  htmx runs with `allowEval: false` (meta `htmx-config` in templates/base.html).
- `style-src 'self'` plus a per-response nonce for the one `<style>` element we render
  (the commune's brand colour); `style-src-attr 'unsafe-inline'` ONLY for `style="..."`
  attributes (progress bar widths, colour swatches, max-widths in a few templates): an
  attribute cannot load anything nor run script, and moving every width to a class would
  not buy real protection. Browsers without CSP 3 fall back to `style-src`, which only
  costs them those cosmetic attributes.
- `img-src 'self' data:` (Bootstrap's inline SVG icons are data: URLs) plus the origin
  of the S3-compatible file storage, where the commune's logo is read from (a presigned
  URL); nothing else.
- `frame-ancestors 'none'` (with X-Frame-Options DENY for old browsers), `form-action
  'self'`, `base-uri 'self'`, `object-src 'none'`.

The only page with a looser policy is the API documentation (Swagger UI from
drf-spectacular-sidecar), whose template has an inline script and style: it gets
`'unsafe-inline'` for scripts and styles, on that path only.
"""

from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase


def content_security_policy(*, files_url: str = "") -> dict[str, Any]:
    """django-csp 4's CONTENT_SECURITY_POLICY setting; `files_url` is the file storage's
    endpoint (S3_ENDPOINT_URL), whose origin may serve images."""
    parts = urlsplit(files_url)
    files_origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF, NONCE],
            "style-src-attr": [UNSAFE_INLINE],
            "img-src": [SELF, "data:", *([files_origin] if files_origin else [])],
            "font-src": [SELF, "data:"],
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
            "frame-ancestors": [NONE],
            "form-action": [SELF],
        },
    }

# Swagger UI (drf-spectacular) renders an inline bootstrap script and style.
API_DOCS_PREFIX = "/api/docs/"
API_DOCS_REPLACE: dict[str, Any] = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the API documentation's looser policy."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(API_DOCS_PREFIX):
            parts.replace = {**(parts.replace or {}), **API_DOCS_REPLACE}
            # A nonce next to 'unsafe-inline' would make browsers ignore 'unsafe-inline'.
            parts.nonce = None
        return parts
