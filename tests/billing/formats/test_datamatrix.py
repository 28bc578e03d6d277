"""DGFiP Datamatrix payload and symbol (finance.md §1.2–§1.8)."""

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pylibdmtx.pylibdmtx import decode

from tenant_apps.billing.formats import dgfip_choices
from tenant_apps.billing.formats.datamatrix import (
    CLE2_ALPHABET,
    DatamatrixInput,
    amount_field,
    datamatrix_modules,
    datamatrix_payload,
    datamatrix_png,
    datamatrix_svg,
    debt_key,
    debt_reference,
    key1,
    key2,
    key3,
    key5,
    pes_cle2_letter,
    two_letter_code,
    weighted_sum,
)

# §1.5, first worked example (Noethys variant), exactly as printed in the spec.
VECTOR_1 = " " * 64 + "042307000259940033000160 75070000000000042150123454995806     4780"
# §1.5, second vector (Bluspark's unit test): keys 5, 3, 2 and 1 only.
VECTOR_2 = " " * 64 + "004009300241940033000160 28170020240000012340350314947806    10000"


def example_input(**overrides: object) -> DatamatrixInput:
    values: dict[str, object] = {
        "establishment_code": "042",
        "product_code": "7067",
        "exercise": 2025,
        "month": 3,
        "debt_number": 4215,
        "poste_comptable": "012345",
        "amount_cents": 4780,
    }
    values.update(overrides)
    return DatamatrixInput(**values)  # type: ignore[arg-type]


def segment(payload: str, first: int, last: int) -> str:
    """Positions first..last, 1-based and inclusive, as the spec numbers them."""
    return payload[first - 1 : last]


def test_worked_example_1_gives_the_exact_payload() -> None:
    payload = datamatrix_payload(example_input())

    assert payload == VECTOR_1
    assert len(payload) == 130


def test_worked_example_1_intermediate_values() -> None:
    inp = example_input()

    assert key5("04230700025") == "9"
    assert key3("9400330001") == "60"
    assert inp.debt.key == 7
    assert inp.debt.key_digits == "07"
    assert inp.debt.cle2 == "G"
    assert key2("0700000000000421501234549") == "75"
    assert key1("    4780") == "95"
    assert int("253000000000004215") % 23 + 1 == 7  # M of §1.5 step 4, recomputed


@pytest.mark.parametrize(
    ("first", "last", "key_first", "key_last", "compute"),
    [
        (65, 75, 76, 76, key5),
        (77, 86, 87, 88, key3),
        (92, 116, 90, 91, key2),
        (123, 130, 117, 118, key1),
    ],
)
@pytest.mark.parametrize("vector", [VECTOR_1, VECTOR_2])
def test_keys_5_3_2_1_recompute_on_both_vectors(
    vector: str, first: int, last: int, key_first: int, key_last: int, compute: object
) -> None:
    assert compute(segment(vector, first, last)) == segment(vector, key_first, key_last)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("cents", "field"),
    [(1, "     001"), (999, "     999"), (30000, "   30000"), (99_999_999, "99999999"),
     (4780, "    4780"), (10, "     010")],
)
def test_amounts_of_section_1_6(cents: int, field: str) -> None:
    payload = datamatrix_payload(example_input(amount_cents=cents))

    assert amount_field(cents) == field
    assert segment(payload, 123, 130) == field
    assert key1(field) == segment(payload, 117, 118)


@pytest.mark.parametrize("cents", [100_000_000, 0, -1])
def test_amount_out_of_range_is_refused_in_french(cents: int) -> None:
    with pytest.raises(ValueError, match="montant|Montant"):
        datamatrix_payload(example_input(amount_cents=cents))


def test_amount_must_be_integer_cents() -> None:
    with pytest.raises(ValueError, match="centimes"):
        datamatrix_payload(example_input(amount_cents=47.8))
    with pytest.raises(ValueError, match="centimes"):
        datamatrix_payload(example_input(amount_cents=True))


@pytest.mark.parametrize(
    ("code", "expected"),
    [("AA", "001"), ("AB", "002"), ("AZ", "026"), ("BA", "027"), ("FE", "135"), ("FF", "136"),
     ("FG", "137"), ("ZZ", "676"), ("93", "093"), ("4", "004"), ("042", "042"), ("ab", "002")],
)
def test_two_letter_code(code: str, expected: str) -> None:
    assert two_letter_code(code) == expected


@pytest.mark.parametrize("code", ["", "A", "ABC", "1234", "A1", "É1", "١٢"])
def test_two_letter_code_rejects_garbage(code: str) -> None:
    with pytest.raises(ValueError, match="invalide"):
        two_letter_code(code)


def test_letter_codes_reach_the_payload() -> None:
    payload = datamatrix_payload(example_input(establishment_code="AB", product_code="BA12"))

    assert segment(payload, 65, 67) == "002"
    assert segment(payload, 69, 71) == "027"


