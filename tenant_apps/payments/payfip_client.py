"""SOAP client of the PayFiP Régie web service (finance spec §2.2-2.6).

The XML is built by hand with xml.etree (no SOAP library): the WSDL published by the
DGFiP points to XSDs that cannot be resolved. The endpoints come from settings only
(PAYFIP_WS_URL, PAYFIP_PAYMENT_URL): moving to production is a configuration change.

Every call returns a value or raises `PayfipFault` (a SOAP fault with its code, e.g. P1,
P5) or `PayfipUnavailable` (HTTP error, timeout, malformed XML: technical, retry later)."""

import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET  # noqa: S405 (we build XML; parsing below is guarded)
from dataclasses import dataclass, field

from django.conf import settings

from tenant_apps.payments import rules

SERVICE_NS = ("http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/"
              "contrat_paiement_securise/PaiementSecuriseService")
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
FAULT_KINDS = ("FonctionnelleErreur", "TechDysfonctionnementErreur",
               "TechIndisponibiliteErreur", "TechProtocolaireErreur")
CREATE_FIELDS = ("exer", "mel", "montant", "numcli", "objet", "refdet", "saisie",
                 "urlnotif", "urlredirect")
DETAIL_FIELDS = ("dattrans", "exer", "heurtrans", "idOp", "mel", "montant", "numauto",
                 "numcli", "objet", "refdet", "resultrans", "saisie")
MAX_RESPONSE_BYTES = 256 * 1024


class PayfipError(Exception):
    """Base of what a PayFiP call can raise."""


@dataclass
class PayfipFault(PayfipError):
    """A SOAP fault: `kind` is one of FAULT_KINDS, `code` e.g. "P1" or "P5"."""

    kind: str
    code: str
    message: str = ""
    details: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.kind} {self.code}: {self.message}"


class PayfipUnavailable(PayfipError):
    """HTTP error, timeout or unreadable answer: technical, try again later."""


@dataclass(frozen=True)
class PaymentRequest:
    numcli: str
    exer: str
    refdet: str
    objet: str
    montant_cents: int
    mel: str
    urlnotif: str
    urlredirect: str
    saisie: str

    def fields(self) -> dict[str, str]:
        """The `arg0` children, validated as eopayment does (ValueError otherwise)."""
        if not rules.NUMCLI_RE.match(self.numcli):
            raise ValueError("numcli must be 6 digits")
        if not (len(self.exer) == 4 and self.exer.isdigit()):
            raise ValueError("exer must be a 4-digit year")
        if not rules.REFDET_RE.match(self.refdet):
            raise ValueError("refdet must be 1-30 letters or digits")
        if "@" not in self.mel or not 6 <= len(self.mel) <= 80:
            raise ValueError("mel must be an email of 6 to 80 characters")
        if self.saisie not in rules.MODES:
            raise ValueError("saisie must be T, X or W")
        for url in (self.urlnotif, self.urlredirect):
            if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise ValueError("notification and return URLs must be absolute")
        return {
            "exer": self.exer, "mel": self.mel,
            "montant": rules.amount_format(self.montant_cents), "numcli": self.numcli,
            "objet": rules.label_clean(self.objet), "refdet": self.refdet,
            "saisie": self.saisie, "urlnotif": self.urlnotif, "urlredirect": self.urlredirect,
        }


def envelope(operation: str, arguments: dict[str, str]) -> bytes:
    """A SOAP 1.1 envelope calling `operation` with `arguments` inside `arg0`."""
    ET.register_namespace("soap", SOAP_NS)
    ET.register_namespace("pai", SERVICE_NS)
    root = ET.Element(f"{{{SOAP_NS}}}Envelope")
    ET.SubElement(root, f"{{{SOAP_NS}}}Header")
    body = ET.SubElement(root, f"{{{SOAP_NS}}}Body")
    call = ET.SubElement(body, f"{{{SERVICE_NS}}}{operation}")
    arg0 = ET.SubElement(call, "arg0")
    for name, value in arguments.items():
        ET.SubElement(arg0, name).text = value
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(data: bytes) -> ET.Element:
    """Parse an answer, refusing DTDs and entities (no XXE, no entity expansion)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise PayfipUnavailable("answer with a DTD refused")
    try:
        return ET.fromstring(data)  # noqa: S314 (DTD/entities refused above)
    except ET.ParseError as exc:
        raise PayfipUnavailable(f"malformed XML: {exc}") from exc


def parse_answer(data: bytes, operation: str) -> dict[str, str]:
    """The children of `<operation>Response/return`, or PayfipFault / PayfipUnavailable."""
    root = parse_xml(data)
    body = next((el for el in root if _local(el.tag) == "Body"), None)
    if body is None:
        raise PayfipUnavailable("no SOAP body")
    for element in body:
        if _local(element.tag) == "Fault":
            raise _fault(element)
        if _local(element.tag) == f"{operation}Response":
            returned = next((el for el in element if _local(el.tag) == "return"), None)
            if returned is None:
                raise PayfipUnavailable("no <return> in the answer")
            return {_local(el.tag): (el.text or "").strip() for el in returned}
    raise PayfipUnavailable(f"no {operation}Response in the answer")


def _fault(element: ET.Element) -> PayfipFault:
    message = next((el.text or "" for el in element if _local(el.tag) == "faultstring"), "")
    for detail in element.iter():
        if _local(detail.tag) in FAULT_KINDS:
            values = {_local(el.tag): (el.text or "").strip() for el in detail}
            return PayfipFault(kind=_local(detail.tag), code=values.get("code", ""),
                               message=values.get("message") or values.get("libelle")
                               or message, details=values)
    return PayfipFault(kind="TechProtocolaireErreur", code="", message=message.strip())


def _post(operation: str, arguments: dict[str, str]) -> dict[str, str]:
    url = settings.PAYFIP_WS_URL
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise PayfipUnavailable("PAYFIP_WS_URL is not an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=envelope(operation, arguments), method="POST",
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
    try:
        with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.PAYFIP_TIMEOUT_S) as response:
            data = response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        data = exc.read(MAX_RESPONSE_BYTES)  # a SOAP fault comes with HTTP 500
        exc.close()
        if b"Fault" not in data:
            raise PayfipUnavailable(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise PayfipUnavailable(f"PayFiP unreachable: {exc}") from exc
    return parse_answer(data, operation)


def create_payment(request: PaymentRequest) -> str:
    """creerPaiementSecurise: the new operation's idOp."""
    answer = _post("creerPaiementSecurise", request.fields())
    id_op = answer.get("idOp", "")
    if not rules.IDOP_RE.match(id_op):
        raise PayfipUnavailable("no usable idOp in the answer")
    return id_op


def payment_detail(id_op: str) -> dict[str, str]:
    """recupererDetailPaiementSecurise: the operation's state as PayFiP knows it."""
    if not rules.IDOP_RE.match(id_op):
        raise ValueError("malformed idOp")
    return _post("recupererDetailPaiementSecurise", {"idOp": id_op})


def client_detail(numcli: str) -> dict[str, str]:
    """recupererDetailClient: a configuration check when an administrator saves numcli."""
    return _post("recupererDetailClient", {"numCli": numcli})


def payment_page_url(id_op: str) -> str:
    """Where to send the parent's browser for this operation."""
    return f"{settings.PAYFIP_PAYMENT_URL}?{urllib.parse.urlencode({'idop': id_op})}"
