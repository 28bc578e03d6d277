"""Slug and schema-name rules (pure), with properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenants.naming import (
    RESERVED_SLUGS,
    SCHEMA_PREFIX,
    InvalidSlug,
    schema_name_for,
    validate_insee_code,
    validate_slug,
)

slug_part = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
valid_slugs = st.builds(
    lambda first, parts: "-".join([first, *parts]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6),
    st.lists(slug_part, max_size=3),
).filter(lambda s: len(s) <= 40 and s not in RESERVED_SLUGS)


@given(valid_slugs)
def test_valid_slugs_map_to_prefixed_identifier_schema(slug):
    schema = schema_name_for(slug)
    assert schema.startswith(SCHEMA_PREFIX)
    assert schema.replace("_", "").isalnum()
    assert len(schema) <= 63  # PostgreSQL identifier limit


@given(valid_slugs, valid_slugs)
def test_schema_names_never_collide(a, b):
    if a != b:
        assert schema_name_for(a) != schema_name_for(b)


@given(st.text(max_size=50))
def test_any_string_is_either_valid_or_refused_in_french(text):
    try:
        assert validate_slug(text) == text
    except InvalidSlug as exc:
        assert str(exc)  # a French sentence for the user
    else:
        assert text[0].isalpha() and text == text.lower() and "--" not in text


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "Lannion",
        "lannion_",
        "-lannion",
        "lannion-",
        "la--nion",
        "1lannion",
        "ops",
        "saint-brieuc'",
        "é",
        "a" * 41,
    ],
)
def test_bad_slugs_are_refused(slug):
    with pytest.raises(InvalidSlug):
        validate_slug(slug)


@pytest.mark.parametrize("code", ["22113", "2A004", "2B033"])
def test_insee_codes(code):
    assert validate_insee_code(code) == code


@pytest.mark.parametrize("code", ["2211", "221134", "2C004", "abcde", ""])
def test_bad_insee_codes(code):
    with pytest.raises(InvalidSlug):
        validate_insee_code(code)
