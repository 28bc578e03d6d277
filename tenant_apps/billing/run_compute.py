"""Computation of an invoice run's drafts, split into chunks of households.

`invoice_run_compute_start` resets the run (drops its drafts, never issued invoices),
lists the households with billable bookings in the period and splits them into chunks;
each chunk is then computed by `invoice_run_compute_chunk`, in the worker one Celery task
per chunk, running in parallel (`tasks.invoice_run_compute_task` fans them out).

A chunk is idempotent: in one transaction it deletes its households' drafts and inserts
them again, and adjusts the run's counters by the difference (F() expressions), so a
redelivered chunk changes nothing. Two copies of one chunk are serialised by an advisory
lock; each chunk records itself in the run's summary under the run row's lock, and the
chunk that completes the set marks the run computed, exactly once. A chunk of an older
computation (the run was recomputed since) carries a stale token and does nothing.

Chunks hold FOR KEY SHARE on the run row while they write, which does not block each
other but makes recompute and delete (FOR UPDATE) wait for chunks in flight."""

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Sum
from django.utils import timezone

from tenant_apps.billing import pricing
from tenant_apps.billing.models import (
    Invoice,
    InvoiceLine,
    InvoiceRun,
    InvoiceStatus,
    LineKind,
    RunStatus,
)
from tenant_apps.billing.pricing_inputs import PricingFacts
from tenant_apps.billing.tariffs import tariffs_covering
from tenant_apps.bookings.models import Booking, BookingEvent
from tenant_apps.catalog.models import Service
from tenants.db import transaction_advisory_lock

CHUNK = 500
BILLABLE_STATES = ("booked", "attended", "absent_unjustified", "unbooked_presence", "cancelled")


def period_bookings(start: date, end: date) -> Any:
    """Bookings of the period a run may bill (not yet invoiced)."""
    return Booking.objects.filter(day__gte=start, day__lte=end, invoiced=False,
                                  state__in=BILLABLE_STATES)


def _late_cancelled_ids(start: date, end: date, household_ids: list[int]) -> set[int]:
    """Bookings a family cancelled past the deadline (the late-cancel penalty applies)."""
    latest = BookingEvent.objects.filter(booking_id=OuterRef("booking_id"),
                                         id__gt=OuterRef("id"))
    return set(
        BookingEvent.objects.filter(
            booking__day__gte=start, booking__day__lte=end, booking__state="cancelled",
            booking__invoiced=False, booking__household_id__in=household_ids,
            to_state="cancelled", past_deadline=True, actor_is_agent=False,
        ).filter(~Exists(latest)).values_list("booking_id", flat=True)
    )


def _line_label(service_name: str, extra: str) -> str:
    return f"{service_name} ({extra})" if extra else service_name


def compute_lines(run: InvoiceRun, household_ids: list[int],
                  ) -> tuple[dict[int, list[InvoiceLine]], dict[str, int]]:
    """Price the period's bookings of these households: their lines (not saved) and the
    bookings left unbilled for want of a tariff, by service name."""
    rows = list(period_bookings(run.period_start, run.period_end)
                .filter(household_id__in=household_ids).order_by("id").values_list(
                    "id", "child_id", "service_id", "household_id", "day", "state"))
    late = _late_cancelled_ids(run.period_start, run.period_end, household_ids)
    service_ids = sorted({r[2] for r in rows})
    names = dict(Service.objects.filter(pk__in=service_ids).values_list("id", "name"))
    facts = PricingFacts((r[3] for r in rows),
                         tariffs_covering(service_ids, run.period_start, run.period_end))
    lines: dict[int, list[InvoiceLine]] = defaultdict(list)
    without_tariff: dict[str, int] = defaultdict(int)
    for booking_id, child_id, service_id, household_id, day, state in rows:
        if state == "cancelled" and booking_id not in late:
            continue
        found = facts.tariff(service_id, day)
        if found is None:
            without_tariff[names[service_id]] += 1
            continue
        tariff, rule = found
        price = facts.price(tariff, rule, facts.who(household_id, child_id, day))
        for charge in pricing.charges_for_state(rule, state, price.unit_cents,
                                                late_cancel=booking_id in late):
            extra = ", ".join(filter(None, [charge.label, *price.reasons]))
            lines[household_id].append(InvoiceLine(
                kind=LineKind.PENALTY if charge.kind == "penalty" else LineKind.SERVICE,
                child_id=child_id, service_id=service_id, booking_id=booking_id, day=day,
                label=_line_label(names[service_id], extra), quantity=1,
                unit_cents=charge.cents, total_cents=charge.cents,
            ))
    return lines, dict(without_tariff)


