"""What a caterer order holds: pure functions over plain rows (no database).

An order counts meals per site (the child's school that day), day, meal type (the
booked service, or "Repas adulte") and diet. The diet of a child with a PAI is always
"pai" (allergy or individual plan: the caterer must know, whatever the usual diet);
otherwise the child's diet, and "standard" for an unknown one. Only bookings in a
place-holding state count (booked, attended, absent, unbooked presence); cancelled and
waiting-list rows never do. Adults' meals are added per site and day as configured.

An amendment is the difference between two orders: `order_diff(a, b)` holds, per line,
the non-zero change from a to b, so `order_apply(a, order_diff(a, b)) == b`."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

STANDARD = "standard"
PAI = "pai"
DIETS = ("standard", "sans_porc", "sans_viande", "vegetarien", PAI)
DIET_LABELS = {
    "standard": "Standard",
    "sans_porc": "Sans porc",
    "sans_viande": "Sans viande",
    "vegetarien": "Végétarien",
    PAI: "PAI / allergie",
}
ADULT_MEAL = "Repas adulte"
PLACE_HOLDING = frozenset(
    {"booked", "attended", "absent_justified", "absent_unjustified", "unbooked_presence"}
)


@dataclass(frozen=True)
class BookingRow:
    """One booking as the order sees it."""

    site: str
    day: date
    meal: str
    diet: str
    has_pai: bool
    state: str


@dataclass(frozen=True, order=True)
class LineKey:
    site: str
    day: date
    meal: str
    diet: str


Counts = dict[LineKey, int]


def diet_category(diet: str, has_pai: bool) -> str:
    """The order's diet column for a child: "pai" first, then the known diets."""
    if has_pai:
        return PAI
    return diet if diet in DIETS else STANDARD


def order_counts(
    rows: Iterable[BookingRow], adults: Mapping[tuple[str, date], int] | None = None
) -> Counts:
    """Meals per line; lines with no meal are left out."""
    counts: Counter[LineKey] = Counter()
    for row in rows:
        if row.state in PLACE_HOLDING:
            counts[LineKey(row.site, row.day, row.meal, diet_category(row.diet, row.has_pai))] += 1
    for (site, day), number in (adults or {}).items():
        if number > 0:
            counts[LineKey(site, day, ADULT_MEAL, STANDARD)] += number
    return {key: n for key, n in counts.items() if n > 0}


def order_total(counts: Counts) -> int:
    return sum(counts.values())


def order_diff(before: Counts, after: Counts) -> dict[LineKey, int]:
    """Per line, `after - before`, without the lines that did not change."""
    keys = set(before) | set(after)
    changes = {key: after.get(key, 0) - before.get(key, 0) for key in keys}
    return {key: delta for key, delta in changes.items() if delta != 0}


def order_apply(counts: Counts, diff: Mapping[LineKey, int]) -> Counts:
    """`counts` changed by `diff`; a line brought to zero disappears."""
    result = dict(counts)
    for key, delta in diff.items():
        value = result.get(key, 0) + delta
        if value < 0:
            raise ValueError(f"the amendment removes more meals than ordered on {key}")
        if value:
            result[key] = value
        else:
            result.pop(key, None)
    return result


@dataclass(frozen=True)
class TableRow:
    site: str
    meal: str
    by_diet: tuple[int, ...]  # in the order of DIETS
    total: int


def order_table(counts: Counts) -> list[TableRow]:
    """One row per site and meal type with a column per diet (for the PDF, CSV, pages)."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for key, n in counts.items():
        cells = grouped.setdefault((key.site, key.meal), [0] * len(DIETS))
        cells[DIETS.index(key.diet) if key.diet in DIETS else 0] += n
    return [
        TableRow(site=site, meal=meal, by_diet=tuple(cells), total=sum(cells))
        for (site, meal), cells in sorted(grouped.items(), key=lambda item: _row_order(item[0]))
    ]


def _row_order(key: tuple[str, str]) -> tuple[str, bool, str]:
    site, meal = key
    return (site, meal == ADULT_MEAL, meal)


def diff_lines(diff: Mapping[LineKey, int]) -> list[tuple[LineKey, int]]:
    """Changes sorted by site, meal and diet (for display)."""
    return sorted(diff.items(), key=lambda item: item[0])


def encode_key(key: LineKey) -> str:
    """A line's key as stored in JSON (the day is the order's own)."""
    return f"{key.site}|{key.meal}|{key.diet}"


def decode_key(text: str, day: date) -> LineKey:
    site, meal, diet = text.rsplit("|", 2)
    return LineKey(site, day, meal, diet)
