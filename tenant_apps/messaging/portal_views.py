"""Families' side of the messaging: their household's conversations, and writing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tenant_apps.accounts.access import acting_user, guardian_required
from tenant_apps.messaging.forms import ConversationStartForm, FamilyReplyForm
from tenant_apps.messaging.models import MessageSide
from tenant_apps.messaging.selectors import (
    boxes_open_to_families,
    conversation_for_guardian,
    conversation_messages,
    guardian_household,
    household_conversations,
)
from tenant_apps.messaging.services import conversation_mark_read, conversation_start, message_post


@guardian_required
def conversation_list(request: HttpRequest) -> HttpResponse:
    household = guardian_household(user=acting_user(request))
    if household is None:
        return render(request, "messaging/portal_not_linked.html")
    return render(request, "messaging/portal_list.html", {
        "conversations": household_conversations(household=household),
        "boxes": boxes_open_to_families(),
    })


@guardian_required
@require_http_methods(["GET", "POST"])
def conversation_new(request: HttpRequest) -> HttpResponse:
    if guardian_household(user=acting_user(request)) is None:
        return render(request, "messaging/portal_not_linked.html")
    initial = {}
    box_id = request.GET.get("service", "")
    if box_id.isdigit():
        initial["box"] = int(box_id)
    form = ConversationStartForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                conversation = conversation_start(
                    guardian_user=acting_user(request), box=form.cleaned_data["box"],
                    subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
                    site_url=request.build_absolute_uri("/"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Votre message est envoyé. Vous serez prévenu par "
                                          "courriel de la réponse.")
                return redirect("portal:messaging:conversation", pk=conversation.pk)
        messages.error(request, "Votre message n'est pas envoyé : corrigez ce qui est signalé.")
    return render(request, "messaging/portal_new.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@guardian_required
@require_http_methods(["GET", "POST"])
def conversation_page(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = conversation_for_guardian(user=acting_user(request), pk=pk)
    form = FamilyReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                message_post(conversation=conversation, author=acting_user(request),
                             body=form.cleaned_data["body"],
                             site_url=request.build_absolute_uri("/"))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Votre message est envoyé.")
                return redirect("portal:messaging:conversation", pk=pk)
        messages.error(request, "Votre message n'est pas envoyé : écrivez-le d'abord.")
        status = 400
    else:
        conversation_mark_read(conversation=conversation, side=MessageSide.FAMILY)
    return render(request, "messaging/portal_conversation.html", {
        "conversation": conversation, "form": form,
        "thread": conversation_messages(conversation=conversation),
    }, status=status)
