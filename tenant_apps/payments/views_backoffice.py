"""Back office of online payments, included at /gestion/paiements-en-ligne/: operations
(pending, paid, anomalies with what to do), reconciliation on demand, PayFiP settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts.access import acting_user
from tenant_apps.accounts.models import Role
from tenant_apps.billing.access import billing_reader_required, billing_required, can_act
from tenant_apps.payments import payfip_client, selectors, services
from tenant_apps.payments.forms import PayfipSettingsForm
from tenant_apps.payments.models import OperationStatus

FILTERS = {
    "": ("Toutes", {}),
    "attente": ("En attente", {"status": OperationStatus.PENDING}),
    "payees": ("Payées", {"status": OperationStatus.PAID}),
    "anomalies": ("Anomalies à traiter", {"open_anomalies": True}),
    "echecs": ("Refusées, abandonnées, expirées", {}),
}


@billing_reader_required
def operations_page(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("etat", "")
    if key not in FILTERS:
        key = ""
    qs = selectors.operations_list(**FILTERS[key][1])  # type: ignore[arg-type]
    if key == "echecs":
        qs = qs.filter(status__in=[OperationStatus.REFUSED, OperationStatus.ABANDONED,
                                   OperationStatus.EXPIRED])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "payments/backoffice_list.html", {
        "page": page, "filters": [(k, v[0]) for k, v in FILTERS.items()], "current": key,
        "counts": selectors.operations_counts(), "what_to_do": selectors.WHAT_TO_DO,
        "can_act": can_act(request.user), "settings_row": selectors.payfip_settings_get(),
    })


@billing_reader_required
def operation_page(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get(pk=pk)
    return render(request, "payments/backoffice_detail.html", {
        "operation": operation, "calls": operation.calls.all()[:50],
        "what_to_do": selectors.WHAT_TO_DO.get(operation.status, ""),
        "can_act": can_act(request.user),
    })


@require_POST
@billing_required
def reconcile_action(request: HttpRequest) -> HttpResponse:
    from datetime import timedelta

    counts = services.payfip_reconcile_pending(older_than=timedelta(0))
    total = sum(counts.values())
    if not total:
        messages.info(request, "Aucune opération en attente : rien à rapprocher.")
    else:
        labels = dict(OperationStatus.choices)
        detail = ", ".join(f"{labels.get(k, k).lower()} : {v}" for k, v in sorted(counts.items()))
        messages.success(request, f"{total} opération{'s' if total > 1 else ''} vérifiée"
                                  f"{'s' if total > 1 else ''} auprès de PayFiP ({detail}).")
    return redirect("backoffice:payments:operations")


@require_POST
@billing_required
def check_action(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get(pk=pk)
    operation = services.payfip_operation_settle(operation=operation, trigger="agent")
    messages.info(request, f"PayFiP interrogé : {operation.get_status_display().lower()}.")
    return redirect("backoffice:payments:operation", pk=operation.pk)


@require_POST
@billing_required
def resolve_action(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get(pk=pk)
    try:
        services.payfip_anomaly_resolve(operation=operation, acting_user=acting_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Anomalie marquée comme traitée.")
    return redirect("backoffice:payments:operation", pk=operation.pk)


@require_http_methods(["GET", "POST"])
@billing_reader_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """Everyone in billing reads it; only an administrator changes it."""
    row = selectors.payfip_settings_get()
    may_edit = getattr(request.user, "role", None) == Role.ADMINISTRATOR
    form = PayfipSettingsForm(request.POST if request.method == "POST" else None,
                              instance=row)
    if request.method == "POST":
        if not may_edit:
            return render(request, "routing/forbidden.html", status=403)
        if form.is_valid():
            saved = services.payfip_settings_update(form=form,
                                                    acting_user=acting_user(request))
            messages.success(request, "Paramètres PayFiP enregistrés.")
            if saved.client_number:
                try:
                    detail = payfip_client.client_detail(saved.client_number)
                except payfip_client.PayfipError as exc:
                    messages.warning(request, "PayFiP n'a pas confirmé ce numéro client "
                                              f"({exc}). Vérifiez-le auprès de votre SGC.")
                else:
                    messages.info(request, "PayFiP reconnaît ce client : "
                                  + " ".join(v for k, v in sorted(detail.items())
                                             if k.startswith("libelle") and v))
            return redirect("backoffice:payments:settings")
    return render(request, "payments/backoffice_settings.html",
                  {"form": form, "may_edit": may_edit, "row": row})
