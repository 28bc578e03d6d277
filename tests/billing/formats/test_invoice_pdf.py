"""Invoice and tax certificate PDFs: rendered, rasterised, Datamatrix decoded back."""

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pylibdmtx.pylibdmtx import decode

from tenant_apps.billing.formats.datamatrix import datamatrix_payload
from tenant_apps.billing.formats.documents import (
    CommuneLetterhead,
    InvoiceDocument,
    InvoiceDocumentLine,
    TaxCertificateDocument,
)
from tenant_apps.billing.formats.invoice_pdf import (
    render_invoice_pdf,
    render_tax_certificate_pdf,
)

from . import samples

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


def decoded_codes(pdf: bytes, *, timeout_ms: int = 20_000) -> list[str]:
    """The Datamatrix codes found on the pages rasterised at 200 dpi (a found code returns at
    once; a page without one costs the whole timeout, so negative checks pass a short one)."""
    codes = []
    for page in samples.rasterise(pdf, dpi=200):
        image = Image.open(io.BytesIO(page)).convert("L")
        found = decode(image, timeout=timeout_ms, max_count=1)
        codes += [code.data.decode("ascii") for code in found]
    return codes


def keep_screenshot(pdf: bytes, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first = samples.rasterise(pdf, dpi=110, first_page_only=True)[0]
    (SCREENSHOTS / f"invoice_pdf_{name}.png").write_bytes(first)


def test_perception_invoice_coupon_datamatrix_decodes_to_the_exact_payload() -> None:
    doc = samples.invoice(mode="perception", draft=False, paid_cents=1_000)
    assert doc.datamatrix is not None

    pdf = render_invoice_pdf(doc)
    text = samples.pdf_text(pdf)
    keep_screenshot(pdf, "perception")

    assert pdf.startswith(b"%PDF")
    assert decoded_codes(pdf) == [datamatrix_payload(doc.datamatrix)]
    assert doc.datamatrix.amount_cents == doc.due_cents
    assert "AVIS DES SOMMES À PAYER" in text.upper()
    assert "buraliste" in text
    assert "300 €" in text  # cash ceiling of the §1.9 mention
    assert "234,90 €" in text  # reste à payer: 244,90 € − 10,00 € already paid
    assert "Déjà réglé" in text
    assert "BROUILLON" not in text.upper()


def test_draft_carries_the_watermark_and_still_a_decodable_code() -> None:
    doc = samples.invoice(mode="perception", draft=True)

    pdf = render_invoice_pdf(doc)
    keep_screenshot(pdf, "perception_brouillon")

    assert "BROUILLON" in samples.pdf_text(pdf).upper()
    assert decoded_codes(pdf) == [datamatrix_payload(doc.datamatrix)]  # type: ignore[arg-type]


def test_regie_invoice_has_no_coupon_nor_code() -> None:
    doc = samples.invoice(mode="regie")

    pdf = render_invoice_pdf(doc)
    text = samples.pdf_text(pdf)
    keep_screenshot(pdf, "regie")

    assert decoded_codes(pdf, timeout_ms=2_000) == []
    assert "FACTURE" in text.upper()
    assert "Talon" not in text
    assert "244,90 €" in text


def test_perception_without_code_says_it_is_not_payable_at_a_buraliste() -> None:
    doc = samples.invoice(mode="perception", with_datamatrix=False)

    pdf = render_invoice_pdf(doc)
    text = samples.pdf_text(pdf)

    assert decoded_codes(pdf, timeout_ms=2_000) == []
    assert "n'est pas payable chez un buraliste" in text.replace("’", "'")


def test_lines_and_totals_are_printed_in_french() -> None:
    doc = samples.invoice(mode="regie", line_count=3)
    text = samples.pdf_text(render_invoice_pdf(doc))

    assert "Repas enfant" in text and "Théo ALAIN" in text
    assert "3,10 €" in text  # unit price
    assert "2 juin 2025" in text and "mai 2025" in text
    for line in doc.lines:
        assert line.label in text


def test_long_invoice_spans_pages_and_keeps_one_code() -> None:
    doc = samples.invoice(mode="perception", line_count=60)
    pdf = render_invoice_pdf(doc)

    pages = samples.rasterise(pdf, dpi=200)
    last = Image.open(io.BytesIO(pages[-1])).convert("L")

    assert len(pages) >= 2
    assert samples.pdf_text(pdf).count("Talon à détacher") == 1
    assert [c.data.decode("ascii") for c in decode(last, timeout=20_000, max_count=1)] == [
        datamatrix_payload(doc.datamatrix)  # type: ignore[arg-type]
    ]


def test_credit_note_is_titled_avoir_and_refers_to_the_invoice() -> None:
    base = samples.invoice(mode="regie", line_count=2)
    note = replace(base, kind="credit_note", number="2025-000099", corrects_number="2025-004215")

    text = samples.pdf_text(render_invoice_pdf(note))

    assert "AVOIR" in text.upper()
    assert "2025-004215" in text


def test_large_amount_uses_thousands_separator() -> None:
    line = InvoiceDocumentLine(label="ALSH Vacances", child_name="Léa", quantity=1,
                               unit_cents=123_456, total_cents=123_456)
    doc = replace(samples.invoice(mode="regie", line_count=0), lines=(line,),
                  total_cents=123_456, due_cents=123_456)

    text = samples.pdf_text(render_invoice_pdf(doc))

    assert "1 234,56 €" in text.replace("\u202f", " ").replace("\u00a0", " ")


def test_inconsistent_documents_are_refused_before_rendering() -> None:
    doc = samples.invoice(mode="perception")
    with pytest.raises(ValueError, match="somme des lignes"):
        replace(doc, total_cents=doc.total_cents + 1, due_cents=doc.due_cents + 1)
    with pytest.raises(ValueError, match="reste à payer"):
        replace(doc, due_cents=doc.due_cents - 1)
    with pytest.raises(ValueError, match="Datamatrix"):
        replace(doc, mode="regie")
    with pytest.raises(ValueError, match="Couleur"):
        CommuneLetterhead(name="X", address="", brand_colour="url(http://evil)")


def test_no_url_is_fetched_from_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The logo and the code are data: URIs; any other URL is refused by the fetcher."""
    import urllib.request

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    doc = samples.invoice(mode="perception")

    assert render_invoice_pdf(doc).startswith(b"%PDF")


def test_tax_certificate() -> None:
    doc: TaxCertificateDocument = samples.tax_certificate()

    pdf = render_tax_certificate_pdf(doc)
    text = samples.pdf_text(pdf)
    keep_screenshot(pdf, "attestation_fiscale")

    assert "Attestation de frais de garde" in text
    assert "Année 2025" in text
    assert "793,25 €" in text
    assert "14/03/2020" in text
    assert "Fait à Lannion, le 15 janvier 2026" in text
    assert "200 quater B" in text


def test_tax_certificate_total_must_match_children() -> None:
    doc = samples.tax_certificate()
    with pytest.raises(ValueError, match="total"):
        replace(doc, total_cents=1)


def test_document_dates_are_plain_dates() -> None:
    assert isinstance(samples.invoice().issued_on, date)
    assert isinstance(InvoiceDocument, type)