def test_cle2_alphabet_has_no_i_o_z() -> None:
    assert len(CLE2_ALPHABET) == 23
    assert not set("IOZ") & set(CLE2_ALPHABET)
    assert [pes_cle2_letter(k) for k in (1, 7, 23)] == ["A", "G", "Y"]
    with pytest.raises(ValueError):
        pes_cle2_letter(24)


def test_months_10_to_12_follow_the_documented_nv_choice() -> None:
    """§1.7.2: Per is the first digit of the month, the debt key uses the full month."""
    ref = debt_reference(exercise=2025, month=11, debt_number=4215)

    assert ref.period == "1"
    assert ref.key == int("25" + "11" + "00" + "0000000004215") % 23 + 1
    assert dgfip_choices.period_code_is_confirmed(11) is False
    assert dgfip_choices.period_code_is_confirmed(3) is True


def test_payload_inputs_are_validated_with_french_messages() -> None:
    with pytest.raises(ValueError, match="Mois"):
        datamatrix_payload(example_input(month=13))
    with pytest.raises(ValueError, match="dette"):
        datamatrix_payload(example_input(debt_number="12A"))
    with pytest.raises(ValueError, match="dette"):
        datamatrix_payload(example_input(debt_number=0))
    with pytest.raises(ValueError, match="dette"):
        datamatrix_payload(example_input(debt_number=10**13))
    with pytest.raises(ValueError, match="poste"):
        datamatrix_payload(example_input(poste_comptable="1234567"))


inputs = st.builds(
    DatamatrixInput,
    establishment_code=st.one_of(
        st.integers(0, 999).map(str),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    ),
    product_code=st.one_of(
        st.integers(0, 9999).map(lambda n: f"{n:04d}"),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=4),
    ),
    exercise=st.integers(2000, 2099),
    month=st.integers(1, 12),
    debt_number=st.integers(1, 10**13 - 1),
    poste_comptable=st.integers(0, 999_999).map(str),
    amount_cents=st.integers(1, 99_999_999),
)


@given(inputs)
def test_any_payload_is_130_chars_of_the_allowed_charset_and_its_keys_recompute(
    inp: DatamatrixInput,
) -> None:
    payload = datamatrix_payload(inp)

    assert len(payload) == 130
    assert re.fullmatch(r"[0-9 A-Z]{130}", payload)
    assert payload[:64] == " " * 64
    assert segment(payload, 76, 76) == key5(segment(payload, 65, 75))
    assert segment(payload, 87, 88) == key3(segment(payload, 77, 86)) == "60"
    assert segment(payload, 90, 91) == key2(segment(payload, 92, 116))
    assert segment(payload, 117, 118) == key1(segment(payload, 123, 130))
    assert int(segment(payload, 123, 130)) == inp.amount_cents
    assert segment(payload, 89, 89) == segment(payload, 122, 122) == " "


@given(inputs)
def test_payload_carries_the_same_numdette_and_debt_key_as_the_pes(inp: DatamatrixInput) -> None:
    payload = datamatrix_payload(inp)
    ref = debt_reference(exercise=inp.exercise, month=inp.month, debt_number=inp.debt_number)

    assert int(segment(payload, 94, 108)) == int(ref.pes_num_dette) == int(inp.debt_number)
    assert int(segment(payload, 92, 93)) == ref.key
    assert CLE2_ALPHABET.index(ref.cle2) + 1 == int(segment(payload, 92, 93))
    assert segment(payload, 68, 68) == ref.period


@given(st.text(alphabet="0123456789 ", max_size=30))
def test_weighted_sum_counts_from_the_right(digits: str) -> None:
    assert weighted_sum(digits) == sum(
        (len(digits) - i) * (0 if c == " " else int(c)) for i, c in enumerate(digits)
    )
    assert weighted_sum("0" + digits) == weighted_sum(digits)


@given(st.integers(2000, 2099), st.integers(1, 12), st.integers(1, 10**13 - 1))
def test_debt_key_is_between_1_and_23(exercise: int, month: int, number: int) -> None:
    key = debt_key(exercise=exercise, month=month, debt_number=str(number))

    assert 1 <= key <= 23


def test_symbol_is_ecc200_square_36_modules_and_decodes_back() -> None:
    modules = datamatrix_modules(VECTOR_1)
    png = datamatrix_png(VECTOR_1, module_px=6)
    image = Image.open(io.BytesIO(png))

    assert (len(modules), len(modules[0])) == (36, 36)
    assert image.size == ((36 + 4) * 6, (36 + 4) * 6)  # 2-module quiet zone each side
    decoded = decode(image)
    assert [d.data.decode("ascii") for d in decoded] == [VECTOR_1]


def test_svg_has_one_dark_run_per_module_row_segment() -> None:
    svg = datamatrix_svg(VECTOR_1)
    dark = sum(sum(row) for row in datamatrix_modules(VECTOR_1))

    assert svg.startswith("<svg") and 'viewBox="0 0 40 40"' in svg
    widths = [int(w) for w in re.findall(r"h(\d+)v1", svg)]
    assert sum(widths) == dark
