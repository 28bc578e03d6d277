"""Pure order rules: counts per site, day, meal and diet; amendments as differences."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.catering.order_rules import (
    ADULT_MEAL,
    DIETS,
    PLACE_HOLDING,
    BookingRow,
    LineKey,
    diet_category,
    order_apply,
    order_counts,
    order_diff,
    order_table,
    order_total,
)

STATES = sorted(PLACE_HOLDING | {"cancelled", "waiting"})
rows = st.lists(st.builds(
    BookingRow,
    site=st.sampled_from(["École A", "École B", "Centre"]),
    day=st.sampled_from([date(2026, 11, 30), date(2026, 12, 1)]),
    meal=st.sampled_from(["Repas enfant", "Repas ALSH"]),
    diet=st.sampled_from([*DIETS[:-1], "inconnu"]),
    has_pai=st.booleans(),
    state=st.sampled_from(STATES),
), max_size=60)
adults = st.dictionaries(
    st.tuples(st.sampled_from(["École A", "Centre"]), st.just(date(2026, 11, 30))),
    st.integers(min_value=0, max_value=12), max_size=2,
)


@given(rows, adults)
def test_total_is_the_place_holding_bookings_plus_adults(booking_rows, adult_meals):
    counts = order_counts(booking_rows, adult_meals)
    holding = sum(1 for r in booking_rows if r.state in PLACE_HOLDING)
    assert order_total(counts) == holding + sum(adult_meals.values())
    assert all(n > 0 for n in counts.values())
    assert all(key.diet in DIETS for key in counts)
    assert sum(row.total for row in order_table(counts)) == order_total(counts)


@given(rows)
def test_diff_of_an_order_with_itself_is_empty(booking_rows):
    counts = order_counts(booking_rows)
    assert order_diff(counts, counts) == {}


@given(rows, rows)
def test_applying_the_difference_gives_the_new_order(before_rows, after_rows):
    before, after = order_counts(before_rows), order_counts(after_rows)
    diff = order_diff(before, after)
    assert order_apply(before, diff) == after
    assert all(delta != 0 for delta in diff.values())


def test_pai_comes_before_the_usual_diet_and_unknown_diets_are_standard():
    assert diet_category("sans_porc", True) == "pai"
    assert diet_category("vegetarien", False) == "vegetarien"
    assert diet_category("halal", False) == "standard"


def test_adults_are_a_standard_line_of_their_own():
    day = date(2026, 11, 30)
    counts = order_counts(
        [BookingRow("École A", day, "Repas enfant", "sans_porc", False, "booked"),
         BookingRow("École A", day, "Repas enfant", "sans_porc", False, "cancelled")],
        {("École A", day): 3},
    )
    assert counts == {LineKey("École A", day, "Repas enfant", "sans_porc"): 1,
                      LineKey("École A", day, ADULT_MEAL, "standard"): 3}
    table = order_table(counts)
    assert [(r.meal, r.total) for r in table] == [("Repas enfant", 1), (ADULT_MEAL, 3)]
