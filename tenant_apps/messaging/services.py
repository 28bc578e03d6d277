"""Writing conversations and messages, with the notifications they cause.

Notifications go through the outbox in the same transaction and never carry the
message itself: only a link to read it after signing in."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tenant_apps.accounts.access import can_edit
from tenant_apps.accounts.models import Role, User
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.families.models import Guardian
from tenant_apps.messaging.models import (
    Conversation,
    ConversationStatus,
    Message,
    MessageBox,
    MessageSide,
)
from tenant_apps.outbox.services import outbox_email_enqueue
from tenants.selectors import current_commune_url

BODY_MAX = 5000
SUBJECT_MAX = 150


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Écrivez votre message."})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": f"Votre message est trop long ({BODY_MAX} caractères "
                                       "au plus)."})
    return body


def _notify_family(message: Message, site_url: str) -> None:
    conversation = message.conversation
    link = f"{site_url}/messagerie/{conversation.pk}/"
    context = {"conversation": conversation, "box": conversation.box, "link": link,
               "commune_name": commune_settings_get().display_name}
    subject = f"Nouveau message de {conversation.box.name}"
    guardians = Guardian.objects.filter(household_id=conversation.household_id).exclude(email="")
    for guardian in guardians:
        outbox_email_enqueue(
            recipients=[guardian.email],
            subject=subject,
            body_text=render_to_string("emails/message_to_family.txt",
                                       {**context, "guardian": guardian}),
            body_html=render_to_string("emails/message_to_family.html",
                                       {**context, "guardian": guardian}),
            idempotency_key=f"message:{message.pk}:guardian:{guardian.pk}",
        )


def _notify_box(message: Message, site_url: str) -> None:
    conversation = message.conversation
    if not conversation.box.notify_email:
        return
    link = f"{site_url}/gestion/messagerie/{conversation.pk}/"
    context = {"conversation": conversation, "box": conversation.box, "link": link,
               "commune_name": commune_settings_get().display_name}
    outbox_email_enqueue(
        recipients=[conversation.box.notify_email],
        subject=f"Messagerie : nouveau message pour {conversation.box.name}",
        body_text=render_to_string("emails/message_to_box.txt", context),
        idempotency_key=f"message:{message.pk}:box",
    )


def _author_side(author: User, conversation: Conversation) -> MessageSide:
    """Who may write where: a guardian of the household, or an editor of the commune."""
    if author.role == Role.GUARDIAN:
        if not Guardian.objects.filter(user=author,
                                       household_id=conversation.household_id).exists():
            raise PermissionDenied("Cette conversation n'est pas celle de votre foyer.")
        return MessageSide.FAMILY
    if can_edit(author):
        return MessageSide.AGENT
    raise PermissionDenied("Votre compte ne permet pas de répondre aux familles.")


def _author_name(author: User, side: MessageSide, conversation: Conversation) -> str:
    if side == MessageSide.FAMILY:
        guardian = Guardian.objects.filter(user=author).first()
        return str(guardian) if guardian else author.email
    return conversation.box.name


@transaction.atomic
def message_post(
    *, conversation: Conversation, author: User, body: str, site_url: str = ""
) -> Message:
    """Add a message to a conversation and tell the other side (without the content).

    A family message reopens a handled conversation; an agent's reply leaves the status
    to the agent (see `conversation_status_set`). `site_url` is the commune's address for
    the link in the email; by default the commune's primary host."""
    side = _author_side(author, conversation)
    body = _clean_body(body)
    message = Message.objects.create(
        conversation=conversation, author=author, side=side, body=body,
        author_name=_author_name(author, side, conversation),
        read_by_family=side == MessageSide.FAMILY, read_by_agents=side == MessageSide.AGENT,
    )
    conversation.last_activity_at = message.created_at
    fields = ["last_activity_at"]
    if side == MessageSide.FAMILY and conversation.status == ConversationStatus.HANDLED:
        conversation.status, conversation.handled_by, conversation.handled_at = (
            ConversationStatus.OPEN, None, None)
        fields += ["status", "handled_by", "handled_at"]
    conversation.save(update_fields=fields)
    site_url = (site_url or current_commune_url("")).rstrip("/")
    if side == MessageSide.AGENT:
        _notify_family(message, site_url)
    else:
        _notify_box(message, site_url)
    return message


