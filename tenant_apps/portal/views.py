"""Portal shell: login with the commune's branding, and the welcome page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenant_apps.accounts.access import guardian_required
from tenant_apps.accounts.models import Role
from tenant_apps.accounts.views import login_page


def portal_login(request: HttpRequest) -> HttpResponse:
    return login_page(
        request, template="portal/login.html", roles={Role.GUARDIAN}, default_next="/"
    )


@guardian_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")
