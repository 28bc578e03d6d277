"""French display of money and dates on billing documents."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.billing.formats import french


@pytest.mark.parametrize(
    ("cents", "text"),
    [(2310, "23,10 €"), (1, "0,01 €"), (0, "0,00 €"), (123450, "1 234,50 €"),
     (99_999_999, "999 999,99 €"), (-310, "-3,10 €")],
)
def test_euros(cents: int, text: str) -> None:
    assert french.euros(cents).replace(french.NNBSP, " ").replace(french.NBSP, " ") == text


@given(st.integers(-10**12, 10**12))
def test_euros_keeps_every_cent(cents: int) -> None:
    digits = french.euros(cents).replace(french.NNBSP, "").replace(french.NBSP + "€", "")

    assert int(digits.replace(",", "")) == cents


def test_dates() -> None:
    assert french.day_fr(date(2019, 5, 13)) == "lun. 13 mai 2019"
    assert french.date_fr(date(2025, 6, 1)) == "1er juin 2025"
    assert french.date_short(date(2025, 6, 1)) == "01/06/2025"
    assert french.month_label(2025, 8) == "août 2025"


def test_quantity() -> None:
    assert french.quantity(3) == "3"
    assert french.quantity(Decimal("1.50")) == "1,5"
    assert french.quantity(Decimal("2.00")) == "2"


def test_plain_upper_for_dgfip_files() -> None:
    assert french.plain_upper("Élodie  Cœur-Ça\n") == "ELODIE COEUR-CA"
    assert french.plain_upper("Ñandú Ångström", 8) == "NANDU AN"
