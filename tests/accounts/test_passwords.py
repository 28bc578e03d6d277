import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.accounts.passwords import CharacterClassesValidator, missing_character_classes


@given(st.text(alphabet=string.ascii_letters + string.digits + "!?-_.", min_size=0, max_size=30))
def test_missing_classes_are_exactly_those_absent(password):
    missing = missing_character_classes(password)
    assert ("une minuscule" in missing) == (not any(c.islower() for c in password))
    assert ("une majuscule" in missing) == (not any(c.isupper() for c in password))
    assert ("un chiffre" in missing) == (not any(c.isdigit() for c in password))
    assert ("un caractère spécial" in missing) == (not any(c in "!?-_." for c in password))


def test_validator_explains_in_french():
    with pytest.raises(Exception, match="une majuscule, un chiffre, un caractère spécial"):
        CharacterClassesValidator().validate("motdepasse")
    CharacterClassesValidator().validate("Mot-de-passe1")
