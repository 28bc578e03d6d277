"""PayFiP use-cases: start an attempt, settle it from the provider's answer, reconcile.

The promise (DOMAIN.md): no payment depends on one notification. A notification, the
parent's return and the reconciliation job all do the same thing: ask the provider
(recupererDetailPaiementSecurise) and act on its answer only. Settling locks the
operation row (select_for_update) and a paid operation points to one Payment through a
UNIQUE foreign key, so duplicates, late calls and races credit at most once.

Provider calls never run inside a database transaction (no lock held over the network)."""

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenant_apps.accounts.models import User
from tenant_apps.billing.models import Invoice, InvoiceKind, InvoiceStatus
from tenant_apps.billing.selectors import with_amounts
from tenant_apps.families.models import Household
from tenant_apps.payments import payfip_client, rules
from tenant_apps.payments.crediting import operation_credit
from tenant_apps.payments.models import (
    OperationKind,
    OperationStatus,
    PayfipCall,
    PayfipOperation,
    PayfipSettings,
)
from tenant_apps.payments.selectors import operations_to_reconcile, payfip_settings_get
from tenants.selectors import current_commune_url

if TYPE_CHECKING:
    from django.forms import ModelForm

NOT_AVAILABLE = "Le paiement en ligne n'est pas proposé par votre commune pour le moment."
UNAVAILABLE = ("Le service de paiement en ligne PayFiP ne répond pas. Réessayez dans "
               "quelques minutes, ou réglez auprès de la régie.")


def _log(operation: PayfipOperation | None, action: str, outcome: str) -> None:
    PayfipCall.objects.create(operation=operation, action=action, outcome=outcome[:200])


def _check_startable(invoice: Invoice) -> int:
    """The amount due, or a French ValidationError."""
    current: Any = with_amounts(Invoice.objects.filter(pk=invoice.pk)).get()
    if current.kind != InvoiceKind.INVOICE or current.status != InvoiceStatus.ISSUED:
        raise ValidationError("Cette facture ne peut pas être payée en ligne.")
    due = int(current.due_cents)
    if due <= 0:
        raise ValidationError(f"La facture {current.number} est déjà réglée.")
    if due < rules.MIN_CENTS:
        raise ValidationError("Le paiement en ligne commence à 1,00 € : réglez ce reste "
                              "auprès de la régie.")
    if due > rules.MAX_CENTS:
        raise ValidationError("Montant trop élevé pour un paiement en ligne.")
    last = (PayfipOperation.objects.filter(invoice=invoice, status=OperationStatus.PENDING)
            .order_by("-created_at").values_list("created_at", flat=True).first())
    if rules.attempt_blocked(last_started_at=last, now=timezone.now()):
        raise ValidationError("Un paiement en ligne de cette facture est déjà en cours. "
                              "Patientez quelques minutes avant de réessayer.")
    return due


@transaction.atomic
def _operation_open(*, kind: str, household: Household, invoice: Invoice | None,
                    amount_cents: int, email: str, acting_user: User) -> PayfipOperation:
    settings_row = payfip_settings_get()
    if not settings_row.enabled or not rules.NUMCLI_RE.match(settings_row.client_number):
        raise ValidationError(NOT_AVAILABLE)
    if invoice is not None:
        Invoice.objects.select_for_update().get(pk=invoice.pk)  # one start at a time
        amount_cents = _check_startable(invoice)
    elif not rules.MIN_CENTS <= amount_cents <= rules.MAX_CENTS:
        raise ValidationError("Le montant doit être compris entre 1,00 € et 100 000 €.")
    operation = PayfipOperation.objects.create(
        kind=kind, household=household, invoice=invoice, amount_cents=amount_cents,
        email=email, exer=str(timezone.localdate().year), numcli=settings_row.client_number,
        mode=settings_row.mode, started_by=acting_user)
    prefix = invoice.number if invoice is not None and invoice.number else "R"
    operation.refdet = rules.refdet_for(prefix or "R", operation.pk)
    operation.save(update_fields=["refdet"])
    if invoice is not None:
        Invoice.objects.filter(pk=invoice.pk).update(payment_pending_since=timezone.now())
    return operation


