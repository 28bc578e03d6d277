"""Pricing: pure functions over integer cents, Decimal rates and small dataclasses.

No database access here. Amounts are integer euro cents; rates and percentages are
`Decimal`. Every intermediate result that is not a whole number of cents is rounded
to the cent, half up (0.5 cent goes up), once, at the step that produces it:

1. base price of the tariff for the household's quotient familial (QF):
   - flat: `amount_cents`;
   - QF brackets: the amount of the first bracket whose upper bound (`qf_max`,
     inclusive) is at least the QF; the last bracket has no upper bound. Unknown QF
     (not provided, or not valid on the day) → the last (highest) bracket;
   - taux d'effort: QF × rate % (euros), rounded, then clamped between floor and
     ceiling. Unknown QF → the ceiling.
2. non-resident rate replaces the base price when the household lives elsewhere
   (and the tariff has one);
3. PAI rate (child brings its own meal) replaces the price when the child has a PAI
   (and the tariff has one); it is never higher than the price it replaces;
4. sibling discount: children of rank 2 and more (eldest = rank 1) get `percent` off,
   rounded half up.

What a booking state costs (`charges_for_state`): booked and attended → the unit
price; absent unjustified → the unit price when the tariff bills unjustified
absences, else nothing; absent justified → nothing; unbooked presence → the unit
price plus the surcharge; cancelled → nothing, or the late-cancel penalty when the
family cancelled past the deadline; waiting list → nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from tenant_apps.billing.formats import french

FLAT = "flat"
QF_BRACKETS = "qf_brackets"
EFFORT_RATE = "effort_rate"
KINDS = (FLAT, QF_BRACKETS, EFFORT_RATE)

CHARGED_STATES = frozenset({"booked", "attended"})


def round_cents(amount_cents: Decimal) -> int:
    """Round a Decimal number of cents to a whole cent, half up (documented rule)."""
    return int(amount_cents.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def euros_label(cents: int) -> str:
    """French amount: 2310 → "23,10 €", -500 → "-5,00 €", 123456 → "1 234,56 €"."""
    return french.euros(cents)


def percent_label(value: Decimal) -> str:
    """French percentage number: Decimal("10.00") → "10", Decimal("7.50") → "7,5"."""
    return format(value.normalize(), "f").replace(".", ",")


@dataclass(frozen=True)
class Bracket:
    qf_max: int | None  # inclusive upper bound; None = "and above"
    amount_cents: int


@dataclass(frozen=True)
class TariffRule:
    kind: str = FLAT
    amount_cents: int = 0
    brackets: tuple[Bracket, ...] = ()
    effort_rate_percent: Decimal = Decimal(0)
    floor_cents: int = 0
    ceiling_cents: int = 0
    non_resident_cents: int | None = None
    pai_cents: int | None = None
    sibling_discount_percent: Decimal = Decimal(0)
    unbooked_presence_penalty_cents: int = 0
    late_cancel_penalty_cents: int = 0
    bill_unjustified_absence: bool = False


@dataclass(frozen=True)
class Household:
    """What pricing needs to know about the household and the child on that day."""

    quotient: int | None = None  # None: unknown or not valid on the day
    resident: bool = True
    pai: bool = False
    sibling_rank: int = 1  # 1 = eldest child of the household


@dataclass(frozen=True)
class Price:
    unit_cents: int
    base_cents: int
    reasons: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Charge:
    kind: str  # "service" | "penalty"
    label: str
    cents: int


def sorted_brackets(brackets: Sequence[Bracket]) -> list[Bracket]:
    """Brackets by upper bound, the open one ("and above") last."""
    return sorted(brackets, key=lambda b: (b.qf_max is None, b.qf_max or 0))


def bracket_for(brackets: Sequence[Bracket], quotient: int | None) -> Bracket:
    ordered = sorted_brackets(brackets)
    if not ordered:
        raise ValueError("Ce tarif n'a aucune tranche de quotient familial.")
    if quotient is None:
        return ordered[-1]
    for bracket in ordered:
        if bracket.qf_max is None or quotient <= bracket.qf_max:
            return bracket
    return ordered[-1]


def effort_price_cents(rule: TariffRule, quotient: int | None) -> int:
    """Taux d'effort: QF × rate % euros, rounded half up, then floor ≤ price ≤ ceiling."""
    if quotient is None:
        return rule.ceiling_cents
    raw = round_cents(Decimal(quotient) * rule.effort_rate_percent)  # QF € × r/100 → cents
    return min(max(raw, rule.floor_cents), rule.ceiling_cents)


