"""Pricing rules: worked examples and hypothesis properties (pure, no database)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.billing import pricing
from tenant_apps.billing.pricing import Bracket, Household, TariffRule

BRACKETS = (Bracket(500, 100), Bracket(900, 250), Bracket(None, 420))
QF_RULE = TariffRule(kind=pricing.QF_BRACKETS, brackets=BRACKETS)

cents = st.integers(min_value=0, max_value=100_000)
quotients = st.none() | st.integers(min_value=0, max_value=5_000)
percents = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def bracket_sets(draw):  # type: ignore[no-untyped-def]
    bounds = sorted(draw(st.sets(st.integers(1, 4000), min_size=0, max_size=5)))
    amounts = sorted(draw(st.lists(cents, min_size=len(bounds) + 1, max_size=len(bounds) + 1)))
    return tuple(Bracket(b, a) for b, a in zip([*bounds, None], amounts, strict=True))


@st.composite
def rules(draw):  # type: ignore[no-untyped-def]
    floor = draw(cents)
    return TariffRule(
        kind=draw(st.sampled_from(pricing.KINDS)),
        amount_cents=draw(cents),
        brackets=draw(bracket_sets()),
        effort_rate_percent=draw(st.decimals(min_value=Decimal("0.0001"), max_value=5,
                                             places=4)),
        floor_cents=floor,
        ceiling_cents=floor + draw(cents),
        non_resident_cents=draw(st.none() | cents),
        pai_cents=draw(st.none() | cents),
        sibling_discount_percent=draw(percents),
        unbooked_presence_penalty_cents=draw(cents),
        late_cancel_penalty_cents=draw(cents),
        bill_unjustified_absence=draw(st.booleans()),
    )


who_strategy = st.builds(Household, quotient=quotients, resident=st.booleans(),
                         pai=st.booleans(), sibling_rank=st.integers(1, 6))


def test_worked_examples():
    assert pricing.unit_price(TariffRule(amount_cents=385), Household()).unit_cents == 385
    assert pricing.unit_price(QF_RULE, Household(quotient=500)).unit_cents == 100
    assert pricing.unit_price(QF_RULE, Household(quotient=501)).unit_cents == 250
    assert pricing.unit_price(QF_RULE, Household(quotient=None)).unit_cents == 420
    effort = TariffRule(kind=pricing.EFFORT_RATE, effort_rate_percent=Decimal("0.35"),
                        floor_cents=150, ceiling_cents=600)
    # 800 € × 0,35 % = 2,80 €
    assert pricing.unit_price(effort, Household(quotient=800)).unit_cents == 280
    assert pricing.unit_price(effort, Household(quotient=10)).unit_cents == 150
    assert pricing.unit_price(effort, Household(quotient=4000)).unit_cents == 600
    assert pricing.unit_price(effort, Household(quotient=None)).unit_cents == 600


def test_half_up_rounding_to_the_cent():
    # 0,5 cent goes up: 301 × 0,5 % = 1,505 € → 151 cents; 3 × 50 % of 3 cents = 1,5 → 2
    effort = TariffRule(kind=pricing.EFFORT_RATE, effort_rate_percent=Decimal("0.5"),
                        floor_cents=0, ceiling_cents=10_000)
    assert pricing.unit_price(effort, Household(quotient=301)).unit_cents == 151
    assert pricing.round_cents(Decimal("1.5")) == 2
    assert pricing.round_cents(Decimal("2.5")) == 3  # not banker's rounding
    sibling = TariffRule(amount_cents=3, sibling_discount_percent=Decimal(50))
    assert pricing.unit_price(sibling, Household(sibling_rank=2)).unit_cents == 1


def test_non_resident_pai_and_sibling_in_order():
    rule = TariffRule(kind=pricing.QF_BRACKETS, brackets=BRACKETS, non_resident_cents=600,
                      pai_cents=150, sibling_discount_percent=Decimal(10))
    assert pricing.unit_price(rule, Household(quotient=100, resident=False)).unit_cents == 600
    price = pricing.unit_price(rule, Household(quotient=100, resident=False, pai=True,
                                               sibling_rank=2))
    assert price.unit_cents == 135  # PAI 1,50 € then -10 %
    assert price.reasons == ("tarif hors commune", "tarif PAI", "réduction fratrie 10 %")
    # a PAI rate never raises the price
    assert pricing.unit_price(rule, Household(quotient=100, pai=True)).unit_cents == 100


def test_charges_per_state():
    rule = TariffRule(amount_cents=400, unbooked_presence_penalty_cents=200,
                      late_cancel_penalty_cents=150, bill_unjustified_absence=False)
    total = lambda state, **kw: sum(c.cents for c in  # noqa: E731
                                    pricing.charges_for_state(rule, state, 400, **kw))
    assert total("booked") == total("attended") == 400
    assert total("absent_justified") == 0
    assert total("absent_unjustified") == 0
    assert total("unbooked_presence") == 600
    assert total("cancelled") == 0
    assert total("cancelled", late_cancel=True) == 150
    assert total("waiting") == 0
    billed = TariffRule(amount_cents=400, bill_unjustified_absence=True)
    assert sum(c.cents for c in pricing.charges_for_state(billed, "absent_unjustified",
                                                          400)) == 400


def test_one_euro_canteen_check():
    assert pricing.one_euro_canteen_problems(BRACKETS) == []
    assert len(pricing.one_euro_canteen_problems(BRACKETS[1:])) == 2
    assert pricing.one_euro_canteen_problems((Bracket(500, 101), *BRACKETS[1:]))


def test_tariff_problems_in_french():
    assert pricing.tariff_problems(QF_RULE) == []
    two_open = TariffRule(kind=pricing.QF_BRACKETS, brackets=(Bracket(None, 1),
                                                              Bracket(None, 2)))
    assert any("sans plafond" in p for p in pricing.tariff_problems(two_open))
    inverted = TariffRule(kind=pricing.EFFORT_RATE, effort_rate_percent=Decimal(1),
                          floor_cents=500, ceiling_cents=100)
    assert any("plafond" in p for p in pricing.tariff_problems(inverted))


def test_euros_label():
    assert pricing.euros_label(2310) == "23,10\u00a0€"
    assert pricing.euros_label(123456) == "1\u202f234,56\u00a0€"
    assert pricing.euros_label(-5) == "-0,05\u00a0€"


@given(rules(), who_strategy)
def test_price_is_never_negative_and_whole_cents(rule, who):
    price = pricing.unit_price(rule, who)
    assert isinstance(price.unit_cents, int)
    assert price.unit_cents >= 0
    for state in ("booked", "attended", "absent_unjustified", "absent_justified",
                  "unbooked_presence", "cancelled", "waiting"):
        for charge in pricing.charges_for_state(rule, state, price.unit_cents,
                                                late_cancel=True):
            assert charge.cents >= 0


@given(bracket_sets(), st.integers(0, 5000), st.integers(0, 5000))
def test_brackets_are_monotone_in_qf(brackets, qf_a, qf_b):
    rule = TariffRule(kind=pricing.QF_BRACKETS, brackets=brackets)
    low, high = sorted((qf_a, qf_b))
    assert (pricing.unit_price(rule, Household(quotient=low)).unit_cents
            <= pricing.unit_price(rule, Household(quotient=high)).unit_cents)
    # an unknown QF pays the highest bracket
    assert (pricing.unit_price(rule, Household(quotient=None)).unit_cents
            == max(b.amount_cents for b in brackets))


@given(cents, cents, st.decimals(min_value=Decimal("0.0001"), max_value=10, places=4),
       quotients)
def test_effort_price_between_floor_and_ceiling(floor, extra, rate, quotient):
    rule = TariffRule(kind=pricing.EFFORT_RATE, effort_rate_percent=rate, floor_cents=floor,
                      ceiling_cents=floor + extra)
    price = pricing.unit_price(rule, Household(quotient=quotient)).unit_cents
    assert floor <= price <= floor + extra


@given(rules(), quotients, st.integers(2, 6))
def test_sibling_discount_never_raises_the_price(rule, quotient, rank):
    first = pricing.unit_price(rule, Household(quotient=quotient, sibling_rank=1))
    other = pricing.unit_price(rule, Household(quotient=quotient, sibling_rank=rank))
    assert other.unit_cents <= first.unit_cents


@pytest.mark.parametrize("amount", [0, 1, 99, 100, 2310, 123_456_789])
def test_euros_label_round_trip(amount):
    text = pricing.euros_label(amount).replace("\u202f", "").replace("\u00a0€", "")
    assert int(text.replace(",", "")) == amount
