"""Local simulator of PayFiP (web service + payment page), a standalone WSGI app.

    gunicorn payfip_simulator.app:application -b 127.0.0.1:9100 -w 1 --threads 8

- POST /tpa/services/securite        SOAP creerPaiementSecurise,
                                     recupererDetailPaiementSecurise, recupererDetailClient
- GET  /tpa/paiementws.web?idop=…    the payment page (Payer / Refuser / Abandonner)
- POST /tpa/paiementws.web           the payer's choice: notification to urlnotif
                                     (server to server, form field idop), then the browser
                                     goes back to urlredirect?idop=…
- GET/POST /control                  JSON: state / change behaviour (drop_rate,
                                     duplicate_rate, corrupt_rate, delay_s, refuse, timeout_s,
                                     create_fault, detail_fault, deliver, seed)
- POST /control/reset, GET /control/notifications (queued ones, when deliver=queue),
  GET/POST /control/operations/<idop> (read / patch: result, montant)

One worker only: the state is in memory (a stand-in for an external service)."""

import http.client
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from payfip_simulator import soap
from payfip_simulator.store import Store

STORE = Store()
Start = Callable[..., Any]
NUMCLI = re.compile(r"^\d{6}$")
REFDET = re.compile(r"^[A-Za-z0-9]{1,30}$")


def _respond(start: Start, status: str, body: bytes, content_type: str,
             headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    start(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                   *(headers or [])])
    return [body]


def _json(start: Start, data: Any, status: str = "200 OK") -> list[bytes]:
    return _respond(start, status, json.dumps(data).encode(), "application/json")


def _body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(min(length, 1_000_000)) if length else b""


def _form(environ: dict[str, Any]) -> dict[str, str]:
    query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
    if environ["REQUEST_METHOD"] == "POST":
        query.update(urllib.parse.parse_qsl(_body(environ).decode("utf-8", "replace")))
    return query


# --- SOAP -----------------------------------------------------------------------------

def _validate_create(args: dict[str, str]) -> str:
    montant = args.get("montant", "")
    checks = [
        (NUMCLI.match(args.get("numcli", "")), "numcli invalide"),
        (args.get("exer", "").isdigit() and len(args.get("exer", "")) == 4, "exer invalide"),
        (REFDET.match(args.get("refdet", "")), "refdet invalide"),
        (montant.isdigit() and len(montant) >= 3 and 100 <= int(montant) <= 10_000_000,
         "montant invalide"),
        ("@" in args.get("mel", "") and 6 <= len(args.get("mel", "")) <= 80, "mel invalide"),
        (args.get("saisie") in ("T", "X", "W"), "saisie invalide"),
        (args.get("urlnotif", "").startswith("http"), "urlnotif invalide"),
        (args.get("urlredirect", "").startswith("http"), "urlredirect invalide"),
    ]
    return next((message for ok, message in checks if not ok), "")


def _soap(environ: dict[str, Any], start: Start) -> list[bytes]:
    xml = "text/xml; charset=utf-8"
    if STORE.behaviour.timeout_s:
        time.sleep(STORE.behaviour.timeout_s)
    try:
        operation, args = soap.parse_call(_body(environ))
    except soap.SoapError as exc:
        return _respond(start, "500 Internal Server Error",
                        soap.fault("TechProtocolaireErreur", "T1", str(exc)), xml)
    if operation == "creerPaiementSecurise":
        problem = ("faute simulée" if STORE.behaviour.create_fault else _validate_create(args))
        if problem:
            code = STORE.behaviour.create_fault or "P2"
            return _respond(start, "500 Internal Server Error",
                            soap.fault("FonctionnelleErreur", code, problem), xml)
        created = STORE.create(args)
        return _respond(start, "200 OK", soap.answer(operation, {"idOp": created.id_op}), xml)
    if operation == "recupererDetailPaiementSecurise":
        STORE.count("lookups")
        if STORE.behaviour.detail_fault:
            return _respond(start, "500 Internal Server Error", soap.fault(
                "TechIndisponibiliteErreur", STORE.behaviour.detail_fault, "indisponible"), xml)
        found = STORE.get(args.get("idOp", ""))
        if found is None:
            return _respond(start, "500 Internal Server Error", soap.fault(
                "FonctionnelleErreur", "P1", "IdOp incorrect"), xml)
        if not found.result:
            return _respond(start, "500 Internal Server Error", soap.fault(
                "FonctionnelleErreur", "P5", "Résultat de la transaction non connu"), xml)
        return _respond(start, "200 OK", soap.answer(operation, found.detail()), xml)
    if operation == "recupererDetailClient":
        if not NUMCLI.match(args.get("numCli", "")):
            return _respond(start, "500 Internal Server Error", soap.fault(
                "FonctionnelleErreur", "P3", "numcli inconnu"), xml)
        return _respond(start, "200 OK", soap.answer(operation, {
            "numcli": args["numCli"], "libelleN1": "REGIE DE TEST", "libelleN2": "SIMULATEUR",
            "libelleN3": ""}), xml)
    return _respond(start, "500 Internal Server Error",
                    soap.fault("TechProtocolaireErreur", "T2", "opération inconnue"), xml)


