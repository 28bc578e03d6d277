"""The "À partir d'une phrase" rule of the password page, mirrored from
static/portal/password.js (the browser builds the password; this copy documents the rule
and lets the tests check that both agree).

The sentence (NFC) is cut at spaces and apostrophes. From each word we keep, in order:
its digits (Unicode Nd) and its punctuation and symbols (Unicode P*, S*), plus its first
letter when the word has no digit ("3D" gives "3"). The initial of the last word that
gave one is then put in upper case, so a sentence typed in lower case still yields an
upper-case letter: "Mon chat Félix a 3 ans et adore le lait !" -> "McFa3aealL!".
Whatever comes out, the server validates it like any other password."""

import re
import unicodedata

SEPARATORS = re.compile(r"[\s'\u2019]+")


def _is_digit(char: str) -> bool:
    return unicodedata.category(char) == "Nd"


def _is_kept_sign(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] == "L"


def password_from_sentence(sentence: str) -> str:
    """The password the sentence gives (see the module docstring)."""
    out: list[str] = []
    last_initial = -1
    for token in SEPARATORS.split(unicodedata.normalize("NFC", sentence)):
        has_digit = any(_is_digit(c) for c in token)
        initial_taken = False
        for char in token:
            if _is_digit(char) or _is_kept_sign(char):
                out.append(char)
            elif _is_letter(char) and not has_digit and not initial_taken:
                initial_taken = True
                last_initial = len(out)
                out.append(char)
    if last_initial >= 0:
        out[last_initial] = out[last_initial].upper()
    return "".join(out)
