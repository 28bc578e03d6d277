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


# "Nouveau mot de passe" requests. Every request counts, known address or not, so the
# counters say nothing about which accounts exist.
RESET_OK = "ok"
RESET_EMAIL_QUOTA = "email-quota"  # answered like any request, but no email is sent
RESET_IP_QUOTA = "ip-quota"  # answered 429: this client asked too often


def _count(key: str, window_s: int) -> int:
    """Increment a counter that expires `window_s` after its first hit; its new value."""
    if cache.add(key, 1, timeout=window_s):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_s)
        return 1


def password_reset_register(email: str, client_ip: str) -> str:
    """Count one request for this address and this client; RESET_OK while both are within
    their budgets. A client over its budget is not counted against the address."""
    window = settings.PASSWORD_RESET_WINDOW_S
    if _count(f"reset:ip:{client_ip}", window) > settings.PASSWORD_RESET_MAX_PER_IP:
        return RESET_IP_QUOTA
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    if _count(f"reset:acct:{digest}", window) > settings.PASSWORD_RESET_MAX_PER_EMAIL:
        return RESET_EMAIL_QUOTA
    return RESET_OK