# --- notifications --------------------------------------------------------------------

def _post_notification(url: str, id_op: str) -> None:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    # *.localhost is loopback (browsers know it; the system resolver may not).
    target = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
    conn_class = (http.client.HTTPSConnection if parts.scheme == "https"
                  else http.client.HTTPConnection)
    connection = conn_class(target, parts.port, timeout=20)
    try:
        body = urllib.parse.urlencode({"idop": id_op})
        connection.request("POST", parts.path or "/", body=body, headers={
            "Host": parts.netloc, "Content-Type": "application/x-www-form-urlencoded"})
        connection.getresponse().read()
        STORE.count("notifications_delivered")
    except OSError:
        STORE.count("notifications_failed")
    finally:
        connection.close()


def _notify(url: str, id_op: str) -> None:
    fate = STORE.fate(id_op)
    if fate["drop"]:
        STORE.count("notifications_dropped")
        return
    sent_id = ("X" + id_op[1:][::-1]) if fate["corrupt"] else id_op
    if fate["corrupt"]:
        STORE.count("notifications_corrupted")
    copies = 2 if fate["duplicate"] else 1
    if copies == 2:
        STORE.count("notifications_duplicated")
    STORE.count("notifications_sent", copies)
    if STORE.behaviour.deliver == "queue":
        with STORE.lock:
            STORE.queued.extend({"url": url, "idop": sent_id} for _ in range(copies))
        return
    delay = STORE.behaviour.delay_s

    def send() -> None:
        if delay:
            time.sleep(delay)
        for _ in range(copies):
            _post_notification(url, sent_id)

    threading.Thread(target=send, daemon=True).start()


