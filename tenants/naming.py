"""Pure rules for commune slugs, schema names and hostnames (no database access)."""

import re

SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SLUG_MAX_LENGTH = 40
# Hostnames we route ourselves, and PostgreSQL's own prefixes: never a commune slug.
RESERVED_SLUGS = frozenset(
    {
        "ops",
        "www",
        "api",
        "parents",
        "admin",
        "static",
        "media",
        "public",
        "mail",
        "smtp",
        "template",
    }
)
SCHEMA_PREFIX = "c_"
INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")


class InvalidSlug(ValueError):
    """The slug cannot name a commune; the message is French, for the user."""


def validate_slug(slug: str) -> str:
    """Return the slug if it can name a commune (lowercase letters, digits, single dashes,
    starting with a letter, at most 40 characters, not reserved); raise InvalidSlug otherwise."""
    if not slug:
        raise InvalidSlug("L'identifiant est obligatoire.")
    if len(slug) > SLUG_MAX_LENGTH:
        raise InvalidSlug(f"L'identifiant dépasse {SLUG_MAX_LENGTH} caractères.")
    if not SLUG_RE.match(slug):
        raise InvalidSlug(
            "L'identifiant ne peut contenir que des lettres minuscules non accentuées, "
            "des chiffres et des tirets simples, et doit commencer par une lettre."
        )
    if slug in RESERVED_SLUGS:
        raise InvalidSlug(f"« {slug} » est réservé.")
    return slug


def schema_name_for(slug: str) -> str:
    """The PostgreSQL schema of a commune: a fixed prefix, dashes as underscores.

    The prefix keeps commune schemas apart from `public`, `pg_*` and the template, and the
    mapping is injective because slugs never contain underscores."""
    return SCHEMA_PREFIX + validate_slug(slug).replace("-", "_")


def validate_insee_code(code: str) -> str:
    """Five digits, or 2A/2B followed by three digits for Corsica."""
    if not INSEE_RE.match(code):
        raise InvalidSlug("Le code INSEE compte cinq caractères (ex. 22113, 2A004).")
    return code


def hostname_for(slug: str, base_hostname: str) -> str:
    return f"{slug}.{base_hostname}"
