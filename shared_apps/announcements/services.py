"""Writes of announcements, each recorded in the operators' audit log."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shared_apps.announcements.models import Announcement, AnnouncementKind
from shared_apps.audit.services import operator_action_record
from tenants.models import Commune


@transaction.atomic
def announcement_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    body: str,
    starts_at: datetime,
    ends_at: datetime,
    all_communes: bool = True,
    communes: Sequence[Commune] = (),
    show_on_portal: bool = False,
) -> Announcement:
    """Publish a message to every commune's back office, or to the chosen communes only."""
    if kind not in AnnouncementKind.values:
        raise ValidationError("Type d'annonce inconnu.")
    if not title.strip() or not body.strip():
        raise ValidationError("Le titre et le message sont obligatoires.")
    if ends_at <= starts_at:
        raise ValidationError("La fin doit être postérieure au début.")
    if not all_communes and not communes:
        raise ValidationError("Choisissez au moins une commune, ou « toutes les communes ».")
    announcement = Announcement.objects.create(
        kind=kind,
        title=title.strip(),
        body=body.strip(),
        all_communes=all_communes,
        show_on_portal=show_on_portal,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by_email=getattr(actor, "email", "") or "",
    )
    slugs: list[str] = []
    if not all_communes:
        announcement.communes.set(communes)
        slugs = sorted(c.slug for c in communes)
    operator_action_record(
        actor=actor,
        action="announcement.create",
        detail={"announcement": announcement.pk, "title": announcement.title, "communes": slugs},
    )
    return announcement


@transaction.atomic
def announcement_end(*, actor: Any, announcement: Announcement) -> Announcement:
    """Stop showing an announcement now; one not yet started is withdrawn the same way."""
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    now = timezone.now()
    if locked.ends_at <= now:
        raise ValidationError("Cette annonce est déjà terminée.")
    if locked.starts_at >= now:
        locked.starts_at = now - timedelta(seconds=1)
    locked.ends_at = now
    locked.save(update_fields=["starts_at", "ends_at"])
    operator_action_record(
        actor=actor,
        action="announcement.end",
        detail={"announcement": locked.pk, "title": locked.title},
    )
    return locked
