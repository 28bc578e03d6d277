from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenant_apps.accounts.access import operator_required
from tenant_apps.accounts.models import Role
from tenant_apps.accounts.views import login_page
from tenants.models import Commune


def console_login(request: HttpRequest) -> HttpResponse:
    return login_page(request, template="ops/login.html", roles={Role.OPERATOR}, default_next="/")


@operator_required
def commune_list(request: HttpRequest) -> HttpResponse:
    return render(request, "ops/communes.html", {"communes": Commune.objects.all()})
