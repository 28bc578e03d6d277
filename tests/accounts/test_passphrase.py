"""The "À partir d'une phrase" rule (mirrored in static/portal/password.js) and the
password rule the server applies to every way of creating a password."""

import string
import unicodedata

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.accounts.passphrase import password_from_sentence
from tenant_apps.accounts.passwords import missing_character_classes

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçôABCDEFGHIJKLMNOPQRSTUVWXYZÉ0123456789",
                min_size=1, max_size=9)
SIGNS = st.sampled_from(list("!?.,;:-+=@#%&*()€$"))
SENTENCES = st.lists(st.one_of(WORDS, SIGNS), min_size=0, max_size=14).map(" ".join)


@pytest.mark.parametrize(
    ("sentence", "password"),
    [
        ("Mon chat Félix a 3 ans et adore le lait !", "McFa3aealL!"),
        ("Le nouveau portail de connexion 3D Ouest !", "Lnpdc3O!"),
        ("J'aime l'école, c'est 2 fois mieux.", "Jalé,ce2fM."),
        ("", ""),
        ("   ", ""),
    ],
)
def test_examples(sentence, password):
    assert password_from_sentence(sentence) == password


@given(SENTENCES)
def test_digits_and_signs_are_kept_in_order(sentence):
    password = password_from_sentence(sentence)
    kept = [c for c in sentence if c.isdigit() or unicodedata.category(c)[0] in "PS"]
    assert [c for c in password if not c.isalpha()] == kept


@given(SENTENCES)
def test_one_letter_per_word_without_digits_and_no_spaces(sentence):
    password = password_from_sentence(sentence)
    words = [w for w in sentence.split() if any(c.isalpha() for c in w)
             and not any(c.isdigit() for c in w)]
    assert sum(c.isalpha() for c in password) == len(words)
    assert not any(c.isspace() for c in password)
    letters = [c for c in password if c.isalpha()]
    if letters:
        assert letters[-1].isupper() or not letters[-1].upper().isupper()


PASSWORDS = st.text(
    alphabet=string.ascii_letters + string.digits + "!?-_.€ éÉ", min_size=0, max_size=24
)


@pytest.mark.django_db
@given(PASSWORDS)
def test_the_server_accepts_exactly_the_checklist(password):
    """8 characters minimum, a lowercase, an uppercase, a digit, a special character."""
    expected = len(password) >= 8 and not missing_character_classes(password)
    try:
        validate_password(password)
    except ValidationError:
        accepted = False
    else:
        accepted = True
    assert accepted == expected
    assert expected == (
        len(password) >= 8
        and any(c.islower() for c in password)
        and any(c.isupper() for c in password)
        and any(c.isdigit() for c in password)
        and any(not c.isalnum() for c in password)
    )
