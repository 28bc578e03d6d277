"""The PES debtor's address comes from the invoice's snapshot, postcode or not."""

from tenant_apps.billing.exports import _debtor
from tenant_apps.billing.models import Invoice


def _invoice(address: str) -> Invoice:
    return Invoice(household_id=1, household_name="Foyer Le Gall", household_address=address)


def test_postcode_and_town_are_split():
    debtor = _debtor(_invoice("3 rue des Écoles\n22300 Lannion"), {})
    assert (debtor.postcode, debtor.city) == ("22300", "Lannion")


def test_a_town_without_postcode_stays_the_town():
    debtor = _debtor(_invoice("3 rue des Écoles\nAlphaville"), {})
    assert (debtor.postcode, debtor.city) == ("", "Alphaville")
