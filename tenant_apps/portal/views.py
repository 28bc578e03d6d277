"""Portal shell: login with the commune's branding, and the home page (Accueil)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tenant_apps.accounts.access import acting_user, guardian_required
from tenant_apps.accounts.models import Role
from tenant_apps.accounts.views import login_page
from tenant_apps.billing.selectors import unpaid_invoices_for_guardian
from tenant_apps.families.selectors import guardian_household
from tenant_apps.portal.selectors import portal_dashboard


def portal_login(request: HttpRequest) -> HttpResponse:
    return login_page(
        request,
        template="portal/login.html",
        roles={Role.GUARDIAN},
        default_next="/",
        allow_remember=True,
    )


@guardian_required
def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    household = guardian_household(user=user)
    today = timezone.localdate()
    dashboard = portal_dashboard(
        household=household, today=today, unpaid_invoices=unpaid_invoices_for_guardian(user),
    ) if household else None
    return render(request, "portal/home.html", {"dashboard": dashboard, "today": today})