@transaction.atomic
def conversation_start(
    *, guardian_user: User, box: MessageBox, subject: str, body: str, site_url: str = ""
) -> Conversation:
    """A family writes to one of the commune's services: a new conversation and its first
    message, for the household of the signed-in guardian."""
    guardian = Guardian.objects.filter(user=guardian_user).select_related("household").first()
    if guardian_user.role != Role.GUARDIAN or guardian is None:
        raise PermissionDenied("Votre compte n'est rattaché à aucun foyer.")
    if not box.active:
        raise ValidationError({"box": "Ce service ne reçoit plus de messages."})
    subject = " ".join(subject.split())
    errors = {}
    if not subject:
        errors["subject"] = "Indiquez l'objet de votre message."
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = f"L'objet est trop long ({SUBJECT_MAX} caractères au plus)."
    try:
        _clean_body(body)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    conversation = Conversation.objects.create(
        household=guardian.household, box=box, subject=subject, started_by=guardian_user,
        last_activity_at=timezone.now(),
    )
    message_post(conversation=conversation, author=guardian_user, body=body, site_url=site_url)
    return conversation


def conversation_mark_read(*, conversation: Conversation, side: str) -> int:
    """Mark the other side's messages read for `side`; returns how many changed."""
    if side == MessageSide.AGENT:
        return conversation.messages.filter(read_by_agents=False).update(read_by_agents=True)
    return conversation.messages.filter(read_by_family=False).update(read_by_family=True)


@transaction.atomic
def conversation_status_set(*, conversation: Conversation, actor: User, status: str) -> None:
    """Mark a conversation handled, or reopen it; editors only."""
    if not can_edit(actor):
        raise PermissionDenied
    if status not in ConversationStatus.values:
        raise ValidationError("État inconnu.")
    conversation.status = status
    handled = status == ConversationStatus.HANDLED
    conversation.handled_by = actor if handled else None
    conversation.handled_at = timezone.now() if handled else None
    conversation.save(update_fields=["status", "handled_by", "handled_at"])


def _box_fields(name: str, description: str, notify_email: str) -> dict[str, str]:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Indiquez le nom du service."})
    return {"name": name, "description": description.strip(),
            "notify_email": notify_email.strip().lower()}


@transaction.atomic
def message_box_create(
    *, actor: User, name: str, description: str = "", notify_email: str = "",
    active: bool = True,
) -> MessageBox:
    """A new service families can write to; administrators only."""
    if actor.role != Role.ADMINISTRATOR:
        raise PermissionDenied
    fields = _box_fields(name, description, notify_email)
    if MessageBox.objects.filter(name__iexact=fields["name"]).exists():
        raise ValidationError({"name": "Un service porte déjà ce nom."})
    return MessageBox.objects.create(active=active, **fields)


@transaction.atomic
def message_box_update(
    *, actor: User, box: MessageBox, name: str, description: str = "",
    notify_email: str = "", active: bool = True,
) -> MessageBox:
    """Rename a service, change who is told, or close it to new conversations."""
    if actor.role != Role.ADMINISTRATOR:
        raise PermissionDenied
    fields = _box_fields(name, description, notify_email)
    if MessageBox.objects.filter(name__iexact=fields["name"]).exclude(pk=box.pk).exists():
        raise ValidationError({"name": "Un service porte déjà ce nom."})
    for key, value in fields.items():
        setattr(box, key, value)
    box.active = active
    box.save()
    return box