def _operation_start(operation: PayfipOperation, label: str) -> str:
    """Create the operation with the provider; store its idOp; the payment page URL."""
    request = payfip_client.PaymentRequest(
        numcli=operation.numcli, exer=operation.exer, refdet=operation.refdet or "",
        objet=label, montant_cents=operation.amount_cents, mel=operation.email,
        urlnotif=current_commune_url("/paiement/notification/"),
        urlredirect=current_commune_url("/paiement/retour/"), saisie=operation.mode)
    try:
        id_op = payfip_client.create_payment(request)
    except (payfip_client.PayfipError, ValueError) as exc:
        with transaction.atomic():
            PayfipOperation.objects.filter(pk=operation.pk).update(
                status=OperationStatus.EXPIRED, settled_at=timezone.now(),
                anomaly=f"Création refusée par PayFiP : {exc}"[:500])
            _log(operation, "creerPaiementSecurise", f"échec : {exc}")
            _pending_hook_clear(operation)
        raise ValidationError(UNAVAILABLE) from exc
    with transaction.atomic():
        PayfipOperation.objects.filter(pk=operation.pk).update(id_op=id_op)
        operation.id_op = id_op
        _log(operation, "creerPaiementSecurise", f"idOp {id_op}")
    return payfip_client.payment_page_url(id_op)


def payfip_payment_start(*, invoice: Invoice, acting_user: User
                         ) -> tuple[PayfipOperation, str]:
    """Start paying `invoice` online: the operation is stored pending (invoice "En
    paiement") BEFORE the provider is asked for an idOp; returns it and the URL of the
    provider's payment page. French ValidationError for a draft, cancelled or paid
    invoice, a due under 1 €, an attempt already running, or PayFiP unreachable."""
    operation = _operation_open(
        kind=OperationKind.INVOICE, household=invoice.household, invoice=invoice,
        amount_cents=0, email=acting_user.email, acting_user=acting_user)
    label = f"{payfip_settings_get().label_prefix} facture {invoice.number}"
    return operation, _operation_start(operation, label)


def payfip_top_up_start(*, household: Household, amount_cents: int, acting_user: User
                        ) -> tuple[PayfipOperation, str]:
    """Start an online top-up of the household's prepaid account (same flow)."""
    operation = _operation_open(
        kind=OperationKind.TOP_UP, household=household, invoice=None,
        amount_cents=amount_cents, email=acting_user.email, acting_user=acting_user)
    label = f"{payfip_settings_get().label_prefix} rechargement"
    return operation, _operation_start(operation, label)


def _pending_hook_clear(operation: PayfipOperation) -> None:
    """The invoice is back to "Enregistré" unless another attempt is still pending."""
    if operation.invoice_id is None:
        return
    others = PayfipOperation.objects.filter(
        invoice_id=operation.invoice_id, status=OperationStatus.PENDING,
    ).exclude(pk=operation.pk).exists()
    if not others:
        Invoice.objects.filter(pk=operation.invoice_id).update(payment_pending_since=None)


def _ask_provider(operation: PayfipOperation) -> tuple[rules.Verdict, dict[str, str]]:
    age = timezone.now() - operation.created_at
    if not operation.id_op:
        if age >= rules.ATTEMPT_LIFETIME:
            return rules.Verdict(rules.EXPIRED, True, "Jamais créée chez PayFiP."), {}
        return rules.Verdict(rules.PENDING, False), {}
    try:
        answer = payfip_client.payment_detail(operation.id_op)
    except payfip_client.PayfipFault as fault:
        return rules.verdict_for_fault(fault.code, age=age), {"fault": fault.code}
    except payfip_client.PayfipUnavailable as exc:
        return rules.Verdict(rules.PENDING, False, f"PayFiP injoignable : {exc}"), {}
    return rules.verdict_for_result(answer.get("resultrans", "")), answer