# --- payment page ---------------------------------------------------------------------

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PayFiP (simulateur) — Paiement sécurisé</title>
<style>body{{font-family:system-ui,sans-serif;margin:0;background:#f2f4f8;color:#1e1e1e}}
header{{background:#000091;color:#fff;padding:1rem 1.25rem}}
header p{{margin:.25rem 0 0;opacity:.85}}
main{{max-width:34rem;margin:1.5rem auto;background:#fff;padding:1.25rem;border-radius:.5rem;
box-shadow:0 1px 4px #0002}}dl{{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}}
dt{{color:#555}}dd{{margin:0;font-weight:600}}.mode{{background:#fff3cd;padding:.5rem .75rem;
border-radius:.25rem}}button{{display:block;width:100%;font-size:1.1rem;padding:.9rem;
margin:.6rem 0;
border-radius:.4rem;border:1px solid #000091;background:#fff;color:#000091;cursor:pointer}}
button.pay{{background:#000091;color:#fff}}button:focus{{outline:3px solid #ffbf47}}</style></head>
<body><header><strong>PayFiP</strong> — simulateur local<p>Paiement par carte bancaire</p></header>
<main><h1 style="font-size:1.3rem">Paiement de {amount}</h1>{mode}
<dl><dt>Objet</dt><dd>{objet}</dd><dt>Référence</dt><dd>{refdet}</dd>
<dt>Courriel</dt><dd>{mel}</dd></dl>
<p>Carte de test : 4970 1000 0000 0000 — aucune somme réelle n'est débitée.</p>
<form method="post" action="{action}"><input type="hidden" name="idop" value="{idop}">
<button class="pay" name="choix" value="payer">Payer {amount}</button>
<button name="choix" value="refuser">Simuler un refus de la carte</button>
<button name="choix" value="abandonner">Abandonner et revenir au site</button></form>
</main></body></html>"""


def _euros(montant: str) -> str:
    cents = int(montant) if montant.isdigit() else 0
    return f"{cents // 100:,}".replace(",", "\u202f") + f",{cents % 100:02d} €"


def _page(environ: dict[str, Any], start: Start) -> list[bytes]:
    html = "text/html; charset=utf-8"
    form = _form(environ)
    id_op = form.get("idop") or form.get("idOp") or ""
    operation = STORE.get(id_op)
    if operation is None:
        return _respond(start, "404 Not Found",
                        "<h1>Opération inconnue ou expirée</h1>".encode(), html)
    if environ["REQUEST_METHOD"] == "POST":
        STORE.settle(id_op, form.get("choix", "abandonner"))
        _notify(operation.fields["urlnotif"], id_op)
        back = operation.fields["urlredirect"]
        separator = "&" if "?" in back else "?"
        return _respond(start, "303 See Other", b"", "text/plain",
                        [("Location", f"{back}{separator}idop={id_op}")])
    mode = {"T": "Mode TEST", "X": "Mode ACTIVATION", "W": ""}.get(
        operation.fields.get("saisie", ""), "")
    body = PAGE.format(
        amount=_euros(operation.fields.get("montant", "")),
        mode=f'<p class="mode">{mode} : transaction de test.</p>' if mode else "",
        objet=escape(operation.fields.get("objet", "")),
        refdet=escape(operation.fields.get("refdet", "")),
        mel=escape(operation.fields.get("mel", "")), idop=escape(id_op),
        action=escape(environ.get("SCRIPT_NAME", "") + "/tpa/paiementws.web"))
    return _respond(start, "200 OK", body.encode(), html)


# --- control --------------------------------------------------------------------------

def _control(environ: dict[str, Any], start: Start, path: str) -> list[bytes]:
    method = environ["REQUEST_METHOD"]
    if path == "/control/reset" and method == "POST":
        STORE.reset()
        return _json(start, STORE.snapshot())
    if path == "/control/notifications":
        with STORE.lock:
            queued, STORE.queued[:] = list(STORE.queued), []
        return _json(start, queued)
    if path.startswith("/control/operations/"):
        found = STORE.get(path.rsplit("/", 1)[-1])
        if found is None:
            return _json(start, {"error": "unknown idop"}, "404 Not Found")
        if method == "POST":
            patch = json.loads(_body(environ) or b"{}")
            with STORE.lock:
                found.montant_override = str(patch.get("montant", found.montant_override))
                found.result = str(patch.get("result", found.result))
        return _json(start, {"fields": found.fields, "detail": found.detail()})
    if path == "/control":
        if method == "POST":
            try:
                STORE.behaviour.update(json.loads(_body(environ) or b"{}"))
            except (KeyError, ValueError, TypeError) as exc:
                return _json(start, {"error": f"bad setting {exc}"}, "400 Bad Request")
        return _json(start, STORE.snapshot())
    return _json(start, {"error": "not found"}, "404 Not Found")


def application(environ: dict[str, Any], start: Start) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/")
    if path == "/tpa/services/securite" and environ["REQUEST_METHOD"] == "POST":
        return _soap(environ, start)
    if path == "/tpa/paiementws.web":
        return _page(environ, start)
    if path.startswith("/control"):
        return _control(environ, start, path.rstrip("/") or "/control")
    if path == "/healthz":
        return _respond(start, "200 OK", b"ok", "text/plain")
    return _respond(start, "404 Not Found", b"not found", "text/plain")
