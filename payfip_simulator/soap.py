"""SOAP 1.1 in and out, as the PayFiP web service speaks it (finance spec §2.2-2.6)."""

import xml.etree.ElementTree as ET  # noqa: S405
from xml.sax.saxutils import escape

SERVICE_NS = ("http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/"
              "contrat_paiement_securise/PaiementSecuriseService")
RESPONSE_NS = "http://securite.service.tpa.cp.finances.gouv.fr/reponse"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"


class SoapError(Exception):
    pass


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_call(data: bytes) -> tuple[str, dict[str, str]]:
    """(operation name, arg0 children) of a request envelope."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise SoapError("DTD refused")
    try:
        root = ET.fromstring(data)  # noqa: S314 (DTD/entities refused above)
    except ET.ParseError as exc:
        raise SoapError(f"malformed XML: {exc}") from exc
    body = next((el for el in root if _local(el.tag) == "Body"), None)
    if body is None or len(body) == 0:
        raise SoapError("no SOAP body")
    call = body[0]
    arg0 = next((el for el in call if _local(el.tag) == "arg0"), None)
    if arg0 is None:
        raise SoapError("no arg0")
    return _local(call.tag), {_local(el.tag): (el.text or "").strip() for el in arg0}


def _envelope(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body>{body}'
            f"</soap:Body></soap:Envelope>").encode()


def answer(operation: str, values: dict[str, str]) -> bytes:
    fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in sorted(values.items()))
    return _envelope(f'<ns2:{operation}Response xmlns:ns2="{SERVICE_NS}">'
                     f"<return>{fields}</return></ns2:{operation}Response>")


def fault(kind: str, code: str, message: str) -> bytes:
    detail = (f'<ns2:{kind} xmlns:ns2="{RESPONSE_NS}"><code>{escape(code)}</code>'
              f"<descriptif>{escape(message)}</descriptif><libelle>{escape(message)}</libelle>"
              f"<message>{escape(message)}</message><severite>2</severite></ns2:{kind}>")
    return _envelope(f"<soap:Fault><faultcode>soap:Server</faultcode>"
                     f"<faultstring>{escape(message)}</faultstring>"
                     f"<detail>{detail}</detail></soap:Fault>")
