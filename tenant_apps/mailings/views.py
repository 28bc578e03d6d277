"""Mailing pages: list, compose, preview, confirm and send, delivery per recipient."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tenant_apps.accounts.access import acting_user, agent_required, can_edit, editor_required
from tenant_apps.mailings.audience import audience_select
from tenant_apps.mailings.forms import MailingForm
from tenant_apps.mailings.models import Mailing, MailingStatus
from tenant_apps.mailings.selectors import (
    mailing_delivery_counts,
    mailing_get,
    mailing_list,
    mailing_recipients,
)
from tenant_apps.mailings.services import (
    mailing_create,
    mailing_delete,
    mailing_email,
    mailing_send,
    mailing_update,
)
from tenant_apps.outbox.models import OutboxStatus

FORM_ERROR = "Le mailing n'est pas enregistré : corrigez les champs signalés."



@agent_required
def mailing_index(request: HttpRequest) -> HttpResponse:
    return render(request, "mailings/list.html",
                  {"mailings": mailing_list(), "can_edit": can_edit(request.user)})


def _compose(request: HttpRequest, mailing: Mailing | None) -> HttpResponse:
    initial = {}
    if mailing is not None:
        initial = {"subject": mailing.subject, "body_html": mailing.body_html,
                   "audience_kind": mailing.audience_kind, "school": mailing.school,
                   "school_class": mailing.school_class, "service": mailing.service}
    form = MailingForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                if mailing is None:
                    mailing = mailing_create(actor=acting_user(request), **form.cleaned_data)
                else:
                    mailing = mailing_update(actor=acting_user(request), mailing=mailing,
                                             **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Brouillon enregistré. Vérifiez l'aperçu avant "
                                          "d'envoyer.")
                return redirect("backoffice:mailings:detail", pk=mailing.pk)
        messages.error(request, FORM_ERROR)
    status = 400 if request.method == "POST" else 200
    return render(request, "mailings/compose.html", {"form": form, "mailing": mailing},
                  status=status)


@editor_required
@require_http_methods(["GET", "POST"])
def mailing_new(request: HttpRequest) -> HttpResponse:
    return _compose(request, None)


@editor_required
@require_http_methods(["GET", "POST"])
def mailing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = mailing_get(pk=pk)
    if mailing.status != MailingStatus.DRAFT:
        messages.info(request, "Ce mailing est déjà envoyé : il ne peut plus être modifié.")
        return redirect("backoffice:mailings:detail", pk=pk)
    return _compose(request, mailing)


@agent_required
def mailing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft: preview of the email and of its recipients. Sent: delivery per recipient."""
    mailing = mailing_get(pk=pk)
    context: dict[str, object] = {"mailing": mailing, "email": mailing_email(mailing=mailing),
                                  "can_edit": can_edit(request.user)}
    if mailing.status == MailingStatus.DRAFT:
        context["audience"] = audience_select(
            kind=mailing.audience_kind, school=mailing.school,
            school_class=mailing.school_class, service=mailing.service,
        )
        return render(request, "mailings/preview.html", context)
    status_filter = request.GET.get("etat", "")
    if status_filter not in OutboxStatus.values:
        status_filter = ""
    context.update(counts=mailing_delivery_counts(mailing=mailing), status_filter=status_filter,
                   recipients=mailing_recipients(mailing=mailing, status=status_filter),
                   statuses=OutboxStatus.choices)
    return render(request, "mailings/detail.html", context)


@agent_required
def mailing_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar of a mailing being sent (polled by htmx)."""
    mailing = mailing_get(pk=pk)
    return render(request, "mailings/_progress.html",
                  {"mailing": mailing, "counts": mailing_delivery_counts(mailing=mailing)})


@editor_required
@require_http_methods(["GET", "POST"])
def mailing_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Say how many families will receive it; send only on an explicit confirmation."""
    mailing = mailing_get(pk=pk)
    if mailing.status == MailingStatus.SENT:
        return redirect("backoffice:mailings:detail", pk=pk)
    audience = audience_select(kind=mailing.audience_kind, school=mailing.school,
                               school_class=mailing.school_class, service=mailing.service)
    status = 200
    if request.method == "POST":
        if request.POST.get("confirm") == "oui":
            try:
                mailing_send(actor=acting_user(request), mailing=mailing)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                status = 400
            else:
                messages.success(request, "Le mailing part : suivez ci-dessous l'envoi à "
                                          "chaque destinataire.")
                return redirect("backoffice:mailings:detail", pk=pk)
        else:
            messages.error(request, "Cochez la case de confirmation pour envoyer le mailing.")
            status = 400
    return render(request, "mailings/confirm.html", {"mailing": mailing, "audience": audience},
                  status=status)


@editor_required
@require_http_methods(["POST"])
def mailing_remove(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = mailing_get(pk=pk)
    try:
        mailing_delete(actor=acting_user(request), mailing=mailing)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("backoffice:mailings:detail", pk=pk)
    messages.success(request, "Brouillon supprimé.")
    return redirect("backoffice:mailings:index")


@editor_required
def audience_count(request: HttpRequest) -> HttpResponse:
    """Live count of the compose form's audience (htmx); no write."""
    form = MailingForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    audience = audience_select(kind=data.get("audience_kind") or "", school=data.get("school"),
                               school_class=data.get("school_class"),
                               service=data.get("service"))
    return render(request, "mailings/_audience_count.html", {"audience": audience})
