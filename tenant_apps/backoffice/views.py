"""Back office shell: dashboard, settings, outbox state. Later issues add their pages."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tenant_apps.accounts.access import administrator_required, agent_required, can_edit
from tenant_apps.accounts.models import AGENT_ROLES
from tenant_apps.accounts.views import login_page
from tenant_apps.backoffice.selectors import dashboard_figures
from tenant_apps.bookings.headcounts import ServiceDayBooked, booked_by_service, headcounts
from tenant_apps.commune_settings.forms import CommuneSettingsForm
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.commune_settings.services import commune_settings_update
from tenant_apps.messaging.selectors import unread_conversations_count
from tenant_apps.outbox.selectors import outbox_counts, outbox_recent


def backoffice_login(request: HttpRequest) -> HttpResponse:
    return login_page(
        request, template="backoffice/login.html", roles=AGENT_ROLES, default_next="/gestion/"
    )


@agent_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    figures = dashboard_figures(day=today)
    # Today's "réservés" per service and school, from the bookings (a fixed few queries).
    booked = booked_by_service(headcounts(start=today, end=today, year=figures.school_year))
    services_today = [(f, booked.get(f.service_id, ServiceDayBooked()))
                      for f in figures.services_today]
    return render(request, "backoffice/dashboard.html", {
        "outbox": outbox_counts(),
        "unread_messages": unread_conversations_count(),
        "figures": figures,
        "services_today": services_today,
        "booked_today": sum(b.booked for _f, b in services_today),
        "can_edit": can_edit(request.user),
    })


@administrator_required
def settings_page(request: HttpRequest) -> HttpResponse:
    row = commune_settings_get()
    form = CommuneSettingsForm(request.POST or None, request.FILES or None, instance=row)
    if request.method == "POST":
        if form.is_valid():
            commune_settings_update(**form.cleaned_data)
            messages.success(request, "Paramètres enregistrés.")
            return redirect("backoffice:settings")
        messages.error(request, "Certains champs sont à corriger : rien n'a été modifié.")
    status = 400 if request.method == "POST" else 200
    return render(request, "backoffice/settings.html", {"form": form}, status=status)


@agent_required
def outbox_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/outbox.html",
        {"messages_list": outbox_recent(), "counts": outbox_counts()},
    )
