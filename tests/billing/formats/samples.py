"""Builders of realistic billing documents for the format tests and bench/pdf.py."""

import io
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from tenant_apps.billing.formats.datamatrix import DatamatrixInput
from tenant_apps.billing.formats.documents import (
    CommuneLetterhead,
    InvoiceDocument,
    InvoiceDocumentLine,
    TaxCertificateChild,
    TaxCertificateDocument,
)

SERVICES = (
    ("Repas enfant", 310),
    ("Accueil périscolaire matin", 145),
    ("Accueil périscolaire soir", 215),
    ("ALSH Mercredi matin", 620),
    ("ALSH Mercredi après-midi", 540),
    ("Repas PAI (panier repas)", 120),
    ("Pénalité présence non réservée", 150),
)
CHILDREN = ("Théo ALAIN", "Anna ALAIN", "Léa ALAIN")


def logo_png() -> bytes:
    """A small coat-of-arms-like logo drawn locally (no network, no file)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 140), "white")
    draw = ImageDraw.Draw(image)
    draw.polygon([(10, 10), (110, 10), (110, 80), (60, 130), (10, 80)], fill="#1d4f91")
    draw.polygon([(25, 25), (95, 25), (95, 75), (60, 112), (25, 75)], fill="#f4c430")
    draw.rectangle([52, 30, 68, 100], fill="#1d4f91")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def letterhead(*, with_logo: bool = True) -> CommuneLetterhead:
    return CommuneLetterhead(
        name="Mairie de Lannion",
        service_name="Service Enfance – Restauration scolaire",
        address="Place du Général Leclerc\nBP 30346\n22303 Lannion Cedex",
        phone="02 96 46 64 22",
        email="enfance@lannion.example",
        brand_colour="#1d4f91",
        logo=logo_png() if with_logo else None,
        city="Lannion",
    )


def invoice_lines(count: int) -> tuple[InvoiceDocumentLine, ...]:
    lines = []
    for index in range(count):
        label, unit = SERVICES[index % len(SERVICES)]
        quantity = 1 + (index * 7) % 17
        lines.append(
            InvoiceDocumentLine(
                label=label,
                child_name=CHILDREN[index % len(CHILDREN)],
                quantity=quantity,
                unit_cents=unit,
                total_cents=quantity * unit,
            )
        )
    return tuple(lines)


def datamatrix_input(*, due_cents: int, debt_number: int = 4215, month: int = 5) -> DatamatrixInput:
    return DatamatrixInput(
        establishment_code="042",
        product_code="7067",
        exercise=2025,
        month=month,
        debt_number=debt_number,
        poste_comptable="022013",
        amount_cents=due_cents,
    )


def invoice(
    *,
    line_count: int = 10,
    mode: str = "perception",
    draft: bool = False,
    paid_cents: int = 0,
    with_datamatrix: bool = True,
    number: str | None = "2025-004215",
) -> InvoiceDocument:
    lines = invoice_lines(line_count)
    total = sum(line.total_cents for line in lines)
    due = total - paid_cents
    perception = mode == "perception"
    return InvoiceDocument(
        letterhead=letterhead(),
        number=number,
        issued_on=date(2025, 6, 2),
        due_on=date(2025, 6, 30),
        period_label="mai 2025",
        household_name="M. et Mme ALAIN",
        household_address="12 rue des Écoles\nAppartement 3\n22300 Lannion",
        household_reference="FAM-00042",
        lines=lines,
        total_cents=total,
        paid_cents=paid_cents,
        due_cents=due,
        mode=mode,  # type: ignore[arg-type]
        draft=draft,
        datamatrix=datamatrix_input(due_cents=due) if perception and with_datamatrix else None,
        payment_info=(
            (
                "Par carte bancaire sur le portail famille (PayFiP), par prélèvement, "
                "ou en espèces et par carte chez un buraliste agréé avec le talon ci-dessous.",
                "Par chèque à l'ordre du Trésor public, adressé au Service de gestion "
                "comptable de Lannion, 1 rue de Kérampont, 22300 Lannion, avec le talon.",
            )
            if perception
            else (
                "Auprès de la régie du Service Enfance (mairie, du lundi au vendredi, "
                "8 h 30 – 12 h) : espèces, chèque à l'ordre de la Régie Enfance, CESU.",
                "En ligne sur le portail famille, par carte bancaire.",
            )
        ),
    )


def tax_certificate() -> TaxCertificateDocument:
    children = (
        TaxCertificateChild(name="Anna ALAIN", birth_date=date(2020, 3, 14),
                            amount_paid_cents=48250),
        TaxCertificateChild(name="Léa ALAIN", birth_date=date(2021, 11, 2),
                            amount_paid_cents=31075),
    )
    return TaxCertificateDocument(
        letterhead=letterhead(),
        household_name="M. et Mme ALAIN",
        household_address="12 rue des Écoles\n22300 Lannion",
        year=2025,
        children=children,
        total_cents=sum(child.amount_paid_cents for child in children),
        issued_on=date(2026, 1, 15),
        household_reference="FAM-00042",
    )


def rasterise(pdf: bytes, *, dpi: int = 300, first_page_only: bool = False) -> list[bytes]:
    """PNG bytes of each page, with Debian's pdftoppm (poppler-utils)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(pdf)
        args = ["pdftoppm", "-r", str(dpi), "-png", "-gray"]
        if first_page_only:
            args += ["-f", "1", "-l", "1"]
        subprocess.run([*args, str(source), str(Path(tmp) / "page")], check=True)
        return [page.read_bytes() for page in sorted(Path(tmp).glob("page*.png"))]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in reading order, with Debian's pdftotext."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")
