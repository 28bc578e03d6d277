"""The simulator speaks PayFiP's protocol through our real client, and its switches do
what they say: HTTP notifications delayed, duplicated, corrupted or dropped, refusals,
faults and timeouts. A small local HTTP server stands for the notification URL."""

import http.server
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest

from tenant_apps.payments import payfip_client
from tenant_apps.payments.payfip_client import PayfipFault, PayfipUnavailable, PaymentRequest
from tests.payments.support import Simulator

Received = list[tuple[float, str]]


@pytest.fixture
def listener() -> Iterator[tuple[str, Received]]:
    received: Received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = urllib.parse.parse_qs(self.rfile.read(length).decode())
            received.append((time.monotonic(), body.get("idop", [""])[0]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/notif/", received
    finally:
        server.shutdown()


def _create(url: str) -> str:
    return payfip_client.create_payment(PaymentRequest(
        numcli="123456", exer="2026", refdet="SIM1", objet="Essai", montant_cents=1234,
        mel="a@example.test", urlnotif=url, urlredirect="http://127.0.0.1:1/retour/",
        saisie="T"))


def _wait(received: Received, count: int, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_lookup_before_and_after_payment(simulator: Simulator, listener):
    url, received = listener
    id_op = _create(url)
    with pytest.raises(PayfipFault) as pending:
        payfip_client.payment_detail(id_op)
    assert pending.value.code == "P5"
    back = simulator.choose(id_op, "payer")
    assert back == f"http://127.0.0.1:1/retour/?idop={id_op}"
    detail = payfip_client.payment_detail(id_op)
    assert detail["resultrans"] == "P" and detail["montant"] == "1234"
    assert detail["refdet"] == "SIM1" and len(detail["dattrans"]) == 8 and detail["numauto"]
    _wait(received, 1)
    assert [idop for _, idop in received] == [id_op]
    with pytest.raises(PayfipFault) as unknown:
        payfip_client.payment_detail("nexistepas")
    assert unknown.value.code == "P1"
    assert payfip_client.client_detail("123456")["libelleN1"]


def test_delay_duplicate_corrupt_and_drop(simulator: Simulator, listener):
    url, received = listener
    simulator.configure(delay_s=1.0, duplicate_rate=1.0)
    id_op = _create(url)
    clicked = time.monotonic()
    simulator.choose(id_op, "payer")
    _wait(received, 2)
    assert [idop for _, idop in received] == [id_op, id_op]
    assert received[0][0] - clicked >= 0.9
    received.clear()
    simulator.configure(delay_s=0, duplicate_rate=0, corrupt_rate=1.0)
    other = _create(url)
    simulator.choose(other, "refuser")
    _wait(received, 1)
    assert received and received[0][1] != other
    received.clear()
    simulator.configure(corrupt_rate=0, drop_rate=1.0)
    simulator.choose(_create(url), "payer")
    time.sleep(0.5)
    assert received == []
    assert simulator.state()["counters"]["notifications_dropped"] == 1


def test_refuse_fault_and_timeout_switches(simulator: Simulator, listener, settings):
    url, _ = listener
    simulator.configure(refuse=True)
    id_op = _create(url)
    simulator.choose(id_op, "payer")
    assert payfip_client.payment_detail(id_op)["resultrans"] == "R"
    simulator.configure(create_fault="P7")
    with pytest.raises(PayfipFault) as fault:
        _create(url)
    assert fault.value.code == "P7"
    simulator.configure(create_fault="", timeout_s=1.5)
    settings.PAYFIP_TIMEOUT_S = 0.3
    with pytest.raises(PayfipUnavailable):
        payfip_client.payment_detail(id_op)
    assert simulator.configure(timeout_s=0)["behaviour"]["timeout_s"] == 0
