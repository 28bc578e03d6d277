"""SEPA direct debit (régie mode, finance spec §4): mandates per household, debit runs
producing a pain.008.001.02 file with sepaxml, returns (rejets) and confirmation.

Life of a debit: the run marks each debited invoice "En paiement" (payment hook); an
agent records returns (the invoice is unpaid again and a reminder goes out through
billing's reminder service), then confirms the collection, which records one Payment
per debit that was not returned. A return that arrives after the confirmation (the bank
may reject up to weeks later) reverses that Payment through billing's `payment_reverse`:
the payment stays, a reversal is appended, the invoice is due again and reminded once."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from sepaxml import SepaDD

from tenant_apps.accounts.access import BILLING_ROLES
from tenant_apps.accounts.models import Role, User
from tenant_apps.billing.models import (
    Invoice,
    InvoiceGroup,
    InvoiceKind,
    InvoiceStatus,
    PaymentMethod,
    PaymentReversal,
)
from tenant_apps.billing.payments import (
    billing_recipients,
    invoice_reminder_send,
    payment_record,
    payment_reverse,
)
from tenant_apps.billing.selectors import with_amounts
from tenant_apps.families.models import Household
from tenant_apps.payments import sepa_rules
from tenant_apps.payments.models import (
    DebitItem,
    DebitRun,
    Mandate,
    MandateSequence,
    MandateStatus,
)
from tenant_apps.payments.selectors import payfip_settings_get

MANDATE_ROLES = frozenset(BILLING_ROLES | {Role.AGENT})


def _require(acting_user: User, roles: frozenset[str], message: str) -> None:
    if acting_user.role not in roles:
        raise ValidationError(message)


def _new_mandate(*, household: Household, holder_name: str, iban: str, bic: str,
                 status: str, signed_on: date | None, acting_user: User) -> Mandate:
    if not holder_name.strip():
        raise ValidationError({"holder_name": "Indiquez le titulaire du compte."})
    try:
        account = sepa_rules.account_check(iban, bic)
    except ValueError as exc:
        raise ValidationError({"iban": str(exc)}) from exc
    mandate = Mandate.objects.create(
        household=household, rum=f"TMP-{timezone.now().timestamp()}", holder_name=holder_name
        .strip()[:70], iban=account.iban, bic=account.bic, signed_on=signed_on, status=status,
        sequence=MandateSequence.FRST, created_by=acting_user)
    mandate.rum = sepa_rules.rum_for(household.pk, mandate.pk)
    mandate.save(update_fields=["rum"])
    return mandate


@transaction.atomic
def mandate_create(*, household: Household, holder_name: str, iban: str, bic: str,
                   signed_on: date, acting_user: User) -> Mandate:
    """An agent records a signed mandate: active at once; the household's previous
    active mandates are revoked (one active mandate per household)."""
    _require(acting_user, MANDATE_ROLES, "Vous ne pouvez pas enregistrer de mandat.")
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "La date de signature est dans le futur."})
    Mandate.objects.filter(household=household, status=MandateStatus.ACTIVE).update(
        status=MandateStatus.REVOKED)
    return _new_mandate(household=household, holder_name=holder_name, iban=iban, bic=bic,
                        status=MandateStatus.ACTIVE, signed_on=signed_on,
                        acting_user=acting_user)


@transaction.atomic
def mandate_request(*, household: Household, holder_name: str, iban: str, bic: str,
                    acting_user: User) -> Mandate:
    """A parent asks online for direct debit; an agent validates it once signed."""
    _require(acting_user, frozenset({Role.GUARDIAN}), "Demande réservée aux familles.")
    if Mandate.objects.filter(household=household, status=MandateStatus.REQUESTED).exists():
        raise ValidationError("Une demande de prélèvement est déjà en attente de validation.")
    return _new_mandate(household=household, holder_name=holder_name, iban=iban, bic=bic,
                        status=MandateStatus.REQUESTED, signed_on=None,
                        acting_user=acting_user)


@transaction.atomic
def mandate_validate(*, mandate: Mandate, signed_on: date, acting_user: User) -> Mandate:
    """An agent activates a requested mandate (signature received)."""
    _require(acting_user, MANDATE_ROLES, "Vous ne pouvez pas valider de mandat.")
    locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if locked.status != MandateStatus.REQUESTED:
        raise ValidationError("Ce mandat n'est pas en attente de validation.")
    Mandate.objects.filter(household_id=locked.household_id, status=MandateStatus.ACTIVE
                           ).update(status=MandateStatus.REVOKED)
    locked.status, locked.signed_on = MandateStatus.ACTIVE, signed_on
    locked.save(update_fields=["status", "signed_on"])
    return locked


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, acting_user: User) -> Mandate:
    _require(acting_user, MANDATE_ROLES, "Vous ne pouvez pas révoquer de mandat.")
    Mandate.objects.filter(pk=mandate.pk).update(status=MandateStatus.REVOKED)
    mandate.refresh_from_db()
    return mandate


def _creditor_config() -> dict[str, Any]:
    row = payfip_settings_get()
    if not sepa_rules.ics_valid(row.creditor_identifier):
        raise ValidationError("Renseignez un identifiant créancier SEPA (ICS) valide dans "
                              "les paramètres.")
    try:
        account = sepa_rules.account_check(row.creditor_iban, row.creditor_bic)
    except ValueError as exc:
        raise ValidationError(f"Compte de la régie : {exc}") from exc
    if not row.creditor_name.strip() or not account.bic:
        raise ValidationError("Renseignez le nom et le BIC de la régie dans les paramètres.")
    return {"name": row.creditor_name.strip()[:70], "IBAN": account.iban, "BIC": account.bic,
            "batch": True, "creditor_id": row.creditor_identifier.strip().upper(),
            "currency": "EUR"}


@transaction.atomic
def debit_run_create(*, group: InvoiceGroup, collection_date: date, acting_user: User
                     ) -> DebitRun:
    """pain.008 for the deposited group's unpaid invoices whose household has an active
    mandate; each debited invoice becomes "En paiement"; FRST mandates move to RCUR."""
    _require(acting_user, frozenset(BILLING_ROLES),
             "Seuls le régisseur et l'administrateur lancent un prélèvement.")
    if not hasattr(group, "deposit"):
        raise ValidationError("Déposez d'abord le groupe de factures.")
    if collection_date <= timezone.localdate():
        raise ValidationError({"collection_date": "La date de prélèvement doit être future "
                                                  "(pré-notification : 14 jours)."})
    sepa = SepaDD(_creditor_config(), schema="pain.008.001.02", clean=True)
    mandates = {m.household_id: m for m in Mandate.objects.filter(
        status=MandateStatus.ACTIVE, household__invoices__group=group).distinct()}
    invoices: list[Any] = list(with_amounts(Invoice.objects.filter(
        group=group, status=InvoiceStatus.ISSUED, kind=InvoiceKind.INVOICE,
        payment_pending_since__isnull=True, household_id__in=list(mandates),
    )).filter(due_cents__gt=0).order_by("number"))  # type: ignore[misc]
    if not invoices:
        raise ValidationError("Aucune facture à prélever : aucun foyer de ce groupe n'a de "
                              "mandat actif, ou tout est déjà réglé.")
    run = DebitRun.objects.create(group=group, collection_date=collection_date,
                                  created_by=acting_user)
    items = []
    for invoice in invoices:
        mandate = mandates[invoice.household_id]
        item = DebitItem(run=run, invoice=invoice, mandate=mandate,
                         amount_cents=int(invoice.due_cents), sequence=mandate.sequence,
                         end_to_end_id=sepa_rules.end_to_end_id(invoice.number, run.pk))
        sepa.add_payment({
            "name": mandate.holder_name, "IBAN": mandate.iban, "BIC": mandate.bic or None,
            "amount": item.amount_cents, "type": item.sequence,
            "collection_date": collection_date, "mandate_id": mandate.rum,
            "mandate_date": mandate.signed_on or mandate.created_at.date(),
            "description": f"Facture {invoice.number}", "endtoend_id": item.end_to_end_id})
        items.append(item)
    DebitItem.objects.bulk_create(items)
    run.file_xml = sepa.export(validate=True).decode()
    run.count, run.total_cents = len(items), sum(i.amount_cents for i in items)
    run.save(update_fields=["file_xml", "count", "total_cents"])
    Invoice.objects.filter(pk__in=[i.pk for i in invoices]).update(
        payment_pending_since=timezone.now())
    Mandate.objects.filter(pk__in={m.pk for m in mandates.values()},
                           sequence=MandateSequence.FRST).update(sequence=MandateSequence.RCUR)
    return run


@transaction.atomic
def debit_return_record(*, item: DebitItem, reason: str, acting_user: User) -> DebitItem:
    """A rejet: the invoice is unpaid again (hook cleared) and reminded to the family.
    After the collection was confirmed, the recorded payment is reversed instead
    (reason "Rejet de prélèvement : …"), which reminds the family itself. A payment the
    régisseur already reversed by hand only gets the bank's return noted (no second
    reminder). A reason code saying the account or mandate cannot be debited again
    (sepa_rules.MANDATE_UNUSABLE_REASONS) revokes the mandate."""
    _require(acting_user, frozenset(BILLING_ROLES),
             "Seuls le régisseur et l'administrateur enregistrent un rejet.")
    locked = DebitItem.objects.select_for_update().get(pk=item.pk)
    if locked.returned_at is not None:
        raise ValidationError("Ce prélèvement est déjà rejeté.")
    read = sepa_rules.return_reason(reason)
    reason = read.text
    locked.returned_at = timezone.now()
    locked.return_reason = reason
    locked.save(update_fields=["returned_at", "return_reason"])
    if read.mandate_unusable and Mandate.objects.filter(  # the next run would fail too
            pk=locked.mandate_id, status=MandateStatus.ACTIVE).update(
            status=MandateStatus.REVOKED):
        _mandate_revoked_email(locked, reason)
    payment = locked.payment
    if payment is None:
        Invoice.objects.filter(pk=locked.invoice_id).update(payment_pending_since=None)
        invoice_reminder_send(invoice=locked.invoice, acting_user=acting_user)
    elif not PaymentReversal.objects.filter(payment=payment).exists():
        payment_reverse(payment=payment, reason=f"Rejet de prélèvement : {reason}",
                        acting_user=acting_user)
    return locked


def _mandate_revoked_email(item: DebitItem, reason: str) -> None:
    from django.template.loader import render_to_string

    from tenant_apps.commune_settings.selectors import commune_settings_get
    from tenant_apps.outbox.services import outbox_email_enqueue
    from tenants.selectors import current_commune_url

    recipients = billing_recipients(item.invoice.household_id)
    if not recipients:
        return
    outbox_email_enqueue(
        recipients=recipients, subject="Votre prélèvement automatique est interrompu",
        body_text=render_to_string("payments/emails/mandate_revoked.txt", {
            "reason": reason, "invoice": item.invoice, "mandate": item.mandate,
            "commune_name": commune_settings_get().display_name,
            "link": current_commune_url("/paiement/prelevement/"),
        }),
        idempotency_key=f"sepa-mandate-revoked:{item.mandate_id}")


@transaction.atomic
def debit_run_confirm(*, run: DebitRun, acting_user: User) -> int:
    """The collection went through: one Payment per debit not returned; returns count."""
    _require(acting_user, frozenset(BILLING_ROLES),
             "Seuls le régisseur et l'administrateur confirment un prélèvement.")
    if run.collection_date > timezone.localdate():
        raise ValidationError("Attendez la date de prélèvement pour confirmer l'encaissement.")
    done = 0
    for item in DebitItem.objects.select_for_update().filter(
            run=run, returned_at__isnull=True, payment__isnull=True).select_related("invoice"):
        item.payment = payment_record(
            household=item.invoice.household, method=PaymentMethod.DIRECT_DEBIT,
            amount_cents=item.amount_cents, received_on=run.collection_date,
            reference=f"Prélèvement SEPA {item.end_to_end_id}"[:80], invoice=item.invoice,
            acting_user=acting_user)
        item.save(update_fields=["payment"])
        Invoice.objects.filter(pk=item.invoice_id).update(payment_pending_since=None)
        done += 1
    return done
