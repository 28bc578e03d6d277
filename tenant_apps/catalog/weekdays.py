"""ISO weekdays (1 = Monday ... 7 = Sunday) as families and agents read them."""

from collections.abc import Iterable

WEEKDAY_SHORT = {1: "Lun", 2: "Mar", 3: "Mer", 4: "Jeu", 5: "Ven", 6: "Sam", 7: "Dim"}
WEEKDAY_LONG = {
    1: "lundi", 2: "mardi", 3: "mercredi", 4: "jeudi", 5: "vendredi", 6: "samedi", 7: "dimanche",
}
WEEKDAY_CHOICES = [(str(n), label) for n, label in WEEKDAY_SHORT.items()]


def weekdays_label(weekdays: Iterable[int]) -> str:
    """"Lun, Mar, Jeu, Ven"; "Lun → Ven" for the five school days in a row; "" for none."""
    days = sorted(set(weekdays))
    if not days:
        return ""
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAY_SHORT[days[0]]} → {WEEKDAY_SHORT[days[-1]]}"
    return ", ".join(WEEKDAY_SHORT[d] for d in days)
