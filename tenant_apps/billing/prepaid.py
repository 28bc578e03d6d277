"""Prepaid accounts (prépaiement): an append-only ledger per household.

Top-ups are receipts. Bookings are debited at their price (the commune's rule: a
booked or attended day is debited; a cancellation within the deadline or by a closure
is credited back; a late family cancellation stays debited). `prepaid_sync` brings the
ledger in line with the bookings by APPENDING the difference per booking, never by
updating a row: the booking's debit is minus the sum of its entries. Closure credits
carry the closure's label (BookingEvent reason "closure:<id>", see bookings.closures);
a restore ("closure:<id>:restore") debits again. The balance is SUM(amount_cents)."""

import uuid
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from tenant_apps.accounts.access import BILLING_ROLES
from tenant_apps.accounts.models import User
from tenant_apps.billing import pricing
from tenant_apps.billing.models import LedgerKind, PaymentMethod, PrepaidLedgerEntry
from tenant_apps.billing.numbering import number_take
from tenant_apps.billing.prepaid_settlement import prepaid_ledger_lock
from tenant_apps.billing.pricing_inputs import PricingFacts
from tenant_apps.billing.printing import billing_mode
from tenant_apps.billing.selectors import billing_settings_get, prepaid_balance_cents
from tenant_apps.billing.tariffs import tariffs_covering
from tenant_apps.bookings.models import Booking, BookingEvent, ClosurePeriod
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.families.models import Household
from tenant_apps.outbox.services import outbox_email_enqueue
from tenants.selectors import current_commune_url

LOOKBACK_DAYS = 120
LOOKAHEAD_DAYS = 400


@transaction.atomic
def prepaid_top_up(*, household: Household, amount_cents: int, method: str,
                   acting_user: User) -> PrepaidLedgerEntry:
    """Credit the account with money received (a numbered receipt)."""
    if acting_user.role not in BILLING_ROLES:
        raise ValidationError("Seuls le régisseur et l'administrateur rechargent un compte.")
    if method not in PaymentMethod.values:
        raise ValidationError({"method": "Moyen de paiement inconnu."})
    if not 0 < amount_cents <= 1_000_000:
        raise ValidationError({"amount_cents": "Montant entre 0,01 € et 10 000 €."})
    _, receipt = number_take(series="receipt", year=timezone.localdate().year)
    return PrepaidLedgerEntry.objects.create(
        household=household, kind=LedgerKind.TOP_UP, amount_cents=amount_cents,
        label=f"Rechargement ({PaymentMethod(method).label})", method=method,
        receipt_number=receipt, source_key=f"topup:{uuid.uuid4()}", recorded_by=acting_user)


def _latest_events(booking_ids: list[int]) -> dict[int, BookingEvent]:
    latest = (BookingEvent.objects.filter(booking_id__in=booking_ids)
              .values("booking_id").annotate(m=Max("id")).values_list("m", flat=True))
    return {e.booking_id: e for e in BookingEvent.objects.filter(id__in=list(latest))}


def _closure_labels(events: dict[int, BookingEvent]) -> dict[int, str]:
    ids = {int(e.reason.split(":")[1]) for e in events.values()
           if e.reason.startswith("closure:") and e.reason.split(":")[1].isdigit()}
    return dict(ClosurePeriod.objects.filter(pk__in=ids).values_list("id", "label"))


def _wanted_debit(rule: pricing.TariffRule, unit: int, booking: Mapping[str, Any],
                  event: BookingEvent | None) -> int:
    state = booking["state"]
    if state == "cancelled" and event is not None and event.past_deadline \
            and not event.actor_is_agent and not event.reason.startswith("closure:"):
        return unit  # a late family cancellation is not credited back
    return sum(c.cents for c in pricing.charges_for_state(rule, state, unit))


