"""Back-office pages of one household's billing account: invoices, payments, prepaid
ledger with top-ups, and tax certificates (one household, or all of them zipped)."""

import io
import zipfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import acting_user, administrator_required
from tenant_apps.backoffice.form_styles import add_service_errors
from tenant_apps.billing import prepaid, selectors
from tenant_apps.billing.access import billing_reader_required, billing_required, can_act
from tenant_apps.billing.certificates import certificate_amounts, tax_certificate_pdf
from tenant_apps.billing.forms import BillingSettingsForm, TopUpForm, cents_of
from tenant_apps.billing.models import Invoice, InvoiceStatus, PrepaidLedgerEntry
from tenant_apps.billing.printing import billing_mode
from tenant_apps.billing.views_invoices import pdf_response
from tenant_apps.families.models import Household

MAX_BULK_CERTIFICATES = 2000


@billing_reader_required
def account_page(request: HttpRequest, household_id: int) -> HttpResponse:
    household = get_object_or_404(Household, pk=household_id)
    invoices = selectors.decorate(list(selectors.with_amounts(
        Invoice.objects.filter(household=household).exclude(status=InvoiceStatus.DRAFT))
        .order_by("-period_start", "-number")[:60]))
    return render(request, "billing/account.html", {
        "household": household, "invoices": invoices,
        "payments": household.payments.select_related("reversal")
        .order_by("-received_on", "-id")[:30],
        "unallocated": selectors.household_unallocated_cents(household),
        "ledger": PrepaidLedgerEntry.objects.filter(household=household)[:60],
        "balance": selectors.prepaid_balance_cents(household.pk),
        "mode": billing_mode(), "topup_form": TopUpForm(),
        "year": timezone.localdate().year - 1, "can_act": can_act(request.user),
    })


@require_POST
@billing_required
def top_up_action(request: HttpRequest, household_id: int) -> HttpResponse:
    household = get_object_or_404(Household, pk=household_id)
    form = TopUpForm(request.POST)
    if form.is_valid():
        try:
            entry = prepaid.prepaid_top_up(
                household=household, amount_cents=cents_of(form.cleaned_data["amount"]) or 0,
                method=form.cleaned_data["method"], acting_user=acting_user(request))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Compte rechargé : reçu {entry.receipt_number}.")
            return redirect("backoffice:billing:account", household_id=household.pk)
    messages.error(request, "Rechargement refusé : " + " ".join(
        str(e) for errs in form.errors.values() for e in errs))
    return redirect("backoffice:billing:account", household_id=household.pk)


def _year(raw: str) -> int:
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404
    return int(raw)


@billing_reader_required
def certificate_pdf(request: HttpRequest, household_id: int, year: str) -> HttpResponse:
    household = get_object_or_404(Household, pk=household_id)
    data = tax_certificate_pdf(household, _year(year))
    if data is None:
        raise Http404("PDF indisponible")
    return pdf_response(data, f"attestation-{year}-foyer-{household.pk}.pdf")


@billing_reader_required
def certificates_bulk(request: HttpRequest, year: str) -> HttpResponse:
    """Every household with childcare to certify in `year`, one PDF each, in a zip."""
    wanted = _year(year)
    ids = (Invoice.objects.filter(status=InvoiceStatus.ISSUED, period_start__year=wanted)
           .values_list("household_id", flat=True).distinct())
    buffer = io.BytesIO()
    count = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for household in Household.objects.filter(pk__in=list(ids)[:MAX_BULK_CERTIFICATES]):
            if not certificate_amounts(household, wanted):
                continue
            data = tax_certificate_pdf(household, wanted)
            if data:
                archive.writestr(f"attestation-{wanted}-foyer-{household.pk}.pdf", data)
                count += 1
    if not count:
        messages.info(request, f"Aucune attestation à établir pour {wanted}.")
        return redirect("backoffice:billing:index")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="attestations-{wanted}.zip"'
    return response


@administrator_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """The commune's billing parameters (payment text, Hélios codes, prepaid threshold)."""
    row = selectors.billing_settings_get()
    form = BillingSettingsForm(request.POST or None, instance=row, initial={
        "low_balance": f"{row.low_balance_cents // 100},{row.low_balance_cents % 100:02d}"})
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.low_balance_cents = cents_of(form.cleaned_data.get("low_balance")) or 0
        saved.save()
        messages.success(request, "Paramètres de facturation enregistrés.")
        return redirect("backoffice:billing:settings")
    return render(request, "billing/settings.html", {"form": form},
                  status=400 if request.method == "POST" else 200)
