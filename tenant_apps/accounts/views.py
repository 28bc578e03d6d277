"""Login, logout and password links, shared by the ops host, the back office and the portal."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tenant_apps.accounts.forms import LoginForm, PasswordSetForm
from tenant_apps.accounts.middleware import SESSION_SCHEMA_KEY
from tenant_apps.accounts.services import password_set_with_token, password_token_user
from tenant_apps.accounts.sessions import session_start
from tenant_apps.accounts.throttle import login_allowed, login_failed, login_succeeded
from tenants.db import current_schema

logger = logging.getLogger(__name__)
BAD_CREDENTIALS = "Courriel ou mot de passe incorrect."
THROTTLED = (
    "Trop de tentatives de connexion. Par sécurité, réessayez dans quelques minutes "
    "ou demandez un nouveau mot de passe."
)


def client_ip(request: HttpRequest) -> str:
    """The client's address: X-Real-IP when the request comes through our own reverse
    proxy (nginx sets it), else the socket's peer. Never trusted from anyone else."""
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    if peer in settings.TRUSTED_PROXY_IPS:
        return request.META.get("HTTP_X_REAL_IP", "").strip() or peer
    return peer


def login_page(
    request: HttpRequest,
    *,
    template: str,
    roles: Iterable[str],
    default_next: str,
    allow_remember: bool = False,
) -> HttpResponse:
    """The same answer for an unknown email, a wrong password and a wrong role:
    nobody learns from this page which accounts exist. `allow_remember` offers
    "Se souvenir de cet appareil" (the portal only, see accounts.sessions)."""
    form = LoginForm(request.POST or None, allow_remember=allow_remember)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        ip = client_ip(request)
        if not login_allowed(email, ip):
            logger.warning("login throttled")
            error, status = THROTTLED, 429
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None or getattr(user, "role", None) not in set(roles):
                login_failed(email, ip)
                logger.info("login refused")
                error, status = BAD_CREDENTIALS, 400
            else:
                login_succeeded(email)
                login(request, user)
                request.session[SESSION_SCHEMA_KEY] = current_schema()
                session_start(
                    request, role=user.role, remember=bool(form.cleaned_data.get("remember"))
                )
                target = request.POST.get("next") or request.GET.get("next") or default_next
                if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                    target = default_next
                return redirect(target)
    elif request.method == "POST":
        status = 400
    context = {"form": form, "error": error, "next": request.GET.get("next", "")}
    return render(request, template, context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Logout is a POST (a link or an image cannot sign anyone out); `next` stays on
    this host."""
    logout(request)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    return redirect(target)


@never_cache
@sensitive_post_parameters("password1", "password2")
def password_set_page(request: HttpRequest, token: str) -> HttpResponse:
    """The link target: the three ways to create a password (static/portal/password.js);
    the server validates whatever is posted (AUTH_PASSWORD_VALIDATORS)."""
    user = password_token_user(token=token)
    if user is None:
        return render(request, "accounts/link_expired.html", status=410)
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_set_with_token(token=token, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            # A new password is the self-service unlock of a throttled account.
            login_succeeded(user.email)
            return render(request, "accounts/password_done.html", {"user": user})
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/password_set.html", {"form": form, "user": user}, status=status
    )
