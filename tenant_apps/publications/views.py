"""Documents: the agents' list and publishing form, the families' list and download."""

from typing import cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import (
    agent_required,
    can_edit,
    editor_required,
    guardian_required,
)
from tenant_apps.families.selectors import guardian_household
from tenant_apps.publications.forms import PublicationForm
from tenant_apps.publications.models import Publication, PublicationState
from tenant_apps.publications.selectors import (
    publication_counts,
    publication_get,
    publication_get_for_guardian,
    publication_list,
    publications_for_household,
)
from tenant_apps.publications.services import publication_create, publication_withdraw


@agent_required
def document_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = publication_list(today=today)
    state = request.GET.get("etat", "")
    if state not in PublicationState.values:
        state = ""
    shown = [p for p in rows if p.state_on(today) == state] if state else rows
    return render(request, "publications/list.html", {
        "rows": [(p, p.state_on(today)) for p in shown],
        "counts": publication_counts(rows=rows, today=today),
        "states": PublicationState,
        "state": state,
        "total": len(rows),
        "can_edit": can_edit(request.user),
    })


@editor_required
def document_new(request: HttpRequest) -> HttpResponse:
    form = PublicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            publication = publication_create(
                title=data["title"], description=data["description"], upload=data["file"],
                visible_from=data["visible_from"], visible_until=data["visible_until"],
                target_school=data["target_school"], target_class=data["target_class"],
                target_service=data["target_service"], acting_user=request.user,
            )
            messages.success(request, f"Document « {publication.title} » publié.")
            return redirect("backoffice:publications:list")
        messages.error(request, "Certains champs sont à corriger : rien n'a été publié.")
    status = 400 if request.method == "POST" else 200
    return render(request, "publications/new.html", {"form": form}, status=status)


@editor_required
@require_POST
def document_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    publication = publication_get(publication_id=pk)
    if publication is None:
        raise Http404
    publication_withdraw(publication=publication, acting_user=request.user)
    messages.success(request, f"Document « {publication.title} » retiré du portail.")
    return redirect("backoffice:publications:list")


def _stream(publication: Publication) -> HttpResponse:
    """The file read from the commune's storage through us: no storage URL leaves.

    (A FileResponse streams; the cast only fits the access decorators' typing.)"""
    response = FileResponse(
        publication.file.open("rb"), content_type=publication.content_type,
        filename=publication.original_name, as_attachment=False,
    )
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)


@agent_required
def document_file(request: HttpRequest, pk: int) -> HttpResponse:
    publication = publication_get(publication_id=pk)
    if publication is None:
        raise Http404
    return _stream(publication)


@guardian_required
def portal_document_list(request: HttpRequest) -> HttpResponse:
    household = guardian_household(user=request.user)
    rows = (
        list(publications_for_household(household=household, today=timezone.localdate()))
        if household
        else []
    )
    return render(request, "publications/portal_list.html", {"rows": rows})


@guardian_required
def portal_document_file(request: HttpRequest, pk: int) -> HttpResponse:
    publication = publication_get_for_guardian(
        user=request.user, publication_id=pk, today=timezone.localdate()
    )
    if publication is None:
        raise Http404
    return _stream(publication)
