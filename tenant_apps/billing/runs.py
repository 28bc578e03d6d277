"""Invoice runs (campagnes de facturation): create, compute drafts, issue, delete.

Compute reads the period's bookings set-based (a handful of queries whatever the number
of households), prices them with the pure rules of `pricing`, and writes drafts with
bulk inserts, a chunk of households per transaction so the agent sees progress.
Re-computing deletes this run's drafts only: issued invoices are never touched.

Issue numbers the drafts gap-free (chunk by chunk, each chunk taking its numbers from
the locked counter in its own transaction), marks the covered bookings invoiced, puts
the invoices in the run's group, then renders and stores one PDF per invoice."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format

from tenant_apps.accounts.access import BILLING_ROLES
from tenant_apps.accounts.models import User
from tenant_apps.billing import pricing
from tenant_apps.billing.models import (
    Invoice,
    InvoiceGroup,
    InvoiceLine,
    InvoiceRun,
    InvoiceStatus,
    LineKind,
    RunStatus,
)
from tenant_apps.billing.numbering import format_number, numbers_take
from tenant_apps.billing.pricing_inputs import PricingFacts
from tenant_apps.billing.selectors import billing_settings_get
from tenant_apps.billing.tariffs import tariffs_covering
from tenant_apps.bookings.models import Booking, BookingEvent
from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Household
from tenants.db import current_schema

CHUNK = 500
BILLABLE_STATES = ("booked", "attended", "absent_unjustified", "unbooked_presence", "cancelled")
ROLE_REFUSED = "Votre rôle ne permet pas de lancer la facturation."


def _require_role(acting_user: User | None) -> None:
    if acting_user is not None and acting_user.role not in BILLING_ROLES:
        raise ValidationError(ROLE_REFUSED)


def _dispatch(task_name: str, run_id: int) -> None:
    from tenant_apps.billing import tasks

    task = getattr(tasks, task_name)
    schema = current_schema()  # captured now: at commit the connection may be elsewhere
    transaction.on_commit(
        lambda: task.apply_async(args=[run_id], headers={"_schema_name": schema})
    )


def _period_bookings(start: date, end: date) -> Any:
    return Booking.objects.filter(day__gte=start, day__lte=end, invoiced=False,
                                  state__in=BILLABLE_STATES)


def invoice_run_preview(*, period_start: date, period_end: date) -> dict[str, int]:
    """What a run over the period would cover (shown before the agent confirms)."""
    bookings = _period_bookings(period_start, period_end).exclude(state="cancelled")
    counts = bookings.aggregate(bookings=Count("id"),
                                households=Count("household_id", distinct=True))
    services_without = (
        bookings.values("service_id").distinct().count()
        - len({t.service_id for t in tariffs_covering(
            list(bookings.values_list("service_id", flat=True).distinct()),
            period_start, period_end)})
    )
    already = Booking.objects.filter(day__gte=period_start, day__lte=period_end,
                                     invoiced=True).count()
    return {"bookings": counts["bookings"], "households": counts["households"],
            "services_without_tariff": services_without, "already_invoiced": already}


@transaction.atomic
def invoice_run_create(*, period_start: date, period_end: date, acting_user: User,
                       dispatch: bool = True) -> InvoiceRun:
    """Open a run over the period and queue its computation (Celery, after commit).

    Only one run may be open (not yet issued) at a time, so no booking can sit in two
    sets of drafts."""
    _require_role(acting_user)
    if period_end < period_start:
        raise ValidationError({"period_end": "La fin de période précède son début."})
    if period_end - period_start > timedelta(days=366):
        raise ValidationError({"period_end": "Une facturation couvre au plus un an."})
    with connection.cursor() as cursor:  # serialises run creation within this commune
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                       [f"{current_schema()}:billing-run"])
    open_run = InvoiceRun.objects.exclude(status=RunStatus.ISSUED).first()
    if open_run is not None:
        raise ValidationError(
            f"Une facturation est déjà ouverte ({open_run}) : émettez-la ou supprimez-la "
            "avant d'en lancer une autre.")
    run = InvoiceRun.objects.create(period_start=period_start, period_end=period_end,
                                    created_by=acting_user)
    if dispatch:
        _dispatch("invoice_run_compute_task", run.pk)
    return run


@transaction.atomic
def invoice_run_recompute(*, run: InvoiceRun, acting_user: User,
                          dispatch: bool = True) -> InvoiceRun:
    """Queue a new computation of a run's drafts (bookings may have changed)."""
    _require_role(acting_user)
    locked = InvoiceRun.objects.select_for_update().get(pk=run.pk)
    if locked.status not in (RunStatus.COMPUTED, RunStatus.FAILED):
        raise ValidationError("Cette facturation ne peut plus être recalculée.")
    locked.status = RunStatus.PENDING
    locked.save(update_fields=["status"])
    if dispatch:
        _dispatch("invoice_run_compute_task", locked.pk)
    return locked


