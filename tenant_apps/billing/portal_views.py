"""Portal "Mes factures" (/factures/): the guardian's households' issued invoices,
their status and PDFs, and tax certificates. No "Payer" button yet (PayFiP issue)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tenant_apps.accounts.access import acting_user, guardian_required
from tenant_apps.billing import selectors
from tenant_apps.billing.certificates import certificate_amounts, tax_certificate_pdf
from tenant_apps.billing.models import Invoice, PrepaidLedgerEntry
from tenant_apps.billing.printing import billing_mode, invoice_pdf_bytes
from tenant_apps.billing.views_invoices import pdf_response
from tenant_apps.commune_settings.selectors import portal_help_html
from tenant_apps.families.models import Household


@guardian_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    years = selectors.guardian_invoice_years(user)
    raw = request.GET.get("annee", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else (years[0] if years else None)
    invoices = selectors.guardian_invoices(user, year=year) if year else []
    households = Household.objects.filter(pk__in=selectors.guardian_households(user))
    last_year = timezone.localdate().year - 1
    certificates = [h for h in households if certificate_amounts(h, last_year)]
    prepaid = billing_mode() == "prepaid"
    accounts = [
        {"household": h, "balance": selectors.prepaid_balance_cents(h.pk),
         "entries": list(PrepaidLedgerEntry.objects.filter(household=h)[:30])}
        for h in households] if prepaid else []
    return render(request, "billing/portal_list.html", {
        "invoices": invoices, "years": years, "year": year, "accounts": accounts,
        "prepaid": prepaid,
        "unpaid": selectors.unpaid_invoices_for_guardian(user),
        "certificates": certificates, "certificate_year": last_year,
        "help_html": portal_help_html("factures"),
    })


@guardian_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.guardian_invoice_get(acting_user(request), pk)
    invoice = Invoice.objects.select_related("household", "group", "credited_invoice").get(
        pk=invoice.pk)
    data = invoice_pdf_bytes(invoice)
    if data is None:
        raise Http404
    return pdf_response(data, f"{invoice.number}.pdf", inline=False)


@guardian_required
def certificate_pdf(request: HttpRequest, household_id: int, year: int) -> HttpResponse:
    if household_id not in selectors.guardian_households(acting_user(request)):
        raise Http404
    household = Household.objects.get(pk=household_id)
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    data = tax_certificate_pdf(household, year)
    if data is None:
        raise Http404
    return pdf_response(data, f"attestation-fiscale-{year}.pdf", inline=False)
