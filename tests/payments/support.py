"""The PayFiP simulator as a real process for tests, and rows the payment tests build."""

import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
_seq = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class Simulator:
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"{self.base}/tpa/services/securite"

    @property
    def page_url(self) -> str:
        return f"{self.base}/tpa/paiementws.web"

    def _call(self, path: str, data: Any = None) -> Any:
        body = None if data is None else json.dumps(data).encode()
        request = urllib.request.Request(self.base + path, data=body,  # noqa: S310
                                         method="POST" if body is not None else "GET")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def reset(self) -> None:
        self._call("/control/reset", {})

    def configure(self, **behaviour: Any) -> dict[str, Any]:
        return self._call("/control", behaviour)

    def state(self) -> dict[str, Any]:
        return self._call("/control")

    def notifications(self) -> list[dict[str, str]]:
        return self._call("/control/notifications")

    def tamper(self, id_op: str, **patch: str) -> dict[str, Any]:
        return self._call(f"/control/operations/{id_op}", patch)

    def choose(self, id_op: str, choice: str = "payer") -> str:
        """The payer clicks on the payment page; returns where the browser is sent back."""
        opener = urllib.request.build_opener(_NoRedirect)
        body = urllib.parse.urlencode({"idop": id_op, "choix": choice}).encode()
        try:
            opener.open(urllib.request.Request(self.page_url, data=body),  # noqa: S310
                        timeout=10)
        except urllib.error.HTTPError as redirect:
            return str(redirect.headers["Location"])
        raise AssertionError("the payment page did not redirect")


@contextlib.contextmanager
def simulator_process() -> Iterator[Simulator]:
    """gunicorn serving payfip_simulator (one worker, threads), stopped at the end."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "payfip_simulator.app:application",
         "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "16", "--timeout", "60"],
        cwd=ROOT, env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    simulator = Simulator(port=port)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                simulator.state()
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the PayFiP simulator did not start") from None
                time.sleep(0.1)
        yield simulator
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def enable_payfip(client_number: str = "123456", mode: str = "T") -> None:
    from tenant_apps.payments.models import PayfipSettings

    PayfipSettings.objects.update_or_create(singleton=True, defaults={
        "enabled": True, "client_number": client_number, "mode": mode})


def issued_invoice(*, total_cents: int = 2310, household: Any = None,
                   email: str = "") -> Any:
    """An issued invoice built directly (billing's run machinery is tested elsewhere)."""
    from tenant_apps.billing.models import Invoice
    from tenant_apps.families.models import Guardian, Household

    n = next(_seq)
    if household is None:
        household = Household.objects.create(name=f"Foyer Paiement {n}")
        guardian = Guardian.objects.create(household=household, last_name=household.name,
                                           first_name="Camille",
                                           email=email or f"parent{n}@example.test")
        Household.objects.filter(pk=household.pk).update(billing_guardian=guardian)
    sequence = 500_000 + n
    return Invoice.objects.create(
        household=household, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
        status="issued", number=f"F2026-{sequence:06d}", year=2026, sequence=sequence,
        total_cents=total_cents, household_name=household.name, issued_at=timezone.now(),
        due_on=date(2026, 11, 30))


def guardian_user(commune: Any, household: Any) -> Any:
    """A portal account that is a guardian of `household`."""
    from django.db import connection

    from tenant_apps.accounts.models import User
    from tenant_apps.families.models import Guardian

    assert connection.schema_name == commune.schema_name
    user = User.objects.create_user(email=f"parent-{uuid.uuid4().hex[:8]}@example.test",
                                    password="Motdepasse-1", role="guardian")
    Guardian.objects.create(household=household, last_name="Parent", first_name="Alex",
                            email=user.email, user=user)
    return user
