"""Announcements are one of the few shared reference tables tenant pages may read."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from shared_apps.announcements.models import Announcement


def announcements_active_for(
    *, commune_id: int, audience: str = "backoffice"
) -> QuerySet[Announcement]:
    """Current announcements for one commune; audience 'portal' keeps those shown to families."""
    now = timezone.now()
    qs = Announcement.objects.filter(starts_at__lte=now, ends_at__gt=now).filter(
        Q(all_communes=True) | Q(communes__id=commune_id)
    )
    if audience == "portal":
        qs = qs.filter(show_on_portal=True)
    return qs.distinct().order_by("-starts_at")
