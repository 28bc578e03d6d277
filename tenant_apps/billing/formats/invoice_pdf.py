"""Invoice, credit note and tax certificate PDFs (WeasyPrint, Django templates).

`render_invoice_pdf(doc)` and `render_tax_certificate_pdf(doc)` take the frozen dataclasses
of `documents.py` and return PDF bytes: A4, French, in the commune's colours. Perception
invoices are "avis des sommes à payer" with a detachable coupon carrying the DGFiP
Datamatrix (vector SVG) and the buraliste mention (finance.md §1.9); drafts carry a
diagonal "Brouillon" watermark. Nothing is fetched from the network: the logo and the code
are data: URIs, the fonts are the system's DejaVu, and the fetcher refuses any other URL.
"""

import base64
from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from . import french
from .datamatrix import datamatrix_payload, datamatrix_svg
from .documents import CommuneLetterhead, InvoiceDocument, TaxCertificateDocument

INVOICE_TEMPLATE = "billing/pdf/invoice.html"
TAX_CERTIFICATE_TEMPLATE = "billing/pdf/tax_certificate.html"


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _letterhead_context(letterhead: CommuneLetterhead) -> dict[str, Any]:
    return {
        "name": letterhead.name,
        "service_name": letterhead.service_name,
        "address_lines": [line for line in letterhead.address.splitlines() if line.strip()],
        "phone": letterhead.phone,
        "email": letterhead.email,
        "colour": letterhead.brand_colour,
        "logo_uri": _data_uri(letterhead.logo_mime, letterhead.logo) if letterhead.logo else "",
    }


def _title(doc: InvoiceDocument) -> str:
    if doc.kind == "credit_note":
        return "Avoir"
    return "Avis des sommes à payer" if doc.mode == "perception" else "Facture"


def invoice_context(doc: InvoiceDocument) -> dict[str, Any]:
    """What the invoice template receives: every amount and date already in French."""
    coupon: dict[str, Any] | None = None
    if doc.mode == "perception" and doc.kind == "invoice":
        coupon = {
            "due": french.euros(doc.due_cents),
            "datamatrix_uri": "",
            "reference": "",
            "mention": doc.proximity_payment_mention,
        }
        if doc.datamatrix is not None:
            payload = datamatrix_payload(doc.datamatrix)
            debt = doc.datamatrix.debt
            coupon["datamatrix_uri"] = _data_uri(
                "image/svg+xml", datamatrix_svg(payload).encode("ascii")
            )
            coupon["reference"] = f"{debt.exercise}-{debt.debt_number}-{debt.cle2}"
    return {
        "letterhead": _letterhead_context(doc.letterhead),
        "title": _title(doc),
        "doc": doc,
        "number": doc.number or "",
        "issued_on": french.date_fr(doc.issued_on),
        "due_on": french.date_fr(doc.due_on) if doc.due_on else "",
        "address_lines": [line for line in doc.household_address.splitlines() if line.strip()],
        "lines": [
            {
                "label": line.label,
                "child_name": line.child_name,
                "quantity": french.quantity(line.quantity),
                "unit": french.euros(line.unit_cents),
                "total": french.euros(line.total_cents),
            }
            for line in doc.lines
        ],
        "total": french.euros(doc.total_cents),
        "paid": french.euros(doc.paid_cents),
        "due": french.euros(doc.due_cents),
        "show_paid": doc.paid_cents != 0,
        "coupon": coupon,
    }


def _write_pdf(html: str) -> bytes:
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    if pdf is None:  # write_pdf without a target always returns the bytes
        raise RuntimeError("WeasyPrint n'a pas produit de PDF.")
    return bytes(pdf)


def render_invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice / avis des sommes à payer / credit note as PDF bytes."""
    return _write_pdf(render_to_string(INVOICE_TEMPLATE, invoice_context(doc)))


def tax_certificate_context(doc: TaxCertificateDocument) -> dict[str, Any]:
    return {
        "letterhead": _letterhead_context(doc.letterhead),
        "doc": doc,
        "address_lines": [line for line in doc.household_address.splitlines() if line.strip()],
        "issued_on": french.date_fr(doc.issued_on),
        "children": [
            {
                "name": child.name,
                "birth_date": french.date_short(child.birth_date),
                "amount": french.euros(child.amount_paid_cents),
            }
            for child in doc.children
        ],
        "total": french.euros(doc.total_cents),
        "city": doc.letterhead.city or doc.letterhead.name,
    }


def render_tax_certificate_pdf(doc: TaxCertificateDocument) -> bytes:
    """The attestation fiscale de frais de garde as PDF bytes."""
    return _write_pdf(render_to_string(TAX_CERTIFICATE_TEMPLATE, tax_certificate_context(doc)))