def payfip_operation_settle(*, operation: PayfipOperation, trigger: str = "manual"
                            ) -> PayfipOperation:
    """Ask the provider about `operation` and apply its answer exactly once: paid →
    one Payment (or top-up) + confirmation email; refused/abandoned/expired → invoice
    back to "Enregistré"; an answer that does not match our record, or a payment for
    an invoice cancelled or already settled → anomaly, nothing credited. A final
    operation is not asked again (except a young "abandoned" one, which may turn paid);
    notifications and returns ask at most once per short window (rules.lookup_allowed)."""
    if not _worth_asking(operation) or not rules.lookup_allowed(
            trigger=trigger, checked_at=operation.checked_at, now=timezone.now()):
        return operation
    verdict, answer = _ask_provider(operation)
    with transaction.atomic():
        locked = PayfipOperation.objects.select_for_update().get(pk=operation.pk)
        if not _worth_asking(locked):
            return locked  # someone else settled it meanwhile
        locked.checked_at = timezone.now()
        locked.checks_count += 1
        _log(locked, f"recupererDetail ({trigger})",
             answer.get("resultrans") or answer.get("fault") or verdict.reason or "—")
        if answer and "fault" not in answer:
            locked.provider_answer = answer
            locked.result_code = answer.get("resultrans", "")[:4]
            locked.authorisation_number = answer.get("numauto", "")[:20]
        if verdict.status == rules.PAID:
            operation_credit(locked, answer)
        elif verdict.status == rules.PENDING:
            if verdict.reason:
                locked.anomaly = verdict.reason[:500]
        elif verdict.status != locked.status:
            locked.status = verdict.status
            locked.anomaly = verdict.reason
            locked.settled_at = timezone.now()
        locked.save()
        if locked.status != OperationStatus.PENDING:
            _pending_hook_clear(locked)
        return locked


def _worth_asking(operation: PayfipOperation) -> bool:
    if operation.status == OperationStatus.PENDING:
        return True
    young = timezone.now() - operation.created_at < rules.ATTEMPT_LIFETIME
    return operation.status == OperationStatus.ABANDONED and young


def payfip_reconcile_pending(*, older_than: timedelta = timedelta(minutes=5),
                             limit: int = 500) -> dict[str, int]:
    """Ask the provider about every pending operation not checked for `older_than`
    (the 5-minute job; agents' "Rapprocher maintenant" passes 0). Returns counts by
    resulting status."""
    counts: dict[str, int] = {}
    for operation in operations_to_reconcile(
            checked_before=timezone.now() - older_than, limit=limit):
        settled = payfip_operation_settle(operation=operation, trigger="rapprochement")
        counts[settled.status] = counts.get(settled.status, 0) + 1
    return counts


@transaction.atomic
def payfip_settings_update(*, form: "ModelForm[PayfipSettings]", acting_user: User
                           ) -> PayfipSettings:
    """Save the commune's PayFiP / SEPA creditor settings (administrators only)."""
    from tenant_apps.accounts.models import Role

    if acting_user.role != Role.ADMINISTRATOR:
        raise ValidationError("Seul un administrateur modifie les paramètres PayFiP.")
    row = form.save(commit=False)
    row.updated_by = acting_user
    row.save()
    return row


@transaction.atomic
def payfip_anomaly_resolve(*, operation: PayfipOperation, acting_user: User
                           ) -> PayfipOperation:
    """An agent records that an anomaly was dealt with (refund, manual entry...)."""
    from tenant_apps.accounts.access import BILLING_ROLES

    if acting_user.role not in BILLING_ROLES:
        raise ValidationError("Seuls le régisseur et l'administrateur traitent les anomalies.")
    locked = PayfipOperation.objects.select_for_update().get(pk=operation.pk)
    if locked.status != OperationStatus.ANOMALY or locked.resolved_at is not None:
        raise ValidationError("Cette opération n'a pas d'anomalie à traiter.")
    locked.resolved_at = timezone.now()
    locked.resolved_by = acting_user
    locked.save(update_fields=["resolved_at", "resolved_by"])
    _log(locked, "anomalie traitée", str(acting_user))
    return locked
