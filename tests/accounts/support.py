"""Builders for the accounts tests: reset requests, outbox reads, moving the clock."""

import contextlib
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone

from tests.conftest import inside

RESET_URL = "/compte/nouveau-mot-de-passe/"
SENT_URL = "/compte/nouveau-mot-de-passe/envoye/"
LINK = re.compile(r"https?://[^/\s]+(/compte/mot-de-passe/[\w-]+/)")


def request_reset(client: Client, email: str, ip: str = "198.51.100.7"):  # type: ignore[no-untyped-def]
    return client.post(RESET_URL, {"email": email}, REMOTE_ADDR=ip)


def emails_to(commune, address: str) -> list:  # type: ignore[no-untyped-def]
    from tenant_apps.outbox.models import OutboxMessage

    with inside(commune):
        return [m for m in OutboxMessage.objects.order_by("pk") if address in m.recipients]


def link_path(message) -> str:  # type: ignore[no-untyped-def]
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


@contextlib.contextmanager
def clock_moved(monkeypatch, delta: timedelta) -> Iterator[datetime]:  # type: ignore[no-untyped-def]
    """Every caller of django.utils.timezone.now() sees the clock moved by `delta`."""
    real_now = timezone.now
    moved = real_now() + delta
    monkeypatch.setattr(timezone, "now", lambda: real_now() + delta)
    try:
        yield moved
    finally:
        monkeypatch.setattr(timezone, "now", real_now)
