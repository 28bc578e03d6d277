"""Demo billing: tariffs for every service, last month's invoices, payments and deposits.

- every demo commune: a tariff per service (meals by QF brackets qualifying for the
  "cantine à 1 €", after-school care flat with a sibling discount, ALSH by taux
  d'effort), effective from the start of the school year;
- régie (Plouaret) and perception (Lannion): last month's invoice run, issued (PDFs are
  rendered on first download), a few payments recorded by the régisseur (régie), and the
  group deposited (CSV export in régie, PES ORMC in perception); in régie, SEPA mandates
  for some households and a debit run of that group;
- prepaid (Perros-Guirec): a top-up for most households, the ledger synced with the
  bookings (debits, closure credits), then last month's invoices issued: each is settled
  from the household's account at issue (billing.prepaid_settlement), and the group
  deposited (CSV export).

Idempotent: a commune that already has an invoice run (or, in prepaid mode, a ledger) is
left alone."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from provisioning.demo_data import DEMO_COMMUNES
from tenants.db import use_commune, use_public
from tenants.models import Commune

MEAL_BRACKETS = ((450, 100), (900, 250), (None, 410))


def _regisseur(slug: str) -> Any:
    from tenant_apps.accounts.models import User

    return User.objects.filter(email=f"regisseur@{slug}.demo").first()


def _tariffs(actor: Any, starts_on: date) -> int:
    from tenant_apps.billing import pricing
    from tenant_apps.billing.models import Tariff
    from tenant_apps.billing.tariffs import tariff_create
    from tenant_apps.catalog.models import Service

    created = 0
    for service in Service.objects.exclude(pk__in=Tariff.objects.values("service_id")):
        fields: dict[str, Any] = {"effective_from": starts_on, "label": "Tarif de l'année",
                                  "bill_unjustified_absence": True,
                                  "unbooked_presence_penalty_cents": 150}
        brackets: tuple[pricing.Bracket, ...] = ()
        if service.kind == "repas":
            fields.update(kind=pricing.QF_BRACKETS, non_resident_cents=520, pai_cents=150)
            brackets = tuple(pricing.Bracket(q, a) for q, a in MEAL_BRACKETS)
        elif service.kind == "alsh":
            fields.update(kind=pricing.EFFORT_RATE, effort_rate_percent=Decimal("1.2"),
                          floor_cents=400, ceiling_cents=1800)
        else:
            fields.update(kind=pricing.FLAT, amount_cents=180,
                          sibling_discount_percent=Decimal(10), late_cancel_penalty_cents=100)
        tariff_create(service=service, fields=fields, brackets=brackets, acting_user=actor)
        created += 1
    return created


def _invoices(actor: Any, mode: str, today: date) -> str:
    from tenant_apps.billing import deposits, runs
    from tenant_apps.billing.models import Invoice, InvoiceGroup, InvoiceRun
    from tenant_apps.billing.payments import payment_record

    if InvoiceRun.objects.exists():
        return ""
    end = today.replace(day=1) - timedelta(days=1)
    run = runs.invoice_run_create(period_start=end.replace(day=1), period_end=end,
                                  acting_user=actor, dispatch=False)
    runs.invoice_run_compute(run=run, acting_user=actor)
    runs.invoice_run_start_issue(run=run, acting_user=actor, dispatch=False)
    run = runs.invoice_run_issue(run=run, acting_user=actor, render_pdfs=False)
    paid = 0
    if mode == "regie":
        for n, invoice in enumerate(Invoice.objects.filter(run=run).order_by("number")[:12]):
            amount = invoice.total_cents if n % 3 else max(invoice.total_cents // 2, 1)
            payment_record(household=invoice.household, method=("cash", "cheque", "cesu")[n % 3],
                           amount_cents=amount, received_on=today,
                           reference=f"{1_234_500 + n}" if n % 3 == 1 else "",
                           invoice=invoice, acting_user=actor)
            paid += 1
    group = InvoiceGroup.objects.filter(run=run).first()
    if group is not None:
        deposits.deposit_create(group=group, acting_user=actor, dispatch=False)
    if mode == "prepaid":
        return f"{run.invoices_count} factures ({run}) réglées par les comptes, groupe déposé"
    return f"{run.invoices_count} factures ({run}), {paid} paiements, groupe déposé"


def _prepaid(actor: Any, today: date) -> str:
    from django.db.models import Count

    from tenant_apps.billing.models import PrepaidLedgerEntry
    from tenant_apps.billing.prepaid import LOOKAHEAD_DAYS, prepaid_sync, prepaid_top_up
    from tenant_apps.bookings.models import Booking
    from tenant_apps.families.models import Household

    if PrepaidLedgerEntry.objects.exists():
        return ""
    booked = dict(Booking.objects.filter(
        day__lte=today + timedelta(days=LOOKAHEAD_DAYS), invoiced=False,
    ).exclude(state__in=["cancelled", "waiting"]).values("household_id")
        .annotate(n=Count("id")).values_list("household_id", "n"))
    households = list(Household.objects.order_by("pk"))
    for n, household in enumerate(households):
        if n % 5 == 4:  # one household in five has not topped up: low-balance warnings
            continue
        # Enough for the year's bookings (about 5 € a day at most) and a margin, in tens.
        need = min(booked.get(household.pk, 0) * 500 + 2000, 1_000_000)
        prepaid_top_up(household=household, amount_cents=-(-need // 1000) * 1000,
                       method=("cash", "card", "cheque")[n % 3], acting_user=actor)
    entries = prepaid_sync(today=today)
    return f"{len(households)} comptes prépayés, {entries} mouvements de réservations"


DEMO_ICS = "FR72ZZZ123456"  # a well-formed creditor identifier, not a real one


def _sepa(actor: Any, today: date) -> str:
    """Régie: the creditor's SEPA settings, a mandate for one household in four with an
    unpaid invoice, and a debit run of last month's deposited group, due in two weeks."""
    from schwifty import IBAN

    from tenant_apps.billing.models import Invoice, InvoiceGroup
    from tenant_apps.billing.selectors import only_due, with_amounts
    from tenant_apps.families.models import Household
    from tenant_apps.payments import sepa
    from tenant_apps.payments.models import DebitRun, PayfipSettings

    group = InvoiceGroup.objects.filter(deposit__isnull=False).first()
    if group is None or DebitRun.objects.exists():
        return ""
    PayfipSettings.objects.update_or_create(singleton=True, defaults={
        "creditor_identifier": DEMO_ICS, "creditor_name": "Régie enfance",
        "creditor_iban": str(IBAN.generate("FR", bank_code="3000600001",
                                           account_code="00000000001"))})
    due = only_due(with_amounts(Invoice.objects.filter(group=group)))
    households = Household.objects.filter(pk__in=due.values("household_id")).order_by("pk")
    for n, household in enumerate(households):
        if n % 4 == 0:
            sepa.mandate_create(
                household=household, holder_name=household.name,
                iban=str(IBAN.generate("FR", bank_code="3000400001",
                                       account_code=f"{household.pk:011d}")),
                bic="", signed_on=date(today.year if today.month >= 9 else today.year - 1,
                                       9, 1), acting_user=actor)
    run = sepa.debit_run_create(group=group, collection_date=today + timedelta(days=14),
                                acting_user=actor)
    return f"prélèvement SEPA de {run.count} factures préparé (mandats de démonstration)"


def seed_commune_billing(*, commune: Commune, slug: str, today: date) -> list[str]:
    """Seed one commune's billing (inside its schema); returns what was done, in French."""
    from tenant_apps.schooling.models import SchoolYear

    actor = _regisseur(slug)
    year = SchoolYear.objects.filter(is_current=True).first()
    if actor is None or year is None:
        return []
    done = []
    if _tariffs(actor, year.starts_on):
        done.append("tarifs de démonstration créés")
    mode = str(commune.billing_mode)
    if mode == "prepaid":
        done.append(_prepaid(actor, today))
    done.append(_invoices(actor, mode, today))
    if mode == "regie":
        done.append(_sepa(actor, today))
    return [line for line in done if line]


def seed_billing_demo(*, log: Callable[[str], None] = print, today: date | None = None) -> None:
    """Seed billing in the demo communes (after demo_seed made their families)."""
    today = today or timezone.localdate()
    for spec in DEMO_COMMUNES:
        commune = Commune.objects.filter(slug=spec.slug).first()
        if commune is None:
            continue
        use_commune(commune)
        try:
            for line in seed_commune_billing(commune=commune, slug=spec.slug, today=today):
                log(f"{spec.name} : {line}")
        finally:
            use_public()
