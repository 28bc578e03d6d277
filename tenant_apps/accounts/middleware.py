"""A session belongs to the schema it was opened in; anything else is logged out.

Sessions are stored per schema already; this is the second lock on the door."""

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from tenant_apps.accounts.sessions import session_touch
from tenants.db import current_schema

SESSION_SCHEMA_KEY = "_schema"


class SessionSchemaGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.session.get(SESSION_SCHEMA_KEY) != current_schema():
                logout(request)
        return self.get_response(request)


class SessionIdleTimeoutMiddleware:
    """Signs out sessions idle past their limit (tenant_apps.accounts.sessions)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session_touch(request)
        return self.get_response(request)
