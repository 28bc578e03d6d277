"""Every URL of a urlconf, found by walking its resolver, with sample path arguments.

Pages added later by other issues are covered by the isolation tests without anyone
having to remember to list them. Only the pages that answer anonymous users are listed
by hand (PUBLIC_*_ROUTES), and a test keeps that list honest."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, PathConverter, SlugConverter, UUIDConverter
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

TENANT_URLCONF = "config.urls_tenant"
PUBLIC_URLCONF = "config.urls_public"

# Routes (as written in the urlconfs) that a commune host serves to anonymous users.
PUBLIC_TENANT_ROUTES = frozenset(
    {
        "healthz",
        "readyz",
        "gestion/connexion/",
        "gestion/deconnexion/",  # POST only; logs out nobody, then redirects
        "connexion/",
        "deconnexion/",
        "compte/mot-de-passe/<str:token>/",
        "compte/nouveau-mot-de-passe/",  # "Nouveau mot de passe": same answer for all
        "compte/nouveau-mot-de-passe/envoye/",
        "mentions-legales/",
        "api/schema/",
        "api/docs/",
        # PayFiP's server-to-server notification and the parent's return: they only
        # trigger a lookup with the provider for an idOp of THIS commune (see
        # tests/isolation/test_payments_isolation.py).
        "paiement/notification/",
        "paiement/retour/",
    }
)
# Routes the ops host serves to anonymous users.
PUBLIC_OPS_ROUTES = frozenset(
    {"healthz", "readyz", "connexion/", "deconnexion/", "api/schema/", "api/docs/"}
)

SAMPLE_UUID = str(uuid.UUID(int=7))
# "1": the first row of any table exists in every commune, so a leak would show data.
FALLBACK_SAMPLES = ("1", "exemple", SAMPLE_UUID, "2024-09-02", "exemple/chemin")


@dataclass(frozen=True)
class Endpoint:
    route: str  # the pattern as written, e.g. "compte/mot-de-passe/<str:token>/"
    path: str  # a concrete path that resolves to it, e.g. "/compte/mot-de-passe/exemple/"
    name: str | None
    callback: Any

    def __str__(self) -> str:
        return self.route


def _sample_for(param: str, converter: Any, overrides: dict[str, str]) -> tuple[str, ...]:
    if param in overrides:
        return (overrides[param],)
    if isinstance(converter, IntConverter):
        return ("1",)
    if isinstance(converter, UUIDConverter):
        return (SAMPLE_UUID,)
    if isinstance(converter, PathConverter):
        return ("exemple/chemin",)
    if isinstance(converter, SlugConverter):
        return ("exemple",)
    return ("exemple", *FALLBACK_SAMPLES)


def _leaves(
    patterns: list[Any], regex: str, route: str, converters: dict[str, Any], namespace: str
) -> Iterator[tuple[URLPattern, str, str, dict[str, Any], str]]:
    for p in patterns:
        p_regex = regex + p.pattern.regex.pattern.lstrip("^")
        p_route = route + str(p.pattern).lstrip("^")
        p_converters = {**converters, **getattr(p.pattern, "converters", {})}
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _leaves(p.url_patterns, p_regex, p_route, p_converters, ns)
        elif isinstance(p, URLPattern):
            yield p, p_regex, p_route, p_converters, namespace


def _resolves_to(path: str, urlconf: str, callback: Any) -> bool:
    try:
        return resolve(path, urlconf=urlconf).func is callback
    except Resolver404:
        return False


def endpoints(urlconf: str, overrides: dict[str, str] | None = None) -> list[Endpoint]:
    """One concrete path per URL pattern (per optional-group variant) of the urlconf;
    `overrides` gives the sample value of a path argument by its name.

    Raises AssertionError when a pattern cannot be filled with a sample that resolves
    back to it: a new pattern must never be silently left out of the isolation tests."""
    found: dict[str, Endpoint] = {}
    resolver = get_resolver(urlconf)
    for pattern, regex, route, converters, namespace in _leaves(
        resolver.url_patterns, "^", "", {}, ""
    ):
        name = f"{namespace}{pattern.name}" if pattern.name else None
        for template, params in normalize(regex):
            candidates = [
                _sample_for(p, converters.get(p), overrides or {}) for p in params
            ]
            path = None
            for attempt in range(max((len(c) for c in candidates), default=1)):
                values = {
                    p: c[min(attempt, len(c) - 1)]
                    for p, c in zip(params, candidates, strict=True)
                }
                guess = "/" + template % values
                if _resolves_to(guess, urlconf, pattern.callback):
                    path = guess
                    break
            if path is None:
                raise AssertionError(f"no sample path resolves to {route!r} in {urlconf}")
            found.setdefault(path, Endpoint(route=route, path=path, name=name,
                                            callback=pattern.callback))
    return sorted(found.values(), key=lambda e: e.path)


def tenant_endpoints() -> list[Endpoint]:
    return endpoints(TENANT_URLCONF)


def ops_endpoints() -> list[Endpoint]:
    # A real commune's slug: a console page that leaked would show its data.
    return endpoints(PUBLIC_URLCONF, overrides={"slug": "alpha"})
