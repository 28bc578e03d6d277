"""Back-office pages of invoices, payments, reminders, groups and deposits."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import acting_user
from tenant_apps.backoffice.form_styles import add_service_errors
from tenant_apps.billing import deposits, invoices, payments, selectors
from tenant_apps.billing.access import billing_reader_required, billing_required, can_act
from tenant_apps.billing.forms import (
    CreditNoteForm,
    InvoiceFilterForm,
    PaymentForm,
    PaymentReverseForm,
    cents_of,
)
from tenant_apps.billing.models import (
    Deposit,
    Invoice,
    InvoiceGroup,
    Payment,
    PaymentMethod,
    PaymentReversal,
)
from tenant_apps.billing.printing import invoice_pdf_bytes
from tenant_apps.families.models import Household


def pdf_response(data: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@billing_reader_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    filters = InvoiceFilterForm(request.GET or None)
    wanted: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    status = wanted.get("statut") or ""
    qs = selectors.invoices_list(
        status="" if status == "impayees" else status, start=wanted.get("du"),
        end=wanted.get("au"), search=(wanted.get("q") or "").strip(),
        unpaid=status == "impayees")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    selectors.decorate(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "billing/invoice_list.html", {
        "filters": filters, "page": page, "query": query.urlencode(),
        "can_act": can_act(request.user)})


@billing_reader_required
def invoice_page(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(pk=pk)
    return render(request, "billing/invoice_detail.html", {
        "invoice": invoice,
        "lines": invoice.lines.select_related("child", "service").order_by(
            "child__last_name", "child__first_name", "day", "id"),
        "allocations": invoice.allocations.select_related("payment", "payment__reversal")
        .order_by("id"),
        "credit_notes": invoice.credit_notes.all(),
        "reminders": invoice.reminders.all(),
        "credit_form": CreditNoteForm(),
        "can_act": can_act(request.user),
    })


@billing_reader_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related(
        "household", "group", "credited_invoice"), pk=pk)
    data = invoice_pdf_bytes(invoice)
    if data is None:
        raise Http404("PDF indisponible")
    return pdf_response(data, f"{invoice.number or 'brouillon-' + str(invoice.pk)}.pdf")


@require_POST
@billing_required
def credit_note_action(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    form = CreditNoteForm(request.POST)
    if form.is_valid():
        try:
            note = invoices.invoice_credit_note_create(
                invoice=invoice, amount_cents=cents_of(form.cleaned_data.get("amount")),
                reason=form.cleaned_data["reason"], acting_user=acting_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Avoir {note.number} établi.")
            return redirect("backoffice:billing:invoice", pk=note.pk)
    else:
        messages.error(request, "Avoir non établi : " + " ".join(
            str(e) for errs in form.errors.values() for e in errs))
    return redirect("backoffice:billing:invoice", pk=pk)


@require_POST
@billing_required
def reminder_action(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    try:
        sent = payments.invoice_reminder_send(invoice=invoice, acting_user=acting_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sent is None:
            messages.warning(request, "Aucun courriel connu pour ce foyer : relance non envoyée.")
        else:
            messages.success(request, "Relance confiée à l'envoi des courriels.")
    return redirect("backoffice:billing:invoice", pk=pk)


@require_POST
@billing_required
def remind_all_action(request: HttpRequest) -> HttpResponse:
    count = payments.invoices_remind_unpaid(acting_user=acting_user(request))
    messages.success(request, f"{count} relance(s) confiée(s) à l'envoi des courriels.")
    return redirect("backoffice:billing:invoices")


@billing_required
def payment_new_page(request: HttpRequest, household_id: int) -> HttpResponse:
    household = get_object_or_404(Household, pk=household_id)
    invoice = None
    invoice_id = request.GET.get("facture", "")
    if invoice_id.isdigit():
        invoice = Invoice.objects.filter(pk=int(invoice_id), household=household).first()
    unpaid = selectors.decorate(list(selectors.invoices_list(unpaid=True).filter(
        household=household)))
    due = sum(i.due_cents for i in unpaid)
    initial = {"received_on": timezone.localdate(), "amount": (
        f"{due // 100},{due % 100:02d}" if due > 0 else "")}
    form = PaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = payments.payment_record(
                household=household, method=data["method"], amount_cents=cents_of(
                    data["amount"]) or 0, received_on=data["received_on"],
                reference=data["reference"], payer_name=data["payer_name"], invoice=invoice,
                acting_user=acting_user(request))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Paiement enregistré : reçu {payment.receipt_number}.")
            return redirect("backoffice:billing:payment", pk=payment.pk)
    return render(request, "billing/payment_form.html", {
        "form": form, "household": household, "unpaid": unpaid, "due": due,
        "invoice": invoice,
    }, status=400 if request.method == "POST" else 200)


def _payment_context(request: HttpRequest, payment: Payment,
                     form: PaymentReverseForm | None = None) -> dict[str, Any]:
    allocations = payment.allocations.select_related("invoice").order_by("id")
    allocated = sum(a.amount_cents for a in allocations)
    reversal = PaymentReversal.objects.select_related("recorded_by").filter(
        payment=payment).first()
    # A SEPA debit is returned on its run's page, which also marks the debit line.
    reversible = (can_act(request.user) and reversal is None
                  and payment.method not in (PaymentMethod.PREPAID,
                                             PaymentMethod.DIRECT_DEBIT))
    if reversible and form is None:
        form = PaymentReverseForm(initial={"reversed_on": timezone.localdate()})
    return {"payment": payment, "allocations": allocations,
            "unallocated": payment.amount_cents - allocated, "reversal": reversal,
            "is_prepaid": payment.method == PaymentMethod.PREPAID,
            "is_direct_debit": payment.method == PaymentMethod.DIRECT_DEBIT,
            "reverse_form": form if reversible else None}


def _payment_get(pk: int) -> Payment:
    return get_object_or_404(Payment.objects.select_related("household", "recorded_by"),
                             pk=pk)


@billing_reader_required
def payment_page(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment_get(pk)
    return render(request, "billing/payment_receipt.html", _payment_context(request, payment))


@require_POST
@billing_required
def payment_reverse_action(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment_get(pk)
    form = PaymentReverseForm(request.POST)
    if payment.method == PaymentMethod.DIRECT_DEBIT:
        messages.error(request, "Un prélèvement rejeté s'enregistre sur la page du "
                                "prélèvement (Paiements en ligne › Prélèvements).")
        return redirect("backoffice:billing:payment", pk=payment.pk)
    if form.is_valid():
        try:
            reversal = payments.payment_reverse(
                payment=payment, reason=form.cleaned_data["reason"],
                reversed_on=form.cleaned_data["reversed_on"], acting_user=acting_user(request))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _reversal_message(reversal))
            return redirect("backoffice:billing:payment", pk=payment.pk)
    # Re-shown with the errors and what was typed; an already reversed payment shows why.
    context = _payment_context(request, payment, form)
    if context["reverse_form"] is None:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return render(request, "billing/payment_receipt.html", context, status=400)


def _reversal_message(reversal: PaymentReversal) -> str:
    due, reminded = payments.payment_reversal_outcome(reversal)
    if not due:
        return "Paiement annulé : aucune facture n'est à reprendre, le crédit du foyer est retiré."
    numbers = ", ".join(due)
    text = (f"Paiement annulé : la facture {numbers} est de nouveau à payer" if len(due) == 1
            else f"Paiement annulé : les factures {numbers} sont de nouveau à payer")
    if reminded:
        return text + (", une relance est partie." if len(due) == 1
                       else ", les relances sont parties.")
    return text + " ; aucun courriel connu pour ce foyer : pas de relance."


@billing_reader_required
def payment_list(request: HttpRequest) -> HttpResponse:
    # Settlements by the prepaid account are not money received: shown on request only.
    with_settlements = request.GET.get("reglements") == "1"
    qs = Payment.objects.select_related("household", "reversal").order_by(
        "-received_on", "-id")
    if not with_settlements:
        qs = qs.exclude(method=PaymentMethod.PREPAID)
    return render(request, "billing/payment_list.html", {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")),
        "with_settlements": with_settlements,
        "has_settlements": Payment.objects.filter(method=PaymentMethod.PREPAID).exists()})


@billing_reader_required
def group_page(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(InvoiceGroup.objects.select_related("run"), pk=pk)
    invoices = selectors.decorate(list(selectors.with_amounts(
        Invoice.objects.filter(group=group).select_related("household")).order_by("number")))
    return render(request, "billing/group_detail.html", {
        "group": group, "invoices": invoices,
        "deposit": Deposit.objects.filter(group=group).first(),
        "total": sum(i.total_cents for i in invoices), "can_act": can_act(request.user)})


@require_POST
@billing_required
def deposit_action(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(InvoiceGroup, pk=pk)
    try:
        deposit = deposits.deposit_create(group=group, acting_user=acting_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Groupe déposé : dépôt {deposit.number}.")
    return redirect("backoffice:billing:group", pk=pk)


@billing_reader_required
def deposit_export(request: HttpRequest, pk: int) -> HttpResponse:
    deposit = get_object_or_404(Deposit, pk=pk)
    data = deposits.deposit_export_bytes(deposit)
    is_xml = deposit.export_name.endswith(".xml")
    response = HttpResponse(data, content_type="application/xml" if is_xml
                            else "text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{deposit.export_name}"'
    response["Cache-Control"] = "private, no-store"
    return response
