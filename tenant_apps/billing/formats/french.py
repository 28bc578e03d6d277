"""French display of money, quantities and dates for billing documents and exports.

"23,10 €", "1 234,50 €" (narrow no-break space for thousands, no-break space before €),
"lun. 13 mai 2019". Integer cents in, text out: no float anywhere."""

import unicodedata
from datetime import date
from decimal import Decimal

NBSP = "\u00a0"
NNBSP = "\u202f"
WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


def _group_thousands(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(groups)


def cents_to_decimal_text(cents: int, *, decimal_mark: str = ",", thousands: str = "") -> str:
    """1234550 → "12345,50" (or "12 345,50" with a thousands separator); "-" when negative."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{_group_thousands(str(units), thousands)}{decimal_mark}{rest:02d}"


def euros(cents: int) -> str:
    """Integer cents as French euros: 2310 → "23,10 €", 123450 → "1 234,50 €"."""
    return f"{cents_to_decimal_text(cents, thousands=NNBSP)}{NBSP}€"


def quantity(value: int | Decimal) -> str:
    """3 → "3", Decimal("1.50") → "1,5"."""
    number = Decimal(value)
    text = format(number.normalize(), "f") if number != number.to_integral() else str(int(number))
    return text.replace(".", ",")


def date_fr(value: date) -> str:
    """"13 mai 2019"; "1er mai 2019" for the first day of a month."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def day_fr(value: date) -> str:
    """"lun. 13 mai 2019"."""
    return f"{WEEKDAYS[value.weekday()]} {date_fr(value)}"


def date_short(value: date) -> str:
    """"13/05/2019"."""
    return value.strftime("%d/%m/%Y")


def month_label(year: int, month: int) -> str:
    """"mai 2019"."""
    return f"{MONTHS[month - 1]} {year}"


def plain_upper(text: str, max_len: int | None = None) -> str:
    """Upper case ASCII without accents, one line, for DGFiP files: "Élodie Ça" → "ELODIE CA".

    Characters with no ASCII base ("œ" is decomposed by hand) are dropped."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    collapsed = " ".join(ascii_text.upper().split())
    return collapsed[:max_len].rstrip() if max_len is not None else collapsed
