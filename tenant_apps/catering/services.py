"""Writes of catering: caterers (administrators), orders and their amendments, resends.

Every order email goes through the outbox in the same transaction as the order version
it carries, with an idempotency key per version (and per resend): a replayed job or a
retried task never sends one twice, and an email waits while SMTP is down."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from tenant_apps.catalog.models import Service
from tenant_apps.catering import documents, order_rules, selectors
from tenant_apps.catering.models import (
    Caterer,
    CatererOrder,
    CatererOrderDispatch,
    CatererOrderLine,
    CatererOrderVersion,
    CatererSite,
    CutoffDayCount,
    DispatchReason,
)
from tenant_apps.catering.schedule_rules import cutoff_at
from tenant_apps.history.models import ChangeAction
from tenant_apps.history.services import change_record, snapshot
from tenant_apps.outbox.models import OutboxStatus
from tenant_apps.outbox.services import outbox_email_enqueue
from tenant_apps.schooling.models import School

CATERER_FIELDS = ["name", "emails", "cutoff_time", "cutoff_days_before", "cutoff_day_count",
                  "active"]
MAX_DAYS_BEFORE = 14


def _email_of(user: Any) -> str:
    return getattr(user, "email", "") or ""


def _clean_caterer(fields: dict[str, Any], *, exclude_pk: int | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = str(fields.get("name") or "").strip()
    if not name:
        errors["name"] = "Indiquez le nom du prestataire."
    elif Caterer.objects.filter(name__iexact=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = "Un prestataire porte déjà ce nom."
    emails = [e.strip().lower() for e in fields.get("emails") or [] if e.strip()]
    if not emails:
        errors["emails"] = "Indiquez au moins un courriel où envoyer les commandes."
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            errors["emails"] = f"Courriel invalide : {email}"
    if not isinstance(fields.get("cutoff_time"), time):
        errors["cutoff_time"] = "Indiquez une heure (HH:MM)."
    days = fields.get("cutoff_days_before")
    if not isinstance(days, int) or not 0 <= days <= MAX_DAYS_BEFORE:
        errors["cutoff_days_before"] = f"Entre 0 et {MAX_DAYS_BEFORE} jours."
    if fields.get("cutoff_day_count") not in CutoffDayCount.values:
        errors["cutoff_day_count"] = "Choisissez jours calendaires ou jours ouvrés."
    if errors:
        raise ValidationError(errors)
    return {**fields, "name": name, "emails": sorted(set(emails))}


@transaction.atomic
def caterer_save(
    *,
    caterer: Caterer | None,
    sites: Sequence[tuple[School, int]],
    services: Iterable[Service],
    acting_user: Any,
    **fields: Any,
) -> Caterer:
    """Create (caterer=None) or update a caterer: its fields (CATERER_FIELDS), the sites it
    delivers with their daily adults' meals, and the services counted as meals."""
    unknown = set(fields) - set(CATERER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    fields.setdefault("active", True)
    cleaned = _clean_caterer(fields, exclude_pk=caterer.pk if caterer else None)
    services = list(services)
    if not sites:
        raise ValidationError({"sites": "Cochez au moins un site livré."})
    if not services:
        raise ValidationError({"services": "Cochez au moins une prestation comptée comme repas."})
    before = snapshot(caterer, CATERER_FIELDS) if caterer else None
    if caterer is None:
        caterer = Caterer.objects.create(**cleaned)
        action = ChangeAction.CREATE
    else:
        for name, value in cleaned.items():
            setattr(caterer, name, value)
        caterer.save()
        action = ChangeAction.UPDATE
    caterer.services.set(services)
    wanted = {school.pk: adults for school, adults in sites}
    CatererSite.objects.filter(caterer=caterer).exclude(school_id__in=list(wanted)).delete()
    for school_id, adults in wanted.items():
        CatererSite.objects.update_or_create(
            caterer=caterer, school_id=school_id, defaults={"adult_meals": max(0, adults)}
        )
    change_record(
        actor=acting_user, entity="caterer", entity_id=caterer.pk, action=action,
        before=before, after=snapshot(caterer, CATERER_FIELDS),
        summary=f"Prestataire de repas « {caterer.name} » enregistré",
    )
    from tenant_apps.catering.scheduling import catering_schedule_publish

    transaction.on_commit(catering_schedule_publish)
    return caterer


@dataclass(frozen=True)
class ComputeOutcome:
    order: CatererOrder
    version: CatererOrderVersion | None  # None: nothing changed since the last sending
    created: bool

    @property
    def action(self) -> str:
        if self.version is None:
            return "unchanged"
        return "amended" if self.version.is_amendment else "ordered"


def _dispatch(version: CatererOrderVersion, *, reason: str, resend: int, acting_user: Any
              ) -> CatererOrderDispatch:
    key = documents.dispatch_key(version, resend)
    subject, body = documents.email_message(version)
    message = outbox_email_enqueue(
        recipients=version.order.caterer.emails, subject=subject, body_text=body,
        idempotency_key=key,
    )
    dispatch, _ = CatererOrderDispatch.objects.get_or_create(
        idempotency_key=key,
        defaults={"version": version, "reason": reason, "outbox_message": message,
                  "created_by_email": _email_of(acting_user)},
    )
    return dispatch


def _store_version(order: CatererOrder, *, number: int, counts: order_rules.Counts,
                   changes: dict[order_rules.LineKey, int], reason: str, now: datetime,
                   acting_user: Any) -> CatererOrderVersion:
    version = CatererOrderVersion.objects.create(
        order=order, number=number, total=order_rules.order_total(counts),
        changes={order_rules.encode_key(k): v for k, v in changes.items()},
        reason=reason[:200], computed_at=now, created_by_email=_email_of(acting_user),
    )
    CatererOrderLine.objects.bulk_create([
        CatererOrderLine(version=version, site=k.site, meal=k.meal, diet=k.diet, quantity=n)
        for k, n in sorted(counts.items())
    ])
    return version


def caterer_order_compute(
    *, caterer: Caterer, day: date, acting_user: Any = None, now: datetime | None = None,
    reason: str = "", zone: str | None = None,
) -> ComputeOutcome:
    """Compute the order of `caterer` for `day` from the bookings and send it.

    Idempotent: there is one order per caterer and day. The first computation stores
    version 1 and emails it; a later one compares the bookings with the last version
    sent and, when they differ (an agent's change after the cut-off, a closure), stores
    and emails an amendment with the difference; otherwise it changes nothing. `zone`
    (the school holiday zone) saves a query when the caller knows it."""
    now = now or timezone.now()
    with transaction.atomic():
        # One computation at a time per caterer: two workers never number a version twice.
        locked = selectors.caterers_list().select_for_update().filter(pk=caterer.pk).first()
        if locked is None:
            raise ValidationError("Prestataire inconnu.")
        caterer = locked
        counts = selectors.order_counts_now(caterer=caterer, day=day)
        order = CatererOrder.objects.filter(caterer=caterer, day=day).first()
        created = order is None
        if order is None:
            order, created = CatererOrder.objects.get_or_create(
                caterer=caterer, day=day,
                defaults={"cutoff_at": cutoff_at(selectors.rule_of(caterer, zone), day)},
            )
        last = None if created else order.versions.order_by("-number").first()
        if last is None:
            version = _store_version(order, number=1, counts=counts, changes={},
                                     reason=reason, now=now, acting_user=acting_user)
        else:
            changes = order_rules.order_diff(selectors.version_counts(last), counts)
            if not changes:
                CatererOrder.objects.filter(pk=order.pk).update(checked_at=now)
                return ComputeOutcome(order=order, version=None, created=False)
            version = _store_version(order, number=last.number + 1, counts=counts,
                                     changes=changes, reason=reason, now=now,
                                     acting_user=acting_user)
        CatererOrder.objects.filter(pk=order.pk).update(checked_at=now)
        _dispatch(version, reason=DispatchReason.INITIAL, resend=0, acting_user=acting_user)
        return ComputeOutcome(order=order, version=version, created=created)


def caterer_order_resend(*, order: CatererOrder, acting_user: Any) -> CatererOrderDispatch:
    """Email the latest version of the order again (the caterer lost it, or it failed)."""
    with transaction.atomic():
        CatererOrder.objects.select_for_update().filter(pk=order.pk).first()
        version = order.versions.order_by("-number").first()
        if version is None:
            raise ValidationError("Cette commande n'a encore jamais été envoyée.")
        dispatches = list(version.dispatches.select_related("outbox_message"))
        if any(d.outbox_message.status == OutboxStatus.PENDING for d in dispatches):
            raise ValidationError(
                "Un envoi de cette commande est déjà en attente : il partira dès que possible."
            )
        resends = sum(1 for d in dispatches if d.reason == DispatchReason.RESEND)
        return _dispatch(version, reason=DispatchReason.RESEND, resend=resends + 1,
                         acting_user=acting_user)
