"""Gap-free numbers per commune, year and series (invoices, credit notes, receipts, deposits).

The counter row is locked FOR UPDATE in the caller's transaction: two transactions
numbering at once wait for each other, and a rolled-back transaction gives its numbers
back (the counter update is rolled back with it). Hence no gaps and no duplicates."""

from django.db import transaction

from tenant_apps.billing.models import InvoiceNumberCounter

PREFIXES = {"invoice": "F", "credit_note": "A", "receipt": "R", "deposit": "D"}


def format_number(series: str, year: int, value: int) -> str:
    return f"{PREFIXES[series]}{year}-{value:06d}"


def numbers_take(*, series: str, year: int, count: int) -> list[int]:
    """Reserve the next `count` values of a series; must run inside a transaction."""
    if count <= 0:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers_take must run inside transaction.atomic")
    # ON CONFLICT DO NOTHING: two first numberings of a year never collide.
    InvoiceNumberCounter.objects.bulk_create(
        [InvoiceNumberCounter(year=year, series=series)], ignore_conflicts=True
    )
    counter = InvoiceNumberCounter.objects.select_for_update().get(year=year, series=series)
    first = counter.last_value + 1
    counter.last_value += count
    counter.save(update_fields=["last_value"])
    return list(range(first, first + count))


def number_take(*, series: str, year: int) -> tuple[int, str]:
    (value,) = numbers_take(series=series, year=year, count=1)
    return value, format_number(series, year, value)
