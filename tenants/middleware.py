"""Host routing: ops host -> public schema, commune host -> its schema, else a French page.

Replaces django-tenants' TenantMainMiddleware so that the control plane needs no
"public tenant" row, and so that suspended or unknown communes answer in French."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template.loader import render_to_string
from django.urls import set_urlconf

from tenants.db import use_commune, use_public
from tenants.models import CommuneStatus
from tenants.selectors import commune_for_hostname, commune_for_slug

HEALTH_PATHS = frozenset({"/healthz", "/readyz"})


def _page(template: str, status: int, context: dict[str, object] | None = None) -> HttpResponse:
    return HttpResponse(render_to_string(template, context or {}), status=status)


class CommuneRoutingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        use_public()
        request.tenant = None  # type: ignore[attr-defined]
        try:
            hostname = request.get_host().split(":")[0].lower().rstrip(".")
        except DisallowedHost:
            return _page("routing/unknown_host.html", 400)

        if request.path in HEALTH_PATHS or hostname == settings.OPS_HOSTNAME:
            return self._serve_public(request)
        if hostname == settings.LEGACY_PARENTS_HOSTNAME:
            return self._redirect_legacy(request)

        commune = commune_for_hostname(hostname)
        if commune is None:
            return _page("routing/unknown_host.html", 404, {"hostname": hostname})
        if commune.status != CommuneStatus.ACTIVE:
            response = _page("routing/maintenance.html", 503, {"commune": commune})
            response["Retry-After"] = "3600"
            return response

        commune.domain_url = hostname
        request.tenant = commune  # type: ignore[attr-defined]
        use_commune(commune)
        request.urlconf = settings.ROOT_URLCONF  # type: ignore[attr-defined]
        set_urlconf(request.urlconf)  # type: ignore[attr-defined]
        try:
            return self.get_response(request)
        finally:
            use_public()

    def _serve_public(self, request: HttpRequest) -> HttpResponse:
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
        set_urlconf(request.urlconf)  # type: ignore[attr-defined]
        return self.get_response(request)

    def _redirect_legacy(self, request: HttpRequest) -> HttpResponse:
        """parents.<domain>/<slug>/rest -> <slug>.<domain>/rest, for links families kept."""
        slug, _, rest = request.path.lstrip("/").partition("/")
        commune = commune_for_slug(slug) if slug else None
        if commune is None:
            return _page("routing/unknown_host.html", 404, {"hostname": request.get_host()})
        query = request.META.get("QUERY_STRING", "")
        target = f"{settings.SITE_SCHEME}://{slug}.{settings.BASE_DOMAIN}/{rest}"
        return HttpResponsePermanentRedirect(target + (f"?{query}" if query else ""))
