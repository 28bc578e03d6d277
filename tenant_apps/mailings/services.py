"""Writing mailings: drafts, the send (frozen recipients), and the fan-out to the outbox."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tenant_apps.accounts.models import User
from tenant_apps.catalog.models import Service
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.mailings.audience import audience_select
from tenant_apps.mailings.models import AudienceKind, Mailing, MailingRecipient, MailingStatus
from tenant_apps.mailings.sanitising import has_visible_text, html_to_text, sanitise_html
from tenant_apps.outbox.services import outbox_email_enqueue
from tenants.db import current_schema

# Up to this many recipients the outbox rows are written in the request; beyond, a
# Celery task writes them in batches and the page shows its progress.
INLINE_FANOUT_MAX = 200
FANOUT_BATCH = 500


def _targets(
    kind: str, school: Any, school_class: Any, service: Service | None
) -> dict[str, Any]:
    """The one target the audience kind needs, the others cleared; French errors."""
    targets: dict[str, Any] = {"school": None, "school_class": None, "service": None}
    needed = {
        AudienceKind.SCHOOL: ("school", school, "Choisissez l'école."),
        AudienceKind.SCHOOL_CLASS: ("school_class", school_class, "Choisissez la classe."),
        AudienceKind.SERVICE: ("service", service, "Choisissez la prestation."),
    }
    if kind not in AudienceKind.values:
        raise ValidationError({"audience_kind": "Choisissez les destinataires."})
    if kind in needed:
        field, value, error = needed[AudienceKind(kind)]
        if value is None:
            raise ValidationError({field: error})
        targets[field] = value
    return targets


def _content(subject: str, body_html: str) -> tuple[str, str]:
    subject = " ".join(subject.split())
    safe = sanitise_html(body_html)
    errors = {}
    if not subject:
        errors["subject"] = "Indiquez l'objet du mailing."
    if not has_visible_text(safe):
        errors["body_html"] = "Écrivez le message."
    if errors:
        raise ValidationError(errors)
    return subject, safe


@transaction.atomic
def mailing_create(
    *,
    actor: User,
    subject: str,
    body_html: str,
    audience_kind: str,
    school: Any = None,
    school_class: Any = None,
    service: Service | None = None,
) -> Mailing:
    """A draft: nothing is sent until `mailing_send`. The body is sanitised here."""
    subject, safe = _content(subject, body_html)
    targets = _targets(audience_kind, school, school_class, service)
    return Mailing.objects.create(subject=subject, body_html=safe, audience_kind=audience_kind,
                                  created_by=actor, **targets)


@transaction.atomic
def mailing_update(
    *,
    actor: User,
    mailing: Mailing,
    subject: str,
    body_html: str,
    audience_kind: str,
    school: Any = None,
    school_class: Any = None,
    service: Service | None = None,
) -> Mailing:
    """Change a draft; a mailing already sent (or being sent) cannot change."""
    locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if locked.status != MailingStatus.DRAFT:
        raise ValidationError("Ce mailing est déjà envoyé : il ne peut plus être modifié.")
    locked.subject, locked.body_html = _content(subject, body_html)
    locked.audience_kind = audience_kind
    for field, value in _targets(audience_kind, school, school_class, service).items():
        setattr(locked, field, value)
    locked.save()
    return locked


@transaction.atomic
def mailing_delete(*, actor: User, mailing: Mailing) -> None:
    """Delete a draft (a sent mailing stays, as the record of what families received)."""
    deleted, _ = Mailing.objects.filter(pk=mailing.pk, status=MailingStatus.DRAFT).delete()
    if not deleted:
        raise ValidationError("Ce mailing est déjà envoyé : il ne peut plus être supprimé.")


def mailing_email(*, mailing: Mailing) -> dict[str, str]:
    """Subject, HTML and text of the email as every recipient receives it."""
    context = {"mailing": mailing, "commune_name": commune_settings_get().display_name,
               "body_text": html_to_text(mailing.body_html)}
    return {
        "subject": mailing.subject,
        "body_html": render_to_string("emails/mailing.html", context),
        "body_text": render_to_string("emails/mailing.txt", context),
    }


def _dispatch_fan_out(mailing_id: int) -> None:
    from tenant_apps.mailings.tasks import mailing_fan_out

    schema = current_schema()  # captured now: at commit the connection may be elsewhere
    transaction.on_commit(
        lambda: mailing_fan_out.apply_async(args=[mailing_id], headers={"_schema_name": schema})
    )


@transaction.atomic
def mailing_send(*, actor: User, mailing: Mailing) -> Mailing:
    """Freeze the audience and hand one email per recipient to the outbox.

    Idempotent: a second call (double click, retried request) sends nothing more; on a
    mailing whose fan-out stalled it only restarts the fan-out, which skips whoever
    already has an outbox row (idempotency key `mailing:<id>:<guardian id>`)."""
    locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if locked.status == MailingStatus.SENT:
        return locked
    if locked.status == MailingStatus.SENDING:
        _dispatch_fan_out(locked.pk)
        return locked
    audience = audience_select(kind=locked.audience_kind, school=locked.school,
                               school_class=locked.school_class, service=locked.service)
    if not audience.recipients:
        raise ValidationError("Aucun destinataire : aucune famille concernée n'a de courriel.")
    MailingRecipient.objects.bulk_create(
        MailingRecipient(mailing=locked, guardian_id=row.guardian_id,
                         household_id=row.household_id, guardian_name=row.guardian_name,
                         household_name=row.household_name, email=row.email.strip())
        for row in audience.recipients
    )
    locked.status = MailingStatus.SENDING
    locked.sent_by, locked.sent_at = actor, timezone.now()
    locked.household_count = audience.household_count
    locked.recipient_count = audience.recipient_count
    locked.skipped_count = len(audience.skipped)
    locked.save()
    if audience.recipient_count <= INLINE_FANOUT_MAX:
        mailing_outbox_fill(mailing_id=locked.pk)
        locked.refresh_from_db()
    else:
        _dispatch_fan_out(locked.pk)
    return locked


def mailing_outbox_fill(*, mailing_id: int, batch_size: int = FANOUT_BATCH) -> int:
    """Write the outbox rows of a mailing being sent, batch by batch (each batch commits,
    so the page shows progress and a crash resumes where it stopped). Returns how many
    rows this call wrote; marks the mailing sent when every recipient has one."""
    mailing = Mailing.objects.filter(pk=mailing_id, status=MailingStatus.SENDING).first()
    if mailing is None:
        return 0
    email = mailing_email(mailing=mailing)
    written = 0
    while True:
        with transaction.atomic():
            batch = list(
                MailingRecipient.objects.select_for_update(skip_locked=True)
                .filter(mailing_id=mailing_id, outbox_message__isnull=True)
                .order_by("pk")[:batch_size]
            )
            for recipient in batch:
                who = recipient.guardian_id or f"r{recipient.pk}"
                recipient.outbox_message = outbox_email_enqueue(
                    recipients=[recipient.email],
                    idempotency_key=f"mailing:{mailing_id}:{who}",
                    **email,
                )
            MailingRecipient.objects.bulk_update(batch, ["outbox_message"])
            written += len(batch)
        if len(batch) < batch_size:
            break
    with transaction.atomic():
        if not MailingRecipient.objects.filter(mailing_id=mailing_id,
                                               outbox_message__isnull=True).exists():
            Mailing.objects.filter(pk=mailing_id, status=MailingStatus.SENDING).update(
                status=MailingStatus.SENT
            )
    return written
