"""SEPA pages: the parent's online mandate request (portal, /paiement/prelevement/), and
in the back office (/gestion/paiements-en-ligne/...) mandates, debit runs, the pain.008
file, returns and confirmation, and the creditor settings (ICS)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts.access import acting_user, administrator_required, guardian_required
from tenant_apps.backoffice.form_styles import add_service_errors
from tenant_apps.billing.access import billing_reader_required, billing_required, can_act
from tenant_apps.billing.selectors import guardian_households
from tenant_apps.families.models import Household
from tenant_apps.payments import sepa, sepa_rules
from tenant_apps.payments.forms import (
    DebitRunForm,
    MandateForm,
    MandateRequestForm,
    MandateValidateForm,
    SepaSettingsForm,
)
from tenant_apps.payments.models import DebitItem, DebitRun, Mandate, MandateStatus
from tenant_apps.payments.selectors import payfip_settings_get
from tenant_apps.payments.services import payfip_settings_update


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_http_methods(["GET", "POST"])
@guardian_required
def mandate_request_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    household = Household.objects.filter(pk__in=guardian_households(user)).order_by(
        "name").first()
    if household is None:
        raise Http404
    form = MandateRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sepa.mandate_request(household=household, acting_user=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Demande envoyée : la régie vous contactera pour la "
                                      "signature du mandat.")
            return redirect("portal:payments:mandate-request")
    mandates = [(m, sepa_rules.iban_masked(m.iban)) for m in household.sepa_mandates.exclude(
        status=MandateStatus.REVOKED)]
    return render(request, "payments/portal_mandate.html",
                  {"form": form, "mandates": mandates, "household": household})


@billing_reader_required
def sepa_page(request: HttpRequest) -> HttpResponse:
    mandates = Mandate.objects.select_related("household").exclude(
        status=MandateStatus.REVOKED).order_by("status", "household__name")[:300]
    return render(request, "payments/backoffice_sepa.html", {
        "mandates": [(m, sepa_rules.iban_masked(m.iban)) for m in mandates],
        "runs": DebitRun.objects.select_related("group")[:30],
        "mandate_form": MandateForm(), "run_form": DebitRunForm(),
        "can_act": can_act(request.user),
        "can_edit_mandates": getattr(request.user, "role", "") in sepa.MANDATE_ROLES,
    })


@require_POST
@billing_reader_required
def mandate_create_action(request: HttpRequest) -> HttpResponse:
    form = MandateForm(request.POST)
    if form.is_valid():
        try:
            mandate = sepa.mandate_create(acting_user=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"Mandat {mandate.rum} enregistré.")
    else:
        messages.error(request, "Mandat refusé : " + " ".join(
            str(e) for errors in form.errors.values() for e in errors))
    return redirect("backoffice:payments:sepa")


@require_POST
@billing_reader_required
def mandate_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    mandate = get_object_or_404(Mandate, pk=pk)
    try:
        if action == "valider":
            form = MandateValidateForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Indiquez la date de signature.")
            sepa.mandate_validate(mandate=mandate, signed_on=form.cleaned_data["signed_on"],
                                  acting_user=acting_user(request))
        elif action == "revoquer":
            sepa.mandate_revoke(mandate=mandate, acting_user=acting_user(request))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Mandat {mandate.rum} mis à jour.")
    return redirect("backoffice:payments:sepa")


@require_POST
@billing_required
def debit_run_create_action(request: HttpRequest) -> HttpResponse:
    form = DebitRunForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez un groupe déposé et une date de prélèvement.")
        return redirect("backoffice:payments:sepa")
    try:
        run = sepa.debit_run_create(acting_user=acting_user(request), **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("backoffice:payments:sepa")
    messages.success(request, f"Prélèvement préparé : {run.count} facture(s).")
    return redirect("backoffice:payments:debit-run", pk=run.pk)


@billing_reader_required
def debit_run_page(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(DebitRun.objects.select_related("group"), pk=pk)
    items = list(run.items.select_related("invoice", "mandate", "mandate__household",
                                          "payment", "payment__reversal").order_by("id"))
    rows = [(item, _debit_state(item)) for item in items]
    totals = {state: {"count": 0, "cents": 0} for state in DEBIT_STATES}
    for item, state in rows:
        totals[state]["count"] += 1
        totals[state]["cents"] += item.amount_cents
    return render(request, "payments/backoffice_debit_run.html", {
        "run": run, "rows": rows, "totals": totals, "can_act": can_act(request.user),
        "return_reasons": sorted(sepa_rules.RETURN_REASONS.items()),
        "mandate_unusable": sorted(sepa_rules.MANDATE_UNUSABLE_REASONS)})


# What a debit item has become, as the run page counts it: a return after the
# collection was confirmed is a rejet, not money received.
DEBIT_STATES = ("pending", "collected", "returned", "returned_after_collection")


def _debit_state(item: DebitItem) -> str:
    if item.payment is None:
        return "returned" if item.returned_at is not None else "pending"
    if item.returned_at is not None or hasattr(item.payment, "reversal"):
        return "returned_after_collection"
    return "collected"


@billing_reader_required
def debit_run_file(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(DebitRun, pk=pk)
    response = HttpResponse(run.file_xml, content_type="application/xml")
    name = f"prelevement-{run.collection_date:%Y%m%d}-{run.pk}.xml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@billing_required
def debit_item_return_action(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(DebitItem.objects.select_related("payment", "mandate"), pk=pk)
    try:
        sepa.debit_return_record(item=item, reason=request.POST.get("reason", "")[:120],
                                 acting_user=acting_user(request))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        undone = (f" le paiement {item.payment.receipt_number} est annulé,"
                  if item.payment is not None else "")
        text = (f"Rejet enregistré :{undone} la facture est à nouveau à payer et une relance "
                "est envoyée.")
        item.mandate.refresh_from_db()
        if item.mandate.status == MandateStatus.REVOKED:
            text += (f" Le mandat {item.mandate.rum} est révoqué ({item.mandate.holder_name}) :"
                     " demandez un nouveau mandat à la famille avant le prochain prélèvement.")
        messages.success(request, text)
    return redirect("backoffice:payments:debit-run", pk=item.run_id)


@require_POST
@billing_required
def debit_run_confirm_action(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(DebitRun, pk=pk)
    try:
        done = sepa.debit_run_confirm(run=run, acting_user=acting_user(request))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"{done} paiement(s) enregistré(s).")
    return redirect("backoffice:payments:debit-run", pk=run.pk)


@require_http_methods(["GET", "POST"])
@administrator_required
def sepa_settings_page(request: HttpRequest) -> HttpResponse:
    form = SepaSettingsForm(request.POST or None, instance=payfip_settings_get())
    if request.method == "POST" and form.is_valid():
        payfip_settings_update(form=form, acting_user=acting_user(request))
        messages.success(request, "Paramètres du prélèvement enregistrés.")
        return redirect("backoffice:payments:sepa")
    return render(request, "payments/backoffice_sepa_settings.html", {"form": form})