def prepaid_sync(*, today: date | None = None) -> int:
    """Append the ledger entries that bring every recent booking's debit to its price;
    warn households whose balance falls under the threshold. Idempotent. Invoiced
    bookings are left alone: their invoice settled them (see prepaid_settlement)."""
    if billing_mode() != "prepaid":
        return 0
    today = today or timezone.localdate()
    with transaction.atomic():
        prepaid_ledger_lock()
        entries = _sync_entries(today)
        created = PrepaidLedgerEntry.objects.bulk_create(entries, ignore_conflicts=True)
    _warn_low_balances({e.household_id for e in entries if e.amount_cents < 0}, today)
    return len(created)


def _sync_entries(today: date) -> list[PrepaidLedgerEntry]:
    start, end = today - timedelta(days=LOOKBACK_DAYS), today + timedelta(days=LOOKAHEAD_DAYS)
    # In day order, so the account reads chronologically (newest movement first).
    bookings = list(Booking.objects.filter(day__gte=start, day__lte=end, invoiced=False).values(
        "id", "child_id", "service_id", "household_id", "day", "state", "child__first_name",
        "service__name").order_by("day", "service_id", "child_id"))
    ledger = {row["booking_id"]: row for row in PrepaidLedgerEntry.objects.filter(
        booking_id__in=[b["id"] for b in bookings]).values("booking_id").annotate(
        s=Sum("amount_cents"), n=Count("id"))}
    facts = PricingFacts({b["household_id"] for b in bookings},
                         tariffs_covering(list({b["service_id"] for b in bookings}), start, end))
    candidates = [b for b in bookings if b["state"] != "waiting" or b["id"] in ledger]
    events = _latest_events([b["id"] for b in candidates if b["state"] == "cancelled"
                             or b["id"] in ledger])
    closures = _closure_labels(events)
    entries = []
    for booking in candidates:
        found = facts.tariff(booking["service_id"], booking["day"])
        if found is None:
            continue
        tariff, rule = found
        who = facts.who(booking["household_id"], booking["child_id"], booking["day"])
        unit = facts.price(tariff, rule, who).unit_cents
        event = events.get(booking["id"])
        row = ledger.get(booking["id"])
        current = -int(row["s"] or 0) if row else 0
        delta = _wanted_debit(rule, unit, booking, event) - current
        if delta == 0:
            continue
        label = (f"Réservation du {booking['day']:%d/%m/%Y} · {booking['service__name']} · "
                 f"{booking['child__first_name']}")
        kind = LedgerKind.DEBIT if delta > 0 else LedgerKind.CREDIT
        if delta < 0:
            reason = event.reason if event else ""
            if reason.startswith("closure:") and not reason.endswith(":restore"):
                closure_id = int(reason.split(":")[1])
                label = f"Fermeture « {closures.get(closure_id, '')} » : {label}"
            else:
                label = f"Annulation : {label}"
        # The entry count tells apart two states with the same debit (e.g. debited, then
        # brought back to zero by a credit note that released the booking).
        entries.append(PrepaidLedgerEntry(
            household_id=booking["household_id"], kind=kind, amount_cents=-delta,
            label=label[:200], booking_id=booking["id"],
            source_key=(f"booking:{booking['id']}:{event.pk if event else 0}:{current}"
                        f"{':' + str(row['n']) if row and current == 0 else ''}")))
    return entries


def _warn_low_balances(household_ids: set[int], today: date) -> None:
    threshold = billing_settings_get().low_balance_cents
    commune = commune_settings_get().display_name
    link = current_commune_url("/factures/")
    guardians = defaultdict(list)
    from tenant_apps.families.models import Guardian

    for hid, email in Guardian.objects.filter(household_id__in=household_ids).exclude(
            email="").values_list("household_id", "email"):
        guardians[hid].append(email)
    for hid in sorted(household_ids):
        balance = prepaid_balance_cents(hid)
        if balance >= threshold or not guardians[hid]:
            continue
        with transaction.atomic():
            outbox_email_enqueue(
                recipients=guardians[hid][:2],
                subject="Votre compte prépayé est presque vide",
                body_text=render_to_string("billing/emails/low_balance.txt", {
                    "balance": pricing.euros_label(balance), "commune_name": commune,
                    "threshold": pricing.euros_label(threshold), "link": link}),
                idempotency_key=f"prepaid-low:{hid}:{today.isoformat()}",
            )