def _split(ids: list[int], size: int) -> list[list[int]]:
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def invoice_run_compute_start(*, run: InvoiceRun, chunk_size: int | None = None,
                              ) -> tuple[str, list[list[int]]]:
    """Reset a run for a new computation; returns its token and its chunks of households.

    Drops the run's drafts (issued invoices are never touched), sets the run computing
    with a fresh token (chunks of an earlier computation then do nothing). A period
    without billable bookings is computed at once (no chunk)."""
    with transaction.atomic():
        run = InvoiceRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in (RunStatus.PENDING, RunStatus.COMPUTING, RunStatus.COMPUTED,
                              RunStatus.FAILED):
            raise ValidationError("Cette facturation ne peut plus être recalculée.")
        drafts = Invoice.objects.filter(run=run, status=InvoiceStatus.DRAFT)
        InvoiceLine.objects.filter(invoice__in=drafts).delete()
        drafts.delete()
        bookings = period_bookings(run.period_start, run.period_end)
        household_ids = sorted(set(bookings.values_list("household_id", flat=True)))
        chunks = _split(household_ids, max(1, chunk_size or CHUNK))
        token = uuid4().hex
        run.status, run.error, run.finished_at = RunStatus.COMPUTING, "", None
        run.households_done = run.invoices_count = run.total_cents = 0
        run.households_total = len(household_ids)
        run.summary = {"bookings": bookings.count(), "without_tariff": {},
                       "compute": {"token": token, "chunks": len(chunks), "done": []}}
        if not chunks:
            run.status, run.finished_at = RunStatus.COMPUTED, timezone.now()
        run.save()
    return token, chunks


def _lock_chunk(run_id: int, index: int) -> dict[str, Any] | None:
    """Serialise copies of one chunk; hold the run row FOR KEY SHARE; return it."""
    table = InvoiceRun._meta.db_table
    transaction_advisory_lock(f"billing-run:{run_id}:{index}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status, period_start, period_end, summary FROM {table} "  # noqa: S608 - model's own table name
                       "WHERE id = %s FOR KEY SHARE", [run_id])
        row = cursor.fetchone()
    if row is None:
        return None
    summary = json.loads(row[3]) if isinstance(row[3], str) else row[3]  # Django: jsonb as text
    return {"status": row[0], "period_start": row[1], "period_end": row[2],
            "summary": summary if isinstance(summary, dict) else {}}


def _merge(counts: dict[str, int], more: Iterable[tuple[str, int]]) -> dict[str, int]:
    merged = dict(counts)
    for name, n in more:
        merged[name] = merged.get(name, 0) + n
    return merged


def invoice_run_compute_chunk(*, run_id: int, token: str, index: int,
                              household_ids: list[int]) -> bool:
    """Compute (again) the drafts of one chunk of households, in one transaction.

    Idempotent (delete-then-insert, counters moved by the difference). Returns True when
    this chunk completed the run (it is then marked computed, exactly once). Does nothing
    for a deleted run or one recomputed since (stale token)."""
    with transaction.atomic():
        state = _lock_chunk(run_id, index)
        if (state is None or state["status"] != RunStatus.COMPUTING
                or state["summary"].get("compute", {}).get("token") != token):
            return False
        run = InvoiceRun(pk=run_id, period_start=state["period_start"],
                         period_end=state["period_end"])
        drafts = Invoice.objects.filter(run_id=run_id, status=InvoiceStatus.DRAFT,
                                        household_id__in=household_ids)
        old = drafts.aggregate(n=Count("id"), cents=Sum("total_cents"))
        InvoiceLine.objects.filter(invoice__in=drafts).delete()
        drafts.delete()
        lines, without_tariff = compute_lines(run, household_ids)
        billed = [hid for hid in sorted(lines) if sum(x.total_cents for x in lines[hid])]
        invoices = Invoice.objects.bulk_create([
            Invoice(household_id=hid, run_id=run_id, period_start=run.period_start,
                    period_end=run.period_end,
                    total_cents=sum(x.total_cents for x in lines[hid]))
            for hid in billed])
        batch = []
        for invoice in invoices:
            for line in lines[invoice.household_id]:
                line.invoice = invoice
                batch.append(line)
        InvoiceLine.objects.bulk_create(batch, batch_size=5000)
        new_cents = sum(i.total_cents for i in invoices)

        locked = InvoiceRun.objects.select_for_update(no_key=True).only("summary").get(
            pk=run_id)
        summary = dict(locked.summary)
        compute = dict(summary["compute"])
        first_time = index not in compute["done"]
        if first_time:
            compute["done"] = [*compute["done"], index]
            summary["without_tariff"] = _merge(summary.get("without_tariff", {}),
                                               without_tariff.items())
            summary["compute"] = compute
        finished = first_time and len(compute["done"]) >= compute["chunks"]
        changes: dict[str, Any] = {
            "households_done": F("households_done") + (len(household_ids) if first_time else 0),
            "invoices_count": F("invoices_count") + len(invoices) - old["n"],
            "total_cents": F("total_cents") + new_cents - (old["cents"] or 0),
            "summary": summary,
        }
        if finished:
            changes.update(status=RunStatus.COMPUTED, finished_at=timezone.now())
        InvoiceRun.objects.filter(pk=run_id).update(**changes)
    return finished
