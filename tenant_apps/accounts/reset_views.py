""""Nouveau mot de passe" on a commune's host (first login or forgotten password).

Kept apart from accounts.views, which the ops console imports: these pages need the
commune's settings (its name in the email, its own address in the link)."""

import logging
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tenant_apps.accounts.forms import PasswordResetRequestForm
from tenant_apps.accounts.models import Role
from tenant_apps.accounts.services import password_reset_request
from tenant_apps.accounts.throttle import RESET_IP_QUOTA, RESET_OK, password_reset_register
from tenant_apps.accounts.views import client_ip
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenants.selectors import commune_url

logger = logging.getLogger(__name__)


RESET_IP_THROTTLED = (
    "Trop de demandes de mot de passe depuis cette connexion. "
    "Réessayez dans une heure ou contactez votre mairie."
)


def password_reset_page(
    request: HttpRequest, *, roles: Iterable[str], template: str, sent_url: str
) -> HttpResponse:
    """"Nouveau mot de passe": ask the email, always answer the same way (a redirect to
    the "sent" page), whether or not an account exists; throttled per address and client."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        verdict = password_reset_register(email, client_ip(request))
        if verdict == RESET_IP_QUOTA:
            logger.warning("password reset throttled")
            context = {"form": form, "error": RESET_IP_THROTTLED}
            return render(request, template, context, status=429)
        if verdict == RESET_OK:
            password_reset_request(
                email=email,
                roles=roles,
                site_url=_site_url(request),
                commune_name=_commune_name(),
            )
        return redirect(sent_url)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, "error": ""}, status=status)


def _site_url(request: HttpRequest) -> str:
    """The commune's own address (never the Host header a client sent)."""
    commune = getattr(request, "tenant", None)
    if commune is None or getattr(commune, "schema_name", "public") == "public":
        return request.build_absolute_uri("/")
    return commune_url(commune, "/")


def _commune_name() -> str:
    return commune_settings_get().display_name


def portal_password_reset(request: HttpRequest) -> HttpResponse:
    return password_reset_page(
        request,
        roles={Role.GUARDIAN},
        template="accounts/password_reset.html",
        sent_url="/compte/nouveau-mot-de-passe/envoye/",
    )


def portal_password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")
