"""Portal texts: the administrators' editing page with a live preview, and the public
legal notice page of the portal."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import administrator_required
from tenant_apps.commune_settings.formatting import render_portal_text
from tenant_apps.commune_settings.forms import PortalTextsForm
from tenant_apps.commune_settings.models import PORTAL_TEXT_MAX_LENGTH
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.commune_settings.services import portal_texts_update


@administrator_required
def portal_texts_page(request: HttpRequest) -> HttpResponse:
    row = commune_settings_get()
    if request.method == "POST":
        form = PortalTextsForm(request.POST)
        if form.is_valid():
            portal_texts_update(
                welcome_text=form.cleaned_data["welcome_text"],
                help_texts=form.help_texts(),
                legal_notice=form.cleaned_data["legal_notice"],
                privacy_notice=form.cleaned_data["privacy_notice"],
                acting_user=request.user,
            )
            messages.success(request, "Textes du portail enregistrés.")
            return redirect("backoffice:portal_texts:edit")
        messages.error(request, "Certains textes sont à corriger : rien n'a été modifié.")
    else:
        form = PortalTextsForm(initial=PortalTextsForm.initial_from(row))
    status = 400 if request.method == "POST" else 200
    return render(request, "commune_settings/portal_texts.html", {"form": form}, status=status)


@administrator_required
@require_POST
def portal_text_preview(request: HttpRequest) -> HttpResponse:
    """The rendered text of one field (htmx): the field's name comes in `field`."""
    field = request.POST.get("field", "")
    if field not in PortalTextsForm().fields:
        return HttpResponse("Champ inconnu.", status=400)
    text = request.POST.get(field, "")[:PORTAL_TEXT_MAX_LENGTH]
    return render(request, "commune_settings/_preview.html",
                  {"html": render_portal_text(text)})


def legal_notice_page(request: HttpRequest) -> HttpResponse:
    """Public: the legal notice and the privacy notice of the commune's portal."""
    row = commune_settings_get()
    return render(request, "commune_settings/legal_notice.html", {
        "legal_html": render_portal_text(row.legal_notice),
        "privacy_html": render_portal_text(row.privacy_notice),
    })
