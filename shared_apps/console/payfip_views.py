"""The commune page's PayFiP card: an operator changes the client number, mode and
activation (issue 8); provisioning.payfip does the work inside the commune's schema."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from provisioning.payfip import commune_payfip_set
from shared_apps.console.forms import PayfipForm, add_service_error
from shared_apps.console.views import _commune_or_404, _detail_context
from tenant_apps.accounts.access import operator_required


@operator_required
@require_POST
def commune_payfip_update(request: HttpRequest, slug: str) -> HttpResponse:
    commune = _commune_or_404(slug)
    form = PayfipForm(request.POST)
    if form.is_valid():
        try:
            commune_payfip_set(
                commune=commune,
                client_number=form.cleaned_data["client_number"],
                mode=form.cleaned_data["mode"],
                enabled=form.cleaned_data["enabled"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Paramètres PayFiP de la commune enregistrés.")
            return redirect("console:commune", slug=commune.slug)
    context = _detail_context(commune)
    context["payfip_form"] = form
    return render(request, "ops/commune_detail.html", context, status=400)
