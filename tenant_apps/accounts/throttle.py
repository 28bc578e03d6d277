"""Login throttling in Redis: per account and per client address, per schema (the cache
key function adds the schema), so one commune's attacker cannot lock another's users."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(email: str, client_ip: str) -> list[str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:acct:{digest}", f"login-fail:ip:{client_ip}"]


def login_allowed(email: str, client_ip: str) -> bool:
    """False once the account or the address has used up its failures in the window."""
    limit = settings.LOGIN_THROTTLE_MAX_FAILURES
    counts = cache.get_many(_keys(email, client_ip))
    # The per-address budget is wider: a family shares one address at home.
    acct, ip = _keys(email, client_ip)
    return counts.get(acct, 0) < limit and counts.get(ip, 0) < limit * 4


def login_failed(email: str, client_ip: str) -> None:
    for key in _keys(email, client_ip):
        if cache.add(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW_S):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW_S)


def login_succeeded(email: str) -> None:
    cache.delete(_keys(email, "")[0])
