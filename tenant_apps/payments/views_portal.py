"""Portal side of PayFiP, included at /paiement/: start a payment, the provider's
notification (server to server), the parent's return, the prepaid top-up.

The notification and the return carry only an idOp: each triggers a lookup with the
provider (payfip_operation_settle) and nothing else. Neither trusts its caller."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts.access import acting_user, guardian_required
from tenant_apps.billing.printing import billing_mode
from tenant_apps.billing.selectors import (
    guardian_households,
    guardian_invoice_get,
    prepaid_balance_cents,
)
from tenant_apps.families.models import Household
from tenant_apps.payments import rules, selectors, services
from tenant_apps.payments.forms import TopUpForm
from tenant_apps.payments.models import OperationKind, PayfipCall, PayfipOperation

logger = logging.getLogger(__name__)


def _id_op(request: HttpRequest) -> str:
    """§2.4: accept idop and idOp, from the query string and from the form body."""
    for source in (request.POST, request.GET):
        for name in ("idop", "idOp"):
            value = source.get(name, "")
            if value:
                return value.strip()[:64]
    return ""


def _go_to_provider(request: HttpRequest, operation: PayfipOperation, url: str
                    ) -> HttpResponse:
    # A page, not a 302: the portal's CSP (form-action 'self') forbids a form post from
    # being redirected to another site; the page moves on by itself (meta refresh).
    return render(request, "payments/portal_redirect.html",
                  {"operation": operation, "url": url,
                   "amount": rules.euros(operation.amount_cents)})


@require_POST
@guardian_required
def pay_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = guardian_invoice_get(acting_user(request), pk)  # 404 if not theirs
    try:
        operation, url = services.payfip_payment_start(invoice=invoice,
                                                        acting_user=acting_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("/factures/")
    return _go_to_provider(request, operation, url)


@require_http_methods(["GET", "POST"])
@guardian_required
def top_up(request: HttpRequest) -> HttpResponse:
    if billing_mode() != "prepaid" or not selectors.online_payment_available():
        raise Http404
    households = list(Household.objects.filter(
        pk__in=guardian_households(acting_user(request))).order_by("name"))
    if not households:
        raise Http404
    household = households[0]
    form = TopUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            operation, url = services.payfip_top_up_start(
                household=household, amount_cents=form.cleaned_data["amount"],
                acting_user=acting_user(request))
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            return _go_to_provider(request, operation, url)
    return render(request, "payments/portal_top_up.html", {
        "form": form, "household": household,
        "balance": rules.euros(prepaid_balance_cents(household.pk))})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def notification(request: HttpRequest) -> HttpResponse:
    """PayFiP's server-to-server call: look the operation up and ask the provider.
    Always a quick, uninformative 200: an unknown or another commune's idOp finds
    nothing in this schema and changes nothing."""
    id_op = _id_op(request)
    operation = selectors.operation_by_id_op(id_op)
    if operation is None:
        # Logged, not stored: a forged call must not be able to write to the database.
        logger.warning("PayFiP notification for an unknown idOp %r", id_op[:40])
        return HttpResponse("OK", content_type="text/plain")
    PayfipCall.objects.create(operation=operation, action="notification", outcome="reçue")
    services.payfip_operation_settle(operation=operation, trigger="notification")
    return HttpResponse("OK", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def return_page(request: HttpRequest) -> HttpResponse:
    """The parent's browser back from PayFiP: ask the provider, then say where it stands.
    Details (amount, invoice) only to a signed-in guardian of the household."""
    id_op = _id_op(request)
    operation = selectors.operation_by_id_op(id_op)
    if operation is not None:
        operation = services.payfip_operation_settle(operation=operation, trigger="retour")
    mine = operation is not None and selectors.guardian_operation(request.user, id_op)
    return render(request, "payments/portal_return.html", {
        "operation": operation if mine else None,
        "state": _return_state(operation),
        "amount": rules.euros(operation.amount_cents) if mine and operation else "",
        "is_top_up": bool(mine and operation and operation.kind == OperationKind.TOP_UP),
    })


def _return_state(operation: PayfipOperation | None) -> str:
    if operation is None:
        return "unknown"
    if operation.status == rules.PAID:
        return "paid"
    if operation.status in (rules.REFUSED, rules.ABANDONED, rules.EXPIRED):
        return "refused" if operation.status == rules.REFUSED else "abandoned"
    return "checking"  # pending or anomaly: the régie checks it
