"""Uniform access checks for views: who may open which shell."""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenant_apps.accounts.models import AGENT_ROLES, Role, User

View = Callable[..., HttpResponse]


def roles_required(roles: Iterable[str], login_url: str) -> Callable[[View], View]:
    """Anonymous users go to the login page; signed-in users without the role get a French 403."""
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url)
            if getattr(user, "role", None) not in allowed:
                return render(request, "routing/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Who may do what in the back office (DOMAIN.md: medical data only to those who need it;
# read-only changes nothing; the animateur marks attendance and sees no billing).
EDITOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.AGENT})
MEDICAL_READER_ROLES = frozenset({Role.ADMINISTRATOR, Role.AGENT, Role.ANIMATEUR})
BILLING_ROLES = frozenset({Role.ADMINISTRATOR, Role.REGISSEUR})


def can_edit(user: Any) -> bool:
    return getattr(user, "role", None) in EDITOR_ROLES


def can_see_medical(user: Any) -> bool:
    return getattr(user, "role", None) in MEDICAL_READER_ROLES


def acting_user(request: Any) -> User:
    """The signed-in account of a request that an access check already let through
    (an HttpRequest or a DRF Request)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("no signed-in account on this request")
    return user


agent_required = roles_required(AGENT_ROLES, "/gestion/connexion/")
editor_required = roles_required(EDITOR_ROLES, "/gestion/connexion/")
administrator_required = roles_required({Role.ADMINISTRATOR}, "/gestion/connexion/")
guardian_required = roles_required({Role.GUARDIAN}, "/connexion/")
operator_required = roles_required({Role.OPERATOR}, "/connexion/")
