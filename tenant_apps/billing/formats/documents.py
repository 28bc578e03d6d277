"""Plain, frozen descriptions of the billing documents the PDF renderers take.

The billing app builds these from its models (amounts in integer cents, already computed);
the renderers in `invoice_pdf.py` never read the database. Totals are checked here so a
document whose lines do not add up can never be printed."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from .datamatrix import DatamatrixInput
from .dgfip_choices import DEFAULT_PROXIMITY_PAYMENT_MENTION

BillingMode = Literal["regie", "perception"]
DocumentKind = Literal["invoice", "credit_note"]


@dataclass(frozen=True)
class CommuneLetterhead:
    """The commune's identity as printed at the top of its documents."""

    name: str  # "Mairie de Lannion"
    address: str  # several lines separated by "\n"
    phone: str = ""
    email: str = ""
    brand_colour: str = "#1d4f91"  # CSS hex colour of the commune's branding
    logo: bytes | None = None  # PNG/JPEG/SVG bytes, embedded as a data: URI
    logo_mime: str = "image/png"
    service_name: str = ""  # "Service Enfance – Restauration scolaire"
    city: str = ""  # for "Fait à Lannion, le …"

    def __post_init__(self) -> None:
        colour = self.brand_colour
        if not (
            len(colour) in (4, 7)
            and colour.startswith("#")
            and all(c in "0123456789abcdefABCDEF" for c in colour[1:])
        ):
            raise ValueError(f"Couleur de la commune invalide : « {colour} » (#RRGGBB attendu).")
        if self.logo is not None and self.logo_mime not in (
            "image/png", "image/jpeg", "image/svg+xml",
        ):
            raise ValueError("Logo : formats acceptés PNG, JPEG ou SVG.")


@dataclass(frozen=True)
class InvoiceDocumentLine:
    """One line: a service for one child over the period."""

    label: str  # "Repas enfant"
    child_name: str  # "Théo ALAIN" ("" for a household-level line)
    quantity: int | Decimal
    unit_cents: int
    total_cents: int


@dataclass(frozen=True)
class InvoiceDocument:
    """An invoice or credit note as printed.

    `total_cents` = sum of the lines; `due_cents` = total − paid. In perception mode the
    document is an "avis des sommes à payer"; `datamatrix` is given when the payment coupon
    must carry the DGFiP code (its `amount_cents` must equal `due_cents`); leave it None
    when the piece is debited or settled (`dgfip_choices.HIDE_DATAMATRIX_WHEN_DEBITED...`).
    `number` is None while the invoice is a draft without a number."""

    letterhead: CommuneLetterhead
    number: str | None
    issued_on: date
    period_label: str  # "mai 2025" or "du 1er au 15 mai 2025"
    household_name: str
    household_address: str  # several lines separated by "\n"
    lines: tuple[InvoiceDocumentLine, ...]
    total_cents: int
    paid_cents: int
    due_cents: int
    mode: BillingMode
    draft: bool
    datamatrix: DatamatrixInput | None = None
    payment_info: tuple[str, ...] = ()  # paragraphs: how to pay (régie hours, IBAN, PayFiP…)
    settled_by_account: bool = False  # prepaid mode: payment_info says how it was settled
    kind: DocumentKind = "invoice"
    due_on: date | None = None
    household_reference: str = ""  # family / debtor reference
    proximity_payment_mention: str = DEFAULT_PROXIMITY_PAYMENT_MENTION
    corrects_number: str = ""  # for a credit note: the invoice it corrects

    def __post_init__(self) -> None:
        if self.mode not in ("regie", "perception"):
            raise ValueError(f"Mode de facturation inconnu : {self.mode}.")
        if self.kind not in ("invoice", "credit_note"):
            raise ValueError(f"Type de document inconnu : {self.kind}.")
        for line in self.lines:
            if abs(Decimal(line.quantity) * line.unit_cents - line.total_cents) >= 1:
                raise ValueError(
                    f"Ligne « {line.label} » : quantité × prix unitaire ≠ montant de la ligne."
                )
        if sum(line.total_cents for line in self.lines) != self.total_cents:
            raise ValueError("Le total ne correspond pas à la somme des lignes.")
        if self.total_cents - self.paid_cents != self.due_cents:
            raise ValueError("Le reste à payer doit être égal au total moins le déjà réglé.")
        if self.datamatrix is not None:
            if self.mode != "perception" or self.kind != "invoice":
                raise ValueError("Le code Datamatrix ne figure que sur un avis des sommes à payer.")
            if self.datamatrix.amount_cents != self.due_cents:
                raise ValueError("Le montant du code Datamatrix doit être le reste à payer.")


@dataclass(frozen=True)
class TaxCertificateChild:
    name: str
    birth_date: date
    amount_paid_cents: int  # childcare paid in the year for this child (meals excluded)


@dataclass(frozen=True)
class TaxCertificateDocument:
    """Attestation fiscale de frais de garde (children under 6) for one household and year."""

    letterhead: CommuneLetterhead
    household_name: str
    household_address: str
    year: int
    children: tuple[TaxCertificateChild, ...]
    total_cents: int
    issued_on: date
    signatory: str = "Le Maire"
    household_reference: str = ""
    extra_lines: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if sum(child.amount_paid_cents for child in self.children) != self.total_cents:
            raise ValueError("Le total de l'attestation ne correspond pas à la somme par enfant.")
