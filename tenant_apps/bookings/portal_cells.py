"""How a parent sees one cell of the weekly grid: a pure mapping from the cell's status
to a label, an icon, a colour and the action a tap does (book, cancel or nothing).

The state must be readable without colour: every cell has an icon and a text label
(shown on hover and focus, and read by screen readers)."""

from dataclasses import dataclass

from tenant_apps.bookings.rules import (
    BOOK_DEADLINE_PASSED,
    BOOKED,
    INVOICED,
    WAITING,
    CellStatus,
)

BOOK = "reserver"
CANCEL = "annuler"

# Attendance states: (label, icon).
STATE_LABELS = {
    "attended": ("Présent", "check"),
    "absent_justified": ("Absent (justifié)", "dash"),
    "absent_unjustified": ("Absent (non justifié)", "dash"),
    "unbooked_presence": ("Présent sans réservation", "check"),
}
OTHER_HOUSEHOLD = "Ce jour relève de l'autre foyer (garde partagée)."


@dataclass(frozen=True)
class CellView:
    label: str  # short state, e.g. "Réservé"
    icon: str  # name of an icon in templates/bookings/portal/_icon.html
    tone: str  # CSS modifier: booked, waiting, free, locked, off, done
    action: str  # BOOK, CANCEL or "" when a tap does nothing
    hint: str  # the longer French explanation (title and screen readers)


def cell_view(status: CellStatus, *, own_day: bool) -> CellView:
    """Present `status` to a parent; `own_day` is False when the day belongs to the
    other household of a child in shared custody (then nothing can be done here)."""
    state = status.state
    if state in STATE_LABELS:
        label, icon = STATE_LABELS[state]
        return CellView(label, icon, "done", "", status.reason)
    if status.reason == INVOICED:
        return CellView("Facturé", "euro", "done", "", status.reason)
    if not own_day and state not in (BOOKED, WAITING):
        return CellView("Autre foyer", "dash", "off", "", OTHER_HOUSEHOLD)
    if state == BOOKED:
        if status.can_cancel:
            return CellView("Réservé", "check", "booked", CANCEL,
                            "Réservé — touchez pour annuler")
        return CellView("Réservé", "lock", "booked locked", "", status.reason)
    if state == WAITING:
        if status.can_cancel:
            return CellView("Liste d'attente", "hourglass", "waiting", CANCEL,
                            "Sur liste d'attente — touchez pour vous retirer")
        return CellView("Liste d'attente", "lock", "waiting locked", "", status.reason)
    if status.can_book:
        if status.book_state == WAITING:
            return CellView("Complet", "plus", "free full", BOOK,
                            "Complet — touchez pour vous inscrire sur liste d'attente")
        return CellView("Libre", "plus", "free", BOOK, "Libre — touchez pour réserver")
    if status.reason == BOOK_DEADLINE_PASSED:
        return CellView("Verrouillé", "lock", "locked", "", status.reason)
    return CellView("Pas de service", "dash", "off", "", status.reason)
