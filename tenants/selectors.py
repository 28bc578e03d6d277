"""Reads of the commune registry (public schema)."""

from django.conf import settings
from django.db import connection

from tenants.models import Commune, Domain


def commune_for_hostname(hostname: str) -> Commune | None:
    domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    return domain.tenant if domain else None


def commune_for_slug(slug: str) -> Commune | None:
    return Commune.objects.filter(slug=slug).first()


def commune_url(commune: Commune, path: str = "/") -> str:
    """Absolute URL of a page on the commune's primary host."""
    domain = commune.get_primary_domain()
    host = domain.domain if domain else f"{commune.slug}.{settings.BASE_HOSTNAME}"
    port = settings.BASE_DOMAIN.partition(":")[2]
    return f"{settings.SITE_SCHEME}://{host}{':' + port if port else ''}{path}"


def current_commune_url(path: str = "/") -> str:
    """Absolute URL of `path` on the commune whose schema the connection is on (links in
    emails); `path` alone outside a commune."""
    commune = getattr(connection, "tenant", None)
    return commune_url(commune, path) if commune is not None else path