@transaction.atomic
def invoice_run_delete(*, run: InvoiceRun, acting_user: User) -> None:
    """Delete a run that was not issued, with its drafts."""
    _require_role(acting_user)
    locked = InvoiceRun.objects.select_for_update().get(pk=run.pk)
    if locked.status not in (RunStatus.COMPUTED, RunStatus.FAILED, RunStatus.PENDING):
        raise ValidationError("Une facturation émise ou en cours ne peut pas être supprimée.")
    drafts = Invoice.objects.filter(run=locked, status=InvoiceStatus.DRAFT)
    InvoiceLine.objects.filter(invoice__in=drafts).delete()
    drafts.delete()
    locked.delete()


def _late_cancelled_ids(start: date, end: date) -> set[int]:
    """Bookings a family cancelled past the deadline (the late-cancel penalty applies)."""
    latest = BookingEvent.objects.filter(booking_id=OuterRef("booking_id"),
                                         id__gt=OuterRef("id"))
    return set(
        BookingEvent.objects.filter(
            booking__day__gte=start, booking__day__lte=end, booking__state="cancelled",
            booking__invoiced=False, to_state="cancelled", past_deadline=True,
            actor_is_agent=False,
        ).filter(~Exists(latest)).values_list("booking_id", flat=True)
    )


def _line_label(service_name: str, extra: str) -> str:
    return f"{service_name} ({extra})" if extra else service_name


def _compute_lines(run: InvoiceRun) -> tuple[dict[int, list[InvoiceLine]], dict[str, Any]]:
    rows = list(_period_bookings(run.period_start, run.period_end).values_list(
        "id", "child_id", "service_id", "household_id", "day", "state"))
    late = _late_cancelled_ids(run.period_start, run.period_end)
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
    summary = {"bookings": len(rows), "without_tariff": dict(without_tariff)}
    return lines, summary


def invoice_run_compute(*, run: InvoiceRun, acting_user: User | None = None) -> InvoiceRun:
    """Compute the drafts of a run (replacing its previous drafts only).

    Runs in the worker; each chunk of households is its own transaction so progress
    shows while it works. Households whose lines sum to zero get no invoice."""
    _require_role(acting_user)
    with transaction.atomic():
        run = InvoiceRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in (RunStatus.PENDING, RunStatus.COMPUTED, RunStatus.FAILED):
            raise ValidationError("Cette facturation ne peut plus être recalculée.")
        drafts = Invoice.objects.filter(run=run, status=InvoiceStatus.DRAFT)
        InvoiceLine.objects.filter(invoice__in=drafts).delete()
        drafts.delete()
        run.status, run.error = RunStatus.COMPUTING, ""
        run.households_done = run.invoices_count = run.total_cents = 0
        run.save()
    lines, summary = _compute_lines(run)
    household_ids = sorted(hid for hid, ls in lines.items() if sum(x.total_cents for x in ls))
    InvoiceRun.objects.filter(pk=run.pk).update(households_total=len(household_ids),
                                                summary=summary)
    invoices_count = total = 0
    for start in range(0, len(household_ids), CHUNK):
        chunk = household_ids[start:start + CHUNK]
        with transaction.atomic():
            invoices = Invoice.objects.bulk_create([
                Invoice(household_id=hid, run=run, period_start=run.period_start,
                        period_end=run.period_end,
                        total_cents=sum(x.total_cents for x in lines[hid]))
                for hid in chunk
            ])
            batch = []
            for invoice in invoices:
                for line in lines[invoice.household_id]:
                    line.invoice = invoice
                    batch.append(line)
            InvoiceLine.objects.bulk_create(batch, batch_size=5000)
            invoices_count += len(invoices)
            total += sum(i.total_cents for i in invoices)
            InvoiceRun.objects.filter(pk=run.pk).update(
                households_done=start + len(chunk), invoices_count=invoices_count,
                total_cents=total)
    InvoiceRun.objects.filter(pk=run.pk).update(status=RunStatus.COMPUTED,
                                                finished_at=timezone.now())
    run.refresh_from_db()
    return run


