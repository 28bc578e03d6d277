"""Back-office messaging: inbox per service, conversation page, services of the commune."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts.access import (
    acting_user,
    administrator_required,
    agent_required,
    can_edit,
    editor_required,
)
from tenant_apps.messaging.forms import MessageBoxForm, ReplyForm
from tenant_apps.messaging.models import ConversationStatus, MessageBox, MessageSide
from tenant_apps.messaging.selectors import (
    InboxFilter,
    conversation_for_agent,
    conversation_messages,
    inbox_boxes,
    inbox_conversations,
)
from tenant_apps.messaging.services import (
    conversation_mark_read,
    conversation_status_set,
    message_box_create,
    message_box_update,
    message_post,
)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@agent_required
def inbox(request: HttpRequest) -> HttpResponse:
    box_id = _int_or_none(request.GET.get("service"))
    state = request.GET.get("etat", InboxFilter.OPEN)
    if state not in dict(InboxFilter.CHOICES):
        state = InboxFilter.OPEN
    boxes = inbox_boxes()
    current = next((s for s in boxes if s.box is not None and s.box.pk == box_id), None)
    return render(request, "messaging/inbox.html", {
        "boxes": boxes, "current": current, "box_id": box_id if current else None,
        "state": state, "states": InboxFilter.CHOICES,
        "conversations": inbox_conversations(box_id=box_id if current else None, state=state),
        "is_admin": acting_user(request).role == "administrator",
    })


def _conversation_page(request: HttpRequest, pk: int, form: ReplyForm,
                       status: int = 200) -> HttpResponse:
    conversation = conversation_for_agent(user=acting_user(request), pk=pk)
    # Only the agents who handle families clear the unread mark; a read-only look does not.
    if request.method == "GET" and can_edit(request.user):
        conversation_mark_read(conversation=conversation, side=MessageSide.AGENT)
    return render(request, "messaging/conversation.html", {
        "conversation": conversation, "form": form, "can_edit": can_edit(request.user),
        "thread": conversation_messages(conversation=conversation),
    }, status=status)


@agent_required
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _conversation_page(request, pk, ReplyForm())


@editor_required
@require_POST
def conversation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = conversation_for_agent(user=acting_user(request), pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            message_post(conversation=conversation, author=acting_user(request),
                         body=form.cleaned_data["body"],
                         site_url=request.build_absolute_uri("/"))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if form.cleaned_data["mark_handled"]:
                conversation_status_set(conversation=conversation, actor=acting_user(request),
                                        status=ConversationStatus.HANDLED)
            messages.success(request, "Réponse envoyée. La famille est prévenue par courriel.")
            return redirect("backoffice:messaging:conversation", pk=pk)
    messages.error(request, "La réponse n'est pas envoyée : corrigez le message.")
    return _conversation_page(request, pk, form, status=400)


@editor_required
@require_POST
def conversation_status(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = conversation_for_agent(user=acting_user(request), pk=pk)
    status = request.POST.get("status", "")
    if status not in ConversationStatus.values:
        messages.error(request, "État inconnu : rien n'a été modifié.")
        return _conversation_page(request, pk, ReplyForm(), status=400)
    conversation_status_set(conversation=conversation, actor=acting_user(request), status=status)
    messages.success(request, "Conversation marquée comme traitée."
                     if status == ConversationStatus.HANDLED else "Conversation rouverte.")
    if status == ConversationStatus.HANDLED:
        return redirect("backoffice:messaging:inbox")
    return redirect("backoffice:messaging:conversation", pk=pk)


@administrator_required
@require_http_methods(["GET", "POST"])
def boxes(request: HttpRequest) -> HttpResponse:
    """The commune's services families can write to; creation form."""
    form = MessageBoxForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                message_box_create(actor=acting_user(request), **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Service créé : les familles peuvent lui écrire.")
                return redirect("backoffice:messaging:boxes")
        messages.error(request, "Le service n'est pas créé : corrigez les champs signalés.")
    return render(request, "messaging/boxes.html",
                  {"form": form, "boxes": MessageBox.objects.order_by("-active", "name")},
                  status=400 if request.method == "POST" else 200)


@administrator_required
@require_http_methods(["GET", "POST"])
def box_edit(request: HttpRequest, pk: int) -> HttpResponse:
    box = get_object_or_404(MessageBox, pk=pk)
    initial = {"name": box.name, "description": box.description,
               "notify_email": box.notify_email, "active": box.active}
    form = MessageBoxForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                message_box_update(actor=acting_user(request), box=box, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Service enregistré.")
                return redirect("backoffice:messaging:boxes")
        messages.error(request, "Rien n'est enregistré : corrigez les champs signalés.")
    return render(request, "messaging/box_edit.html", {"form": form, "box": box},
                  status=400 if request.method == "POST" else 200)
