"""Régie accounting export: one CSV row per invoice of a deposited group, then a totals row.

French headers, ";" separator, amounts "1234,50" (comma, no thousands separator, so a
spreadsheet reads them as numbers), dates "13/05/2019", UTF-8 with a BOM so Excel opens
it with the accents right. `parse_regie_csv` reads the file back (and checks the totals
row), which the tests use for the round trip and support can use to check a file."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from .french import cents_to_decimal_text

BOM = "\ufeff"
HEADERS = (
    "N° facture",
    "Date d'émission",
    "Référence famille",
    "Foyer",
    "Période",
    "Imputation",
    "Montant facturé",
    "Déjà réglé",
    "Reste dû",
)
TOTAL_LABEL = "TOTAL"


@dataclass(frozen=True)
class RegieExportRow:
    invoice_number: str
    issued_on: date
    household_reference: str
    household_name: str
    period_label: str
    account_code: str  # imputation budgétaire (e.g. "7067")
    total_cents: int
    paid_cents: int
    due_cents: int


@dataclass(frozen=True)
class RegieExportTotals:
    count: int
    total_cents: int
    paid_cents: int
    due_cents: int


def totals_of(rows: list[RegieExportRow] | tuple[RegieExportRow, ...]) -> RegieExportTotals:
    return RegieExportTotals(
        count=len(rows),
        total_cents=sum(row.total_cents for row in rows),
        paid_cents=sum(row.paid_cents for row in rows),
        due_cents=sum(row.due_cents for row in rows),
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """A text cell that a spreadsheet will never run as a formula (CSV injection): a
    leading quote is added before "=", "+", "-", "@" (and before a leading quote, so
    `parse_regie_csv` can always remove exactly one)."""
    return "'" + value if value.startswith((*FORMULA_STARTS, "'")) else value


def _untext(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def _amount(cents: int) -> str:
    return cents_to_decimal_text(cents)


def _cents(text: str) -> int:
    """"1234,50" → 123450; "-3,10" → -310. Refuses anything else (no float involved)."""
    value = text.strip()
    sign = -1 if value.startswith("-") else 1
    units, _, rest = value.lstrip("-").partition(",")
    if not units.isdigit() or len(rest) != 2 or not rest.isdigit():
        raise ValueError(f"Montant illisible : « {text} ».")
    return sign * (int(units) * 100 + int(rest))


def build_regie_csv(rows: list[RegieExportRow] | tuple[RegieExportRow, ...]) -> bytes:
    """The CSV file as bytes (UTF-8 with BOM, CRLF line ends as Excel expects)."""
    for row in rows:
        if row.total_cents - row.paid_cents != row.due_cents:
            raise ValueError(f"Facture {row.invoice_number} : reste dû ≠ facturé − réglé.")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(
            (
                _text(row.invoice_number),
                row.issued_on.strftime("%d/%m/%Y"),
                _text(row.household_reference),
                _text(row.household_name),
                _text(row.period_label),
                _text(row.account_code),
                _amount(row.total_cents),
                _amount(row.paid_cents),
                _amount(row.due_cents),
            )
        )
    totals = totals_of(rows)
    writer.writerow(
        (
            TOTAL_LABEL,
            "",
            "",
            f"{totals.count} facture{'s' if totals.count > 1 else ''}",
            "",
            "",
            _amount(totals.total_cents),
            _amount(totals.paid_cents),
            _amount(totals.due_cents),
        )
    )
    return (BOM + out.getvalue()).encode("utf-8")


def parse_regie_csv(data: bytes) -> tuple[list[RegieExportRow], RegieExportTotals]:
    """Read a file made by `build_regie_csv`; raises ValueError if the totals disagree."""
    text = data.decode("utf-8")
    if text.startswith(BOM):
        text = text[1:]
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    if not records or tuple(records[0]) != HEADERS:
        raise ValueError("En-têtes inattendus : ce n'est pas un export de régie.")
    if len(records) < 2 or records[-1][0] != TOTAL_LABEL:
        raise ValueError("Ligne de total absente.")
    rows = [
        RegieExportRow(
            invoice_number=_untext(record[0]),
            issued_on=datetime.strptime(record[1], "%d/%m/%Y").date(),  # noqa: DTZ007
            household_reference=_untext(record[2]),
            household_name=_untext(record[3]),
            period_label=_untext(record[4]),
            account_code=_untext(record[5]),
            total_cents=_cents(record[6]),
            paid_cents=_cents(record[7]),
            due_cents=_cents(record[8]),
        )
        for record in records[1:-1]
    ]
    last = records[-1]
    written = RegieExportTotals(
        count=int(last[3].split()[0]),
        total_cents=_cents(last[6]),
        paid_cents=_cents(last[7]),
        due_cents=_cents(last[8]),
    )
    if written != totals_of(rows):
        raise ValueError("La ligne de total ne correspond pas à la somme des lignes.")
    return rows, written
