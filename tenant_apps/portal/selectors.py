"""What the portal's home page shows a family: a few numbers and the next things to do,
read in a fixed number of queries whatever the size of the household."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from tenant_apps.bookings.models import Booking, BookingState
from tenant_apps.families.models import Child, Household
from tenant_apps.messaging.selectors import household_unread_count
from tenant_apps.publications.models import Publication
from tenant_apps.publications.selectors import publications_for_household
from tenant_apps.questionnaires.selectors import questionnaires_for_household

SHOWN_STATES = (BookingState.BOOKED, BookingState.WAITING, BookingState.ATTENDED,
                BookingState.UNBOOKED_PRESENCE)


@dataclass
class ChildToday:
    child: Child
    bookings: list[Booking] = field(default_factory=list)


@dataclass
class Dashboard:
    household: Household
    children: list[ChildToday]
    documents: list[Publication]
    unread_messages: int
    questionnaires_to_answer: int
    unpaid_invoices: list[Any]


def portal_dashboard(*, household: Household, today: datetime.date,
                     unpaid_invoices: list[Any] | None = None) -> Dashboard:
    """The household's children with their bookings of `today`, its three most recent
    documents, unread conversations and questionnaires still to answer."""
    children = [
        ChildToday(child) for child in
        Child.objects.filter(memberships__household=household)
        .order_by("birth_date", "first_name", "pk").distinct()
    ]
    by_child = {entry.child.pk: entry for entry in children}
    for booking in (
        Booking.objects.filter(child_id__in=list(by_child), day=today, state__in=SHOWN_STATES)
        .select_related("service").order_by("service__name")
    ):
        by_child[booking.child_id].bookings.append(booking)
    questionnaires = questionnaires_for_household(household=household, today=today)
    return Dashboard(
        household=household,
        children=children,
        documents=list(publications_for_household(household=household, today=today)[:3]),
        unread_messages=household_unread_count(household=household),
        questionnaires_to_answer=sum(1 for _q, response in questionnaires if response is None),
        unpaid_invoices=unpaid_invoices or [],
    )
