"""The seed's password rule (8+ characters, lower, upper, digit, special), acceptable
only because logins are throttled (CNIL 2022)."""

import string
from typing import Any

from django.core.exceptions import ValidationError

SPECIALS = set(string.punctuation + " €£§°²")


def missing_character_classes(password: str) -> list[str]:
    """French names of the character classes the password lacks (empty when it has all)."""
    missing = []
    if not any(c.islower() for c in password):
        missing.append("une minuscule")
    if not any(c.isupper() for c in password):
        missing.append("une majuscule")
    if not any(c.isdigit() for c in password):
        missing.append("un chiffre")
    if not any(c in SPECIALS or not c.isalnum() for c in password):
        missing.append("un caractère spécial")
    return missing


class CharacterClassesValidator:
    def validate(self, password: str, user: Any = None) -> None:
        missing = missing_character_classes(password)
        if missing:
            raise ValidationError("Le mot de passe doit contenir " + ", ".join(missing) + ".")

    def get_help_text(self) -> str:
        return "Au moins une minuscule, une majuscule, un chiffre et un caractère spécial."
