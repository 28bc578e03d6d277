"""Reads of the messaging pages. A conversation is reached through the reader: an agent
of the commune, or a guardian of its household; anything else is a 404, exactly like a
conversation that does not exist."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from tenant_apps.accounts.models import User
from tenant_apps.families.models import Household
from tenant_apps.families.selectors import guardian_household
from tenant_apps.messaging.models import Conversation, ConversationStatus, Message, MessageBox


class InboxFilter:
    OPEN = "open"
    HANDLED = "handled"
    UNREAD = "unread"
    ALL = "all"
    CHOICES = ((OPEN, "À traiter"), (UNREAD, "Non lues"), (HANDLED, "Traitées"), (ALL, "Toutes"))


def _unread_by_agents() -> Exists:
    return Exists(Message.objects.filter(conversation=OuterRef("pk"), read_by_agents=False))


def _unread_by_family() -> Exists:
    return Exists(Message.objects.filter(conversation=OuterRef("pk"), read_by_family=False))


def unread_conversations_count(*, box: MessageBox | None = None) -> int:
    """Conversations holding a family message no agent has read yet (one query)."""
    rows = Conversation.objects.filter(_unread_by_agents())
    if box is not None:
        rows = rows.filter(box=box)
    return rows.count()


@dataclass(frozen=True)
class BoxSummary:
    box: MessageBox | None  # None: every box together
    open_count: int
    unread_count: int


def inbox_boxes() -> list[BoxSummary]:
    """Each box with its open and unread conversation counts, and an "all boxes" total
    first; two queries."""
    boxes = list(MessageBox.objects.order_by("-active", "name"))
    rows = (
        Conversation.objects.annotate(unread=_unread_by_agents())
        .values("box_id")
        .annotate(open_n=Count("pk", filter=Q(status=ConversationStatus.OPEN)),
                  unread_n=Count("pk", filter=Q(unread=True)))
    )
    by_box = {r["box_id"]: (r["open_n"], r["unread_n"]) for r in rows}
    summaries = [BoxSummary(box=b, open_count=by_box.get(b.pk, (0, 0))[0],
                            unread_count=by_box.get(b.pk, (0, 0))[1]) for b in boxes]
    total = BoxSummary(box=None, open_count=sum(s.open_count for s in summaries),
                       unread_count=sum(s.unread_count for s in summaries))
    return [total, *summaries]


def inbox_conversations(
    *, box_id: int | None = None, state: str = InboxFilter.OPEN
) -> QuerySet[Conversation]:
    """Conversations of the back-office inbox, most recent activity first, with whether
    agents have unread messages in each and how many messages it holds."""
    rows = Conversation.objects.select_related("household", "box").annotate(
        unread=_unread_by_agents(), message_count=Count("messages")
    )
    if box_id is not None:
        rows = rows.filter(box_id=box_id)
    if state == InboxFilter.OPEN:
        rows = rows.filter(status=ConversationStatus.OPEN)
    elif state == InboxFilter.HANDLED:
        rows = rows.filter(status=ConversationStatus.HANDLED)
    elif state == InboxFilter.UNREAD:
        rows = rows.filter(unread=True)
    return rows.order_by("-last_activity_at", "-pk")


def conversation_for_agent(*, user: User, pk: int) -> Conversation:
    """A conversation of this commune for one of its agents; 404 for anyone else."""
    if not user.is_agent:
        raise Http404
    conversation = (
        Conversation.objects.select_related("household", "box", "handled_by")
        .filter(pk=pk).first()
    )
    if conversation is None:
        raise Http404
    return conversation


def conversation_for_guardian(*, user: User, pk: int) -> Conversation:
    """A conversation of the guardian's own household; 404 otherwise (missing and
    forbidden answer the same)."""
    household = guardian_household(user=user)
    conversation = (
        Conversation.objects.select_related("box").filter(pk=pk, household=household).first()
        if household is not None else None
    )
    if conversation is None:
        raise Http404
    return conversation


def household_conversations(*, household: Household) -> QuerySet[Conversation]:
    """The household's conversations, most recent first, flagged when the commune wrote
    something the family has not read."""
    return (
        Conversation.objects.filter(household=household)
        .select_related("box")
        .annotate(unread=_unread_by_family(), message_count=Count("messages"))
        .order_by("-last_activity_at", "-pk")
    )


def household_unread_count(*, household: Household) -> int:
    return Conversation.objects.filter(_unread_by_family(), household=household).count()


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.order_by("created_at", "pk")


def boxes_open_to_families() -> QuerySet[MessageBox]:
    return MessageBox.objects.filter(active=True).order_by("name")
