"""Back-office billing pages (/gestion/facturation/): home, tariffs, price preview, runs.

Thin edges: forms validate, one service acts, selectors read."""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import acting_user, agent_required
from tenant_apps.backoffice.form_styles import add_service_errors
from tenant_apps.billing import pricing, runs, selectors, tariffs
from tenant_apps.billing.access import billing_reader_required, billing_required, can_act
from tenant_apps.billing.forms import RunForm, TariffForm
from tenant_apps.billing.models import InvoiceGroup, InvoiceRun, Tariff
from tenant_apps.billing.printing import billing_mode
from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Child


@billing_reader_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "billing/index.html", {
        "runs": InvoiceRun.objects.select_related("group__deposit")[:12],
        "groups": InvoiceGroup.objects.select_related("deposit")[:6],
        "counts": selectors.run_counts_by_status(),
        "mode": billing_mode(),
        "cert_year": timezone.localdate().year - 1,
        "can_act": can_act(request.user),
    })


@billing_reader_required
def tariff_list(request: HttpRequest) -> HttpResponse:
    services = list(Service.objects.order_by("kind", "name"))
    by_service: dict[int, list[Tariff]] = {s.pk: [] for s in services}
    for tariff in Tariff.objects.prefetch_related("brackets").order_by("-effective_from"):
        by_service.setdefault(tariff.service_id, []).append(tariff)
    today = timezone.localdate()
    rows = []
    for service in services:
        items = by_service[service.pk]
        for tariff in items:
            tariff.current = tariff.effective_from <= today and (  # type: ignore[attr-defined]
                tariff.effective_to is None or today <= tariff.effective_to)
            tariff.one_euro = (  # type: ignore[attr-defined]
                tariff.kind == pricing.QF_BRACKETS and not pricing.one_euro_canteen_problems(
                    [pricing.Bracket(b.qf_max, b.amount_cents) for b in tariff.brackets.all()]))
        rows.append((service, items))
    return render(request, "billing/tariff_list.html", {"rows": rows,
                                                        "can_act": can_act(request.user)})


def _brackets_text(tariff: Tariff) -> str:
    return "\n".join(
        f"{b.qf_max if b.qf_max is not None else ''} ; {b.amount_cents // 100},"
        f"{b.amount_cents % 100:02d}" for b in tariff.brackets.all())


def _euros(cents: int | None) -> str:
    return "" if cents is None else f"{cents // 100},{cents % 100:02d}"


def _tariff_initial(tariff: Tariff) -> dict[str, Any]:
    return {
        "label": tariff.label, "effective_from": tariff.effective_from,
        "effective_to": tariff.effective_to, "kind": tariff.kind,
        "amount": _euros(tariff.amount_cents), "brackets": _brackets_text(tariff),
        "effort_rate_percent": tariff.effort_rate_percent, "floor": _euros(tariff.floor_cents),
        "ceiling": _euros(tariff.ceiling_cents), "non_resident": _euros(tariff.non_resident_cents),
        "pai": _euros(tariff.pai_cents),
        "sibling_discount_percent": tariff.sibling_discount_percent,
        "unbooked_presence_penalty": _euros(tariff.unbooked_presence_penalty_cents),
        "late_cancel_penalty": _euros(tariff.late_cancel_penalty_cents),
        "bill_unjustified_absence": tariff.bill_unjustified_absence,
    }


def _tariff_page(request: HttpRequest, service: Service, tariff: Tariff | None) -> HttpResponse:
    initial = _tariff_initial(tariff) if tariff else {"kind": pricing.FLAT,
                                                      "bill_unjustified_absence": True}
    form = TariffForm(request.POST or None, initial=initial)
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        fields, brackets = form.service_fields(), form.cleaned_data["brackets"]
        try:
            if tariff is None:
                tariffs.tariff_create(service=service, fields=fields, brackets=brackets,
                                      acting_user=acting_user(request))
            else:
                tariffs.tariff_update(tariff=tariff, fields=fields, brackets=brackets,
                                      acting_user=acting_user(request))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Tarif de « {service.name} » enregistré.")
            if fields["kind"] == pricing.QF_BRACKETS:
                for problem in pricing.one_euro_canteen_problems(brackets):
                    messages.info(request, problem)
            return redirect("backoffice:billing:tariffs")
    status = 400 if request.method == "POST" else 200
    return render(request, "billing/tariff_form.html", {
        "form": form, "service": service, "tariff": tariff, "warnings": warnings,
    }, status=status)