def base_price_cents(rule: TariffRule, quotient: int | None) -> int:
    if rule.kind == QF_BRACKETS:
        return bracket_for(rule.brackets, quotient).amount_cents
    if rule.kind == EFFORT_RATE:
        return effort_price_cents(rule, quotient)
    return rule.amount_cents


def unit_price(rule: TariffRule, who: Household) -> Price:
    """The price of one booked unit for this household and child (steps 1-4 above)."""
    base = base_price_cents(rule, who.quotient)
    price = base
    reasons: list[str] = []
    if not who.resident and rule.non_resident_cents is not None:
        price = rule.non_resident_cents
        reasons.append("tarif hors commune")
    if who.pai and rule.pai_cents is not None and rule.pai_cents < price:
        price = rule.pai_cents
        reasons.append("tarif PAI")
    if who.sibling_rank >= 2 and rule.sibling_discount_percent > 0:
        discount = round_cents(Decimal(price) * rule.sibling_discount_percent / 100)
        price = max(price - discount, 0)
        reasons.append(f"réduction fratrie {percent_label(rule.sibling_discount_percent)} %")
    return Price(unit_cents=max(price, 0), base_cents=base, reasons=tuple(reasons))


def charges_for_state(
    rule: TariffRule, state: str, unit_cents: int, *, late_cancel: bool = False
) -> list[Charge]:
    """What one booking in `state` costs (see the module docstring)."""
    if state in CHARGED_STATES:
        return [Charge("service", "", unit_cents)]
    if state == "absent_unjustified":
        if rule.bill_unjustified_absence:
            return [Charge("service", "absence non justifiée", unit_cents)]
        return []
    if state == "unbooked_presence":
        charges = [Charge("service", "présence sans réservation", unit_cents)]
        if rule.unbooked_presence_penalty_cents:
            charges.append(Charge("penalty", "majoration présence sans réservation",
                                  rule.unbooked_presence_penalty_cents))
        return charges
    if state == "cancelled" and late_cancel and rule.late_cancel_penalty_cents:
        return [Charge("penalty", "pénalité annulation tardive", rule.late_cancel_penalty_cents)]
    return []


def one_euro_canteen_problems(brackets: Sequence[Bracket]) -> list[str]:
    """Why a tariff does not qualify for the "cantine à 1 €" social pricing (empty: it does).

    It needs at least three QF brackets and the lowest-QF bracket at most 1 €."""
    problems: list[str] = []
    if len(brackets) < 3:
        problems.append("La tarification sociale « cantine à 1 € » demande au moins 3 tranches.")
    ordered = sorted_brackets(brackets)
    if ordered and ordered[0].amount_cents > 100:
        problems.append(
            "La tarification sociale « cantine à 1 € » demande une première tranche à 1 € "
            "au plus."
        )
    return problems


def tariff_problems(rule: TariffRule) -> list[str]:
    """French messages for a tariff that cannot price correctly (empty: it is valid)."""
    problems: list[str] = []
    amounts = [rule.amount_cents, rule.floor_cents, rule.ceiling_cents,
               rule.unbooked_presence_penalty_cents, rule.late_cancel_penalty_cents]
    amounts += [b.amount_cents for b in rule.brackets]
    amounts += [a for a in (rule.non_resident_cents, rule.pai_cents) if a is not None]
    if any(a < 0 for a in amounts):
        problems.append("Un montant ne peut pas être négatif.")
    if not Decimal(0) <= rule.sibling_discount_percent <= Decimal(100):
        problems.append("La réduction fratrie est un pourcentage entre 0 et 100.")
    if rule.kind == QF_BRACKETS:
        if not rule.brackets:
            problems.append("Ajoutez au moins une tranche de quotient familial.")
        bounds = [b.qf_max for b in rule.brackets]
        if bounds.count(None) != 1:
            problems.append("Une seule tranche, la dernière, doit être sans plafond (QF max vide).")
        finite = [b for b in bounds if b is not None]
        if len(set(finite)) != len(finite):
            problems.append("Deux tranches ont le même QF max.")
    if rule.kind == EFFORT_RATE:
        if rule.effort_rate_percent <= 0:
            problems.append("Le taux d'effort doit être supérieur à 0 %.")
        if rule.ceiling_cents < rule.floor_cents:
            problems.append("Le prix plafond doit être supérieur ou égal au prix plancher.")
    return problems
