"""Pure SEPA direct debit rules (finance spec §4): IBAN/BIC (schwifty), the creditor
identifier (ICS) check digits, mandate references (RUM), end-to-end ids, sequences."""

import re
from dataclasses import dataclass

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

# ISO 20022 reason codes of SEPA direct debit returns, as banks print them on the
# statement (EPC SDD Core rulebook), in French for the régisseur.
RETURN_REASONS = {
    "AC01": "IBAN incorrect",
    "AC04": "Compte clôturé",
    "AC06": "Compte bloqué",
    "AG01": "Prélèvement interdit sur ce compte",
    "AM04": "Provision insuffisante",
    "BE05": "Créancier non reconnu",
    "MD01": "Pas de mandat",
    "MD02": "Données du mandat manquantes ou erronées",
    "MD06": "Remboursement demandé par le débiteur",
    "MS02": "Refus du débiteur",
    "MS03": "Raison non communiquée",
    "SL01": "Service spécifique de la banque du débiteur",
}
# [NV] Returns after which the next debit on the same mandate would fail as well: the
# mandate is revoked and the family asked for a new one. Our reading of the codes, not a
# rule of the spec; the one place to change it.
MANDATE_UNUSABLE_REASONS = frozenset({"AC01", "AC04", "AC06", "AG01", "MD01", "MD02"})

RUM_RE = re.compile(r"^[A-Z0-9/\-?:().,'+ ]{1,35}$")
SEQUENCES = ("FRST", "RCUR", "OOFF", "FNAL")


@dataclass(frozen=True)
class Account:
    iban: str
    bic: str


def account_check(iban: str, bic: str = "") -> Account:
    """A valid IBAN (checksum, country format) and BIC, normalised; ValueError with a
    French message otherwise. Without a BIC, the one schwifty derives from the IBAN's
    bank code (when it knows it) is used."""
    try:
        parsed = IBAN(iban)
    except SchwiftyException as exc:
        raise ValueError("IBAN invalide : vérifiez les chiffres saisis.") from exc
    if not parsed.country_code or parsed.country_code not in SEPA_COUNTRIES:
        raise ValueError("Cet IBAN n'est pas celui d'un pays de la zone SEPA.")
    bic_text = bic.strip().upper().replace(" ", "")
    if bic_text:
        try:
            bic_text = str(BIC(bic_text).compact)
        except SchwiftyException as exc:
            raise ValueError("BIC invalide : 8 ou 11 caractères (ex. AGRIFRPP).") from exc
    else:
        derived = parsed.bic
        bic_text = str(derived.compact) if derived is not None else ""
    return Account(iban=str(parsed.compact), bic=bic_text)


@dataclass(frozen=True)
class ReturnReason:
    code: str  # "" when the text carries no known code
    text: str  # what is recorded: "AM04 – Provision insuffisante", or the text typed

    @property
    def mandate_unusable(self) -> bool:
        return self.code in MANDATE_UNUSABLE_REASONS


def return_reason(typed: str) -> ReturnReason:
    """Read the reason of a return as typed by the régisseur: a known code first ("am04",
    "AM04 fin de mois") gets its French label; anything else is kept as typed."""
    text = " ".join(typed.split())
    code = text[:4].upper()
    if code in RETURN_REASONS and (len(text) == 4 or not text[4].isalnum()):
        rest = text[4:].strip(" -–:")
        known = RETURN_REASONS[code]
        extra = f" ({rest})" if rest and rest.lower() != known.lower() else ""
        label = f"{code} – {known}{extra}"
        return ReturnReason(code=code, text=label[:120])
    return ReturnReason(code="", text=(text or "Rejet bancaire")[:120])


def iban_masked(iban: str) -> str:
    """What the UI shows: country, check digits and the last 4 characters."""
    return f"{iban[:4]} •••• {iban[-4:]}" if len(iban) > 8 else "••••"


def ics_check_digits(country: str, national_id: str) -> str:
    """ISO 7064 MOD 97-10 over national identifier + country + "00" (business code
    excluded), letters as numbers (A=10 … Z=35)."""
    raw = (national_id + country + "00").upper()
    digits = "".join(str(int(c, 36)) for c in raw if c.isalnum())
    return f"{98 - int(digits) % 97:02d}"


def ics_valid(ics: str) -> bool:
    """A French ICS: FR + 2 check digits + 3-character business code + 6 characters."""
    ics = ics.strip().upper().replace(" ", "")
    if not re.fullmatch(r"FR\d{2}[A-Z0-9]{3}[A-Z0-9]{6}", ics):
        return False
    return ics[2:4] == ics_check_digits(ics[:2], ics[7:])


def rum_for(household_id: int, mandate_id: int) -> str:
    """A mandate reference: unique per creditor, no personal data, ≤ 35 characters."""
    return f"CANT-{household_id:07d}-{mandate_id:06d}"


def end_to_end_id(invoice_number: str, run_id: int) -> str:
    """Traceable to our invoice, ≤ 35 characters, SEPA-safe characters only."""
    base = re.sub(r"[^A-Za-z0-9\-]", "", invoice_number)[:24]
    return f"{base}-D{run_id}"[:35]


def next_sequence(current: str) -> str:
    """After a collection: FRST becomes RCUR; RCUR stays RCUR."""
    return "RCUR" if current in ("FRST", "RCUR") else current


SEPA_COUNTRIES = frozenset(
    "AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV MC MT NL NO "
    "PL PT RO SE SI SK SM VA AD".split())
