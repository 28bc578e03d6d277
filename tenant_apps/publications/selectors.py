"""Reads of published documents, for agents and for families.

For families, "missing" and "not for you" answer the same: None, which views turn
into a 404."""

import datetime
from typing import Any

from django.db.models import Q, QuerySet

from tenant_apps.audiences.selectors import audience_q_for_household
from tenant_apps.families.models import Household
from tenant_apps.families.selectors import guardian_household
from tenant_apps.publications.models import Publication, PublicationState


def publication_list(*, state: str = "", today: datetime.date) -> list[Publication]:
    """Every document, newest first, optionally only those in one state."""
    rows = list(
        Publication.objects.select_related("target_school", "target_class", "target_service")
    )
    if state:
        rows = [p for p in rows if p.state_on(today) == state]
    return rows


def publication_get(*, publication_id: int) -> Publication | None:
    return Publication.objects.filter(pk=publication_id).first()


def _online_on(today: datetime.date) -> Q:
    return (
        Q(withdrawn_at__isnull=True, visible_from__lte=today)
        & (Q(visible_until__isnull=True) | Q(visible_until__gte=today))
    )


def publications_for_household(
    *, household: Household, today: datetime.date
) -> QuerySet[Publication]:
    """Documents online today whose audience includes one of the household's children
    (or every family)."""
    return Publication.objects.filter(
        _online_on(today) & audience_q_for_household(household=household)
    ).order_by("-visible_from", "-id")


def publication_get_for_guardian(
    *, user: Any, publication_id: int, today: datetime.date
) -> Publication | None:
    """The document if the account's household may see it today, else None."""
    household = guardian_household(user=user)
    if household is None:
        return None
    return publications_for_household(household=household, today=today).filter(
        pk=publication_id
    ).first()


def publication_counts(*, rows: list[Publication], today: datetime.date) -> dict[str, int]:
    counts = {state.value: 0 for state in PublicationState}
    for row in rows:
        counts[row.state_on(today).value] += 1
    return counts