def _address(household: Household) -> str:
    city = " ".join(filter(None, [household.postcode, household.city]))
    return "\n".join(filter(None, [household.address, city]))


def _group_label(run: InvoiceRun) -> str:
    if (run.period_start.day == 1 and run.period_start.month == run.period_end.month
            and (run.period_end + timedelta(days=1)).day == 1):
        return f"Factures de {date_format(run.period_start, 'F Y')}"
    return (f"Factures du {date_format(run.period_start, 'j F Y')} "
            f"au {date_format(run.period_end, 'j F Y')}")


def invoice_run_start_issue(*, run: InvoiceRun, acting_user: User,
                            dispatch: bool = True) -> InvoiceRun:
    """Check the run can be issued and queue the issue (numbers, PDFs) in the worker."""
    _require_role(acting_user)
    with transaction.atomic():
        locked = InvoiceRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.COMPUTED:
            raise ValidationError("Seuls des brouillons calculés peuvent être émis.")
        locked.status = RunStatus.ISSUING
        locked.pdfs_done = 0
        locked.save(update_fields=["status", "pdfs_done"])
        if dispatch:
            _dispatch("invoice_run_issue_task", locked.pk)
    return locked


def invoice_run_issue(*, run: InvoiceRun, acting_user: User | None = None,
                      render_pdfs: bool = True) -> InvoiceRun:
    """Number the run's drafts gap-free, mark their bookings invoiced, group them, then
    render and store their PDFs. Idempotent: a redelivered task numbers only what is
    still a draft and renders only missing PDFs."""
    _require_role(acting_user)
    run = InvoiceRun.objects.get(pk=run.pk)
    if run.status not in (RunStatus.ISSUING, RunStatus.COMPUTED, RunStatus.ISSUED):
        raise ValidationError("Seuls des brouillons calculés peuvent être émis.")
    group, _ = InvoiceGroup.objects.get_or_create(
        run=run, defaults={"label": _group_label(run), "period_start": run.period_start,
                           "period_end": run.period_end})
    now = timezone.now()
    year = timezone.localdate(now).year
    due_on = timezone.localdate(now) + timedelta(days=billing_settings_get().payment_term_days)
    draft_ids = list(
        Invoice.objects.filter(run=run, status=InvoiceStatus.DRAFT)
        .order_by("household__name", "household_id").values_list("id", flat=True))
    for start in range(0, len(draft_ids), CHUNK):
        with transaction.atomic():
            invoices = list(Invoice.objects.select_for_update().filter(
                pk__in=draft_ids[start:start + CHUNK], status=InvoiceStatus.DRAFT,
            ).select_related("household").order_by("household__name", "household_id"))
            values = numbers_take(series="invoice", year=year, count=len(invoices))
            for invoice, value in zip(invoices, values, strict=True):
                invoice.year, invoice.sequence = year, value
                invoice.number = format_number("invoice", year, value)
                invoice.status, invoice.issued_at, invoice.group = InvoiceStatus.ISSUED, now, group
                invoice.due_on = due_on
                invoice.household_name = invoice.household.name
                invoice.household_address = _address(invoice.household)
            Invoice.objects.bulk_update(invoices, [
                "year", "sequence", "number", "status", "issued_at", "group", "due_on",
                "household_name", "household_address"])
            Booking.objects.filter(invoice_lines__invoice__in=invoices).update(invoiced=True)
    InvoiceRun.objects.filter(pk=run.pk).update(status=RunStatus.ISSUED,
                                                finished_at=timezone.now())
    if render_pdfs:
        from tenant_apps.billing.printing import invoice_pdf_store_missing

        invoice_pdf_store_missing(run=run)
    run.refresh_from_db()
    return run


def invoice_run_fail(*, run_id: int, error: str) -> None:
    """Record why a run stopped (the page shows it; computing again is possible)."""
    InvoiceRun.objects.filter(pk=run_id).exclude(status=RunStatus.ISSUED).update(
        status=RunStatus.FAILED, error=error[:2000])