@billing_required
def tariff_create_page(request: HttpRequest, service_id: int) -> HttpResponse:
    return _tariff_page(request, get_object_or_404(Service, pk=service_id), None)


@billing_required
def tariff_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    tariff = get_object_or_404(Tariff.objects.select_related("service"), pk=pk)
    return _tariff_page(request, tariff.service, tariff)


@agent_required
def price_preview_json(request: HttpRequest) -> JsonResponse:
    """GET ?enfant=<id>&prestation=<id>&jour=YYYY-MM-DD → {"unit_cents", "label"}."""
    try:
        child_id, service_id = int(request.GET["enfant"]), int(request.GET["prestation"])
        day = date.fromisoformat(request.GET["jour"])
    except (KeyError, ValueError):
        return JsonResponse({"detail": "Paramètres attendus : enfant, prestation, jour "
                                       "(AAAA-MM-JJ)."}, status=400)
    child = Child.objects.filter(pk=child_id).first()
    if child is None or not Service.objects.filter(pk=service_id).exists():
        return JsonResponse({"detail": "Introuvable."}, status=404)
    preview = selectors.price_preview(child, service_id, day)
    return JsonResponse({"unit_cents": preview.unit_cents, "label": preview.label,
                         "reasons": list(preview.reasons)})


@billing_reader_required
def run_list_redirect(request: HttpRequest) -> HttpResponse:
    return redirect("backoffice:billing:index")


@billing_required
def run_new_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    first = today.replace(day=1)
    previous_end = first - timedelta(days=1)
    form = RunForm(request.POST or None, initial={
        "period_start": previous_end.replace(day=1), "period_end": previous_end})
    preview = None
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["period_start"], form.cleaned_data["period_end"]
        if request.POST.get("confirm") == "1":
            try:
                run = runs.invoice_run_create(period_start=start, period_end=end,
                                              acting_user=acting_user(request))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Calcul des factures lancé.")
                return redirect("backoffice:billing:run", pk=run.pk)
        else:
            preview = runs.invoice_run_preview(period_start=start, period_end=end)
    return render(request, "billing/run_new.html", {"form": form, "preview": preview},
                  status=400 if request.method == "POST" and form.errors else 200)


def _run(pk: int) -> InvoiceRun:
    return get_object_or_404(InvoiceRun.objects.select_related("created_by"), pk=pk)


@billing_reader_required
def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    invoices = selectors.decorate(list(selectors.invoices_list(run_id=run.pk)[:50]))
    return render(request, "billing/run_detail.html", {
        "run": run, "invoices": invoices, "can_act": can_act(request.user),
        "group": InvoiceGroup.objects.filter(run=run).select_related("deposit").first(),
        "prepaid": billing_mode() == "prepaid",
    })


@billing_reader_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    response = render(request, "billing/_run_progress.html", {"run": run})
    if not run.busy and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # finished: reload the page with the results
    return response


@require_POST
@billing_required
def run_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    run = _run(pk)
    user = acting_user(request)
    try:
        if action == "recalculer":
            runs.invoice_run_recompute(run=run, acting_user=user)
            messages.success(request, "Nouveau calcul des brouillons lancé.")
        elif action == "emettre":
            runs.invoice_run_start_issue(run=run, acting_user=user)
            messages.success(request, "Émission lancée : numérotation puis PDF.")
        elif action == "supprimer":
            runs.invoice_run_delete(run=run, acting_user=user)
            messages.success(request, "Facturation supprimée avec ses brouillons.")
            return redirect("backoffice:billing:index")
        else:
            return HttpResponse(status=404)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("backoffice:billing:run", pk=run.pk)
