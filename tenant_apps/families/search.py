"""Accent- and case-insensitive matching that the trigram indexes can serve.

`public.f_unaccent` is the IMMUTABLE wrapper of unaccent created by the tenants app's
migration 0004 (public schema). Indexes are built on `f_unaccent(column)` with
`gin_trgm_ops`, and the `unaccent_icontains` lookup writes
`f_unaccent(column) ILIKE f_unaccent('%term%')`, which such an index answers."""

import re
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.functions import Concat
from django.db.models.sql.compiler import SQLCompiler


class Unaccented(models.Func):
    """`public.f_unaccent(expression)`: the text without its accents."""

    function = "public.f_unaccent"
    output_field = models.TextField()


def trigram_index(field: str, name: str) -> Any:
    """A GIN trigram index on the unaccented column (used by `unaccent_icontains`)."""
    from django.contrib.postgres.indexes import GinIndex, OpClass

    return GinIndex(OpClass(Unaccented(models.F(field)), name="gin_trgm_ops"), name=name)


class Digits(models.Func):
    """The digits of a phone column: "06 12 34" -> "061234" (immutable, so indexable)."""

    function = "regexp_replace"
    template = "%(function)s(%(expressions)s, '\\D', '', 'g')"
    output_field = models.TextField()


def phone_digits_expression() -> models.Func:
    """Digits of the three phone columns, space-separated, for one indexed column."""
    return Concat(
        Digits(models.F("phone_mobile")),
        models.Value(" "),
        Digits(models.F("phone_home")),
        models.Value(" "),
        Digits(models.F("phone_work")),
        output_field=models.TextField(),
    )


def like_escape(term: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", term)


@models.CharField.register_lookup
class UnaccentIContains(models.Lookup):
    """`field__unaccent_icontains="helene"` matches "Hélène", "HÉLÈNE", "Marie-Hélène"."""

    lookup_name = "unaccent_icontains"

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        return ("%s", [f"%{like_escape(str(value))}%"])

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return (
            f"public.f_unaccent({lhs}) ILIKE public.f_unaccent({rhs})",
            [*lhs_params, *rhs_params],
        )


@models.CharField.register_lookup
class UnaccentIStartsWith(UnaccentIContains):
    """`field__unaccent_istartswith="ga"`: for words too short for trigrams (under three
    letters) a prefix pattern still gives the index trigrams to work with."""

    lookup_name = "unaccent_istartswith"

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        return ("%s", [f"{like_escape(str(value))}%"])


def digits(text: str) -> str:
    """The digits of a phone number as typed ("06 12-34" -> "061234")."""
    return re.sub(r"\D", "", text)
