"""Pure PayFiP rules (finance spec §2): amount and label formats, reference of an attempt,
what a provider answer means for an operation, and when an attempt has lapsed.

No database access: plain values in, plain values out (tested with hypothesis)."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_CENTS = 100  # 1,00 € (eopayment's lower bound; DGFiP bounds unverified)
MAX_CENTS = 10_000_000  # 100 000 €
# An idOp lives 15 minutes; eopayment waits 20 before calling a silent attempt expired.
ATTEMPT_LIFETIME = timedelta(minutes=20)
# Reconciliation: Horanet polls pending attempts of the last day; we keep a week.
RECONCILE_WINDOW = timedelta(days=7)
STALE_ALERT = timedelta(hours=24)
# Anyone can call the notification and return URLs with a known idOp: each call would
# cost a request to the provider. Those triggers ask at most once per window; the
# reconciliation job and agents always ask.
UNSOLICITED_TRIGGERS = frozenset({"notification", "retour"})
UNSOLICITED_LOOKUP_WINDOW = timedelta(seconds=10)

PENDING = "pending"
PAID = "paid"
REFUSED = "refused"
ABANDONED = "abandoned"
EXPIRED = "expired"
ANOMALY = "anomaly"
FINAL_STATUSES = frozenset({PAID, REFUSED, ABANDONED, EXPIRED, ANOMALY})

MODE_TEST = "T"
MODE_ACTIVATION = "X"
MODE_PRODUCTION = "W"
MODES = (MODE_TEST, MODE_ACTIVATION, MODE_PRODUCTION)

NUMCLI_RE = re.compile(r"^\d{6}$")
REFDET_RE = re.compile(r"^[A-Za-z0-9]{1,30}$")
IDOP_RE = re.compile(r"^[A-Za-z0-9\-]{1,64}$")


def amount_format(cents: int) -> str:
    """PayFiP's `montant`: integer cents as a string of at least 3 digits (100 = 1,00 €).
    Raises ValueError outside [1,00 €; 100 000 €]."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise ValueError("amount must be integer cents")
    if not MIN_CENTS <= cents <= MAX_CENTS:
        raise ValueError(f"amount {cents} outside {MIN_CENTS}..{MAX_CENTS} cents")
    return f"{cents:03d}"


def amount_parse(text: str) -> int:
    """The provider's `montant` back to integer cents (digits only, else ValueError)."""
    text = (text or "").strip()
    if not text.isdigit():
        raise ValueError(f"malformed amount {text!r}")
    return int(text)


def label_clean(text: str, limit: int = 100) -> str:
    """`objet`: accents stripped, ' and - become spaces, only [A-Za-z0-9 ] kept, spaces
    collapsed, cut at `limit` (eopayment's rules)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['\-]", " ", ascii_text)
    ascii_text = re.sub(r"[^A-Za-z0-9 ]", "", ascii_text)
    return re.sub(r" +", " ", ascii_text).strip()[:limit].strip()


def refdet_for(prefix: str, attempt_id: int) -> str:
    """A fresh debt reference per attempt (never reused): prefix digits/letters + id,
    e.g. "F2026000042A17" for invoice F2026-000042, attempt 17. At most 30 characters."""
    base = re.sub(r"[^A-Za-z0-9]", "", prefix)
    suffix = f"A{attempt_id}"
    return (base[: 30 - len(suffix)] + suffix) or suffix


@dataclass(frozen=True)
class Verdict:
    """What a provider answer (or fault) means for a pending operation."""

    status: str
    final: bool
    reason: str = ""


def verdict_for_result(resultrans: str) -> Verdict:
    """§2.5: P/V paid; A abandoned; R/Z refused; anything else is an anomaly to check."""
    code = (resultrans or "").strip().upper()
    if code in ("P", "V"):
        return Verdict(PAID, True)
    if code == "A":
        return Verdict(ABANDONED, True)
    if code in ("R", "Z"):
        return Verdict(REFUSED, True)
    return Verdict(ANOMALY, True, f"Code résultat inconnu « {code} » renvoyé par PayFiP.")


def verdict_for_fault(code: str, *, age: timedelta) -> Verdict:
    """§2.6-2.7: P5 = no result yet (pending while young, expired after the lifetime);
    P1 = idOp unknown/purged (expired, never poll again); anything else is technical:
    stay pending and retry later."""
    if code == "P5":
        if age >= ATTEMPT_LIFETIME:
            return Verdict(EXPIRED, True, "Paiement jamais terminé (délai dépassé).")
        return Verdict(PENDING, False)
    if code == "P1":
        return Verdict(EXPIRED, True, "Opération inconnue de PayFiP (purgée ou jamais créée).")
    return Verdict(PENDING, False, f"Erreur PayFiP {code or 'technique'} : nouvel essai plus tard.")


def mismatch_reasons(*, expected: dict[str, str], answered: dict[str, str]) -> list[str]:
    """The echoed fields that differ from what we asked (numcli, refdet, saisie, exer,
    montant). Each difference is a French sentence for the agent."""
    labels = {"numcli": "numéro client", "refdet": "référence", "saisie": "mode",
              "exer": "exercice", "montant": "montant"}
    reasons = []
    for key, label in labels.items():
        want = (expected.get(key) or "").strip()
        got = (answered.get(key) or "").strip()
        if key == "montant" and want.isdigit() and got.isdigit():
            same = int(want) == int(got)
        else:
            same = want == got
        if not same:
            reasons.append(f"{label.capitalize()} différent : demandé {want or '—'}, "
                           f"PayFiP indique {got or '—'}.")
    return reasons


def attempt_blocked(*, last_started_at: datetime | None, now: datetime) -> bool:
    """A second attempt on the same invoice waits while an earlier idOp is under 20
    minutes old (eopayment's `min_time_between_transactions`)."""
    return last_started_at is not None and now - last_started_at < ATTEMPT_LIFETIME


def euros(cents: int) -> str:
    """French display of integer cents: 2310 → "23,10 €", 123456 → "1 234,56 €"."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{part:02d} €"


def lookup_allowed(*, trigger: str, checked_at: datetime | None, now: datetime) -> bool:
    """Whether `trigger` may ask the provider now about an operation last asked at
    `checked_at` (see UNSOLICITED_LOOKUP_WINDOW)."""
    if trigger not in UNSOLICITED_TRIGGERS or checked_at is None:
        return True
    return now - checked_at >= UNSOLICITED_LOOKUP_WINDOW
