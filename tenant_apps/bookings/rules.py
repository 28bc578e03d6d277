"""Booking rules for one cell (child × service × day): pure functions over plain values.

`cell_status` says whether the cell can be booked or cancelled now, by a family or by
an agent, and why not (a French reason). Agents may act past the deadlines (the action
is then flagged `past_deadline` and logged); nobody changes an invoiced booking.
`household_for_day` tells which household a day belongs to in shared custody."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from tenant_apps.bookings.calendar import public_holidays_around
from tenant_apps.catalog.deadlines import deadline_for

BOOKED = "booked"
CANCELLED = "cancelled"
WAITING = "waiting"
# States of attendance: what happened; booking and cancelling no longer apply.
ATTENDANCE_STATES = frozenset(
    {"attended", "absent_justified", "absent_unjustified", "unbooked_presence"}
)

NOT_REGISTERED = "L'enfant n'est pas inscrit à cette prestation pour ce jour."
NOT_RUNNING = "La prestation n'a pas lieu ce jour-là."
CLOSED = "La prestation est fermée ce jour-là pour la classe de l'enfant."
INVOICED = "Cette réservation est déjà facturée : elle ne peut plus être modifiée."
BOOK_DEADLINE_PASSED = "La date limite de réservation est dépassée."
CANCEL_DEADLINE_PASSED = "La date limite d'annulation est dépassée."
ATTENDANCE_MARKED = "La présence a déjà été pointée pour ce jour."
ALREADY_BOOKED = "L'enfant est déjà réservé ce jour-là."
ALREADY_WAITING = "L'enfant est déjà sur liste d'attente ce jour-là."
NOTHING_TO_CANCEL = "Il n'y a pas de réservation à annuler ce jour-là."


@dataclass(frozen=True)
class Deadlines:
    book: datetime
    cancel: datetime


def deadlines_for_day(
    day: date,
    *,
    book_until: time, book_days_before: int, book_day_count: str,
    cancel_until: time, cancel_days_before: int, cancel_day_count: str,
) -> Deadlines:
    """Booking and cancelling deadlines of `day`; working days skip weekends and French
    public holidays (of the day's year and the year before: enough for the longest rule,
    60 working days). Closure periods are not skipped: a closure stops a service for some
    classes, but the commune's offices still work that day, and a deadline must not move
    when an agent creates or edits a closure after families have planned around it."""
    holidays = public_holidays_around(day)
    return Deadlines(
        book=deadline_for(day, book_until, book_days_before, book_day_count, holidays),
        cancel=deadline_for(day, cancel_until, cancel_days_before, cancel_day_count, holidays),
    )


@dataclass(frozen=True)
class CellStatus:
    """What can be done on one cell now. `state` is "" when there is no booking.

    `can_book`: booking is allowed; it gives `book_state` ("booked", or "waiting"
    when no place is left). `can_cancel`: the booking or waiting-list entry can be
    cancelled. `locked`: the deadline of the relevant action has passed (lock icon).
    `past_deadline`: an agent acting now acts past that deadline (logged).
    `reason`: in French, why the relevant action is refused ("" when allowed)."""

    state: str
    can_book: bool
    can_cancel: bool
    book_state: str
    locked: bool
    past_deadline: bool
    reason: str


def cell_status(
    *,
    state: str,
    invoiced: bool,
    registered: bool,
    runs: bool,
    closed: bool,
    places_left: int | None,
    now: datetime,
    deadlines: Deadlines,
    is_agent: bool,
) -> CellStatus:
    """Decide one cell. `state` is the current booking state ("" or "cancelled" when
    none is held); `places_left` is None when the service has no capacity limit."""
    book_state = WAITING if places_left is not None and places_left <= 0 else BOOKED
    holding = state in (BOOKED, WAITING)
    if holding:
        locked = now >= deadlines.cancel
    else:
        locked = now >= deadlines.book

    def refuse(reason: str) -> CellStatus:
        return CellStatus(state, False, False, book_state, locked, False, reason)

    if invoiced:
        return refuse(INVOICED)
    if state in ATTENDANCE_STATES:
        return refuse(ATTENDANCE_MARKED)
    if holding:
        if locked and not is_agent:
            return refuse(CANCEL_DEADLINE_PASSED)
        return CellStatus(state, False, True, book_state, locked, locked, "")
    if not registered:
        return refuse(NOT_REGISTERED)
    if not runs:
        return refuse(NOT_RUNNING)
    if closed:
        return refuse(CLOSED)
    if locked and not is_agent:
        return refuse(BOOK_DEADLINE_PASSED)
    return CellStatus(state, True, False, book_state, locked, locked, "")


def refusal_to_book(status: CellStatus) -> str:
    """The French reason a booking request on this cell is refused ("" if allowed)."""
    if status.can_book:
        return ""
    if status.state == BOOKED:
        return ALREADY_BOOKED
    if status.state == WAITING:
        return ALREADY_WAITING
    return status.reason


def refusal_to_cancel(status: CellStatus) -> str:
    """The French reason a cancel request on this cell is refused ("" if allowed)."""
    if status.can_cancel:
        return ""
    if status.state in ("", CANCELLED) and status.reason != INVOICED:
        return NOTHING_TO_CANCEL
    return status.reason


FULL = "full"
EVEN_WEEKS = "even_weeks"
ODD_WEEKS = "odd_weeks"
AGREED = "agreed"


@dataclass(frozen=True)
class AgreedRange:
    """An agent's assignment of a child's days (agreed custody): from `starts_on` to
    `ends_on` inclusive, on `weekdays` (ISO, 1 = Monday; empty: every day)."""

    household_id: int
    starts_on: date
    ends_on: date
    weekdays: frozenset[int] = frozenset()

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on and (
            not self.weekdays or day.isoweekday() in self.weekdays
        )


def agreed_household(
    agreed: Sequence[AgreedRange], day: date, member_ids: Collection[int]
) -> int | None:
    """The household an agent assigned `day` to: the last range of `agreed` (oldest
    first) that covers the day and whose household is still one of `member_ids`; None
    when no such range covers it."""
    for assignment in reversed(agreed):
        if assignment.household_id in member_ids and assignment.covers(day):
            return assignment.household_id
    return None


def household_for_day(
    memberships: Sequence[tuple[int, str]], day: date, registering_household_id: int,
    agreed: Sequence[AgreedRange] = (),
) -> int:
    """Which household `day` belongs to, from (household id, custody pattern) pairs.

    An agent's assignment (`agreed`, oldest first, see `agreed_household`) covering the
    day decides first: it is the most specific decision, and may override a pattern (a
    holiday fortnight in alternate weeks). Otherwise: full custody is always that
    household; even/odd weeks go by the parity of the ISO week number of `day`; "agreed"
    days nobody assigned, and any day no pattern covers, go to the household that
    registered the child. When several patterns match, the registering household wins,
    else the lowest id."""
    assigned = agreed_household(agreed, day, {household_id for household_id, _ in memberships})
    if assigned is not None:
        return assigned
    even = day.isocalendar().week % 2 == 0
    matches = sorted(
        household_id
        for household_id, custody in memberships
        if custody == FULL
        or (custody == EVEN_WEEKS and even)
        or (custody == ODD_WEEKS and not even)
    )
    if not matches or registering_household_id in matches:
        return registering_household_id
    return matches[0]


@dataclass(frozen=True)
class RestoreCandidate:
    """A booking a closure removed from one service-day, to be put back. `queued_at` is
    its place in the original order: when it was booked, or put on the waiting list."""

    key: int
    previous_state: str
    queued_at: datetime


def plan_restore(
    candidates: Sequence[RestoreCandidate], *, places_left: int | None,
    waiting: Sequence[tuple[int, datetime]] = (),
) -> dict[int, str]:
    """The state each candidate of one service-day gets back, and the waiting entries
    (`waiting`: key and queue time of the entries already on the list) a free place goes to.

    Candidates that held a place take the free places in their original order, keeping
    their previous state (booked, or an attendance state); beyond capacity they join the
    waiting list at their original rank. Then any place still free goes to the waiting
    list in queue order (earliest first; ties by key), the candidates that were waiting
    among them. `places_left` None: no capacity limit. Returns key → new state for every
    candidate and for each promoted waiting entry."""
    free = places_left
    result: dict[int, str] = {}
    queue: list[tuple[datetime, int]] = [(at, key) for key, at in waiting]
    for candidate in sorted(candidates, key=lambda c: (c.queued_at, c.key)):
        if candidate.previous_state == WAITING:
            queue.append((candidate.queued_at, candidate.key))
            result[candidate.key] = WAITING
        elif free is None or free > 0:
            result[candidate.key] = candidate.previous_state
            free = None if free is None else free - 1
        else:
            queue.append((candidate.queued_at, candidate.key))
            result[candidate.key] = WAITING
    for _at, key in sorted(queue):
        if free is not None and free <= 0:
            break
        result[key] = BOOKED
        free = None if free is None else free - 1
    return result
