"""How long a signed-in session lives without activity (pure rules, then the two helpers
the login view and the middleware call).

- Parents (portal): PORTAL_SESSION_IDLE_S (2 h) without a request, and the cookie ends
  with the browser. "Se souvenir de cet appareil" keeps them signed in for
  PORTAL_REMEMBER_DEVICE_S (30 days) without activity, with a persistent cookie; the
  session key is rotated at login (django.contrib.auth.login) and logging out ends it.
- Agents and operators: SESSION_COOKIE_AGE (8 h, a working day) without activity.

The last activity is written at most once a minute (SEEN_REFRESH_S), so browsing costs
no session write per request."""

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest
from django.utils import timezone

from tenant_apps.accounts.models import Role

IDLE_KEY = "_idle_s"
SEEN_KEY = "_seen"
SEEN_REFRESH_S = 60


def idle_limit_s(*, role: str, remember: bool) -> int:
    """Seconds of inactivity after which a session of this role ends."""
    if role == Role.GUARDIAN:
        return settings.PORTAL_REMEMBER_DEVICE_S if remember else settings.PORTAL_SESSION_IDLE_S
    return int(settings.SESSION_COOKIE_AGE)


def session_is_stale(*, last_seen: int, now: int, idle_s: int) -> bool:
    """True once more than `idle_s` seconds passed since the last activity."""
    return now - last_seen > idle_s


def seen_needs_refresh(*, last_seen: int, now: int) -> bool:
    """Write the activity time again only when the stored one is a minute old."""
    return now - last_seen >= SEEN_REFRESH_S


def _now() -> int:
    return int(timezone.now().timestamp())


def session_start(request: HttpRequest, *, role: str, remember: bool) -> None:
    """Right after login(): the session's idle limit and cookie lifetime."""
    idle = idle_limit_s(role=role, remember=remember and role == Role.GUARDIAN)
    request.session[IDLE_KEY] = idle
    request.session[SEEN_KEY] = _now()
    if role == Role.GUARDIAN:
        # Remembered: a persistent cookie renewed with the activity time; otherwise the
        # cookie dies with the browser.
        request.session.set_expiry(idle if remember else 0)


def session_touch(request: HttpRequest) -> None:
    """Per request: end a stale session, or note the activity (at most once a minute).

    Sessions opened without session_start (test logins, sessions older than this rule)
    carry no activity time and only expire with their cookie."""
    last_seen = request.session.get(SEEN_KEY)
    idle = request.session.get(IDLE_KEY)
    if not isinstance(last_seen, int) or not isinstance(idle, int):
        return
    now = _now()
    if session_is_stale(last_seen=last_seen, now=now, idle_s=idle):
        logout(request)
    elif seen_needs_refresh(last_seen=last_seen, now=now):
        request.session[SEEN_KEY] = now
