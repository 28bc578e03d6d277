"""Invoice runs (campagnes de facturation): create, compute drafts, issue, delete.

Compute (`run_compute`) splits the period's households into chunks; each chunk reads its
bookings set-based, prices them with the pure rules of `pricing` and writes its drafts
with bulk inserts in its own transaction. The worker runs one Celery task per chunk, in
parallel, and the agent sees the progress. Re-computing deletes this run's drafts only:
issued invoices are never touched.

Issue numbers the drafts gap-free (chunk by chunk, each chunk taking its numbers from
the locked counter in its own transaction), marks the covered bookings invoiced, puts
the invoices in the run's group, then renders and stores one PDF per invoice."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format

from tenant_apps.accounts.access import BILLING_ROLES
from tenant_apps.accounts.models import User
from tenant_apps.billing.models import (
    Invoice,
    InvoiceGroup,
    InvoiceLine,
    InvoiceRun,
    InvoiceStatus,
    RunStatus,
)
from tenant_apps.billing.numbering import format_number, numbers_take
from tenant_apps.billing.prepaid_settlement import prepaid_invoices_settle
from tenant_apps.billing.printing import billing_mode
from tenant_apps.billing.run_compute import (
    CHUNK,
    invoice_run_compute_chunk,
    invoice_run_compute_start,
    period_bookings,
)
from tenant_apps.billing.selectors import billing_settings_get
from tenant_apps.billing.tariffs import tariffs_covering
from tenant_apps.bookings.models import Booking
from tenant_apps.families.models import Household
from tenants.db import current_schema, transaction_advisory_lock

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


def invoice_run_preview(*, period_start: date, period_end: date) -> dict[str, int]:
    """What a run over the period would cover (shown before the agent confirms)."""
    bookings = period_bookings(period_start, period_end).exclude(state="cancelled")
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
    transaction_advisory_lock("billing-run")  # one run creation at a time
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


def invoice_run_compute(*, run: InvoiceRun, acting_user: User | None = None,
                        chunk_size: int | None = None) -> InvoiceRun:
    """Compute the drafts of a run in this process, chunk after chunk (replacing its
    previous drafts only). The worker runs the same chunks in parallel instead
    (`tasks.invoice_run_compute_task`). Households whose lines sum to zero get no
    invoice."""
    _require_role(acting_user)
    token, chunks = invoice_run_compute_start(run=run, chunk_size=chunk_size)
    for index, household_ids in enumerate(chunks):
        invoice_run_compute_chunk(run_id=run.pk, token=token, index=index,
                                  household_ids=household_ids)
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
    """Number the run's drafts gap-free, mark their bookings invoiced, group them (in
    prepaid mode, settle them from the households' accounts), then render and store their
    PDFs. Idempotent: a redelivered task numbers only what is
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
    settle_from_accounts = billing_mode() == "prepaid"
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
            _issue_rows(invoices)
            Booking.objects.filter(pk__in=InvoiceLine.objects.filter(
                invoice_id__in=[i.pk for i in invoices], booking__isnull=False,
            ).values("booking_id")).update(invoiced=True)
            if settle_from_accounts:
                prepaid_invoices_settle(invoices)
    InvoiceRun.objects.filter(pk=run.pk).update(status=RunStatus.ISSUED,
                                                finished_at=timezone.now())
    if render_pdfs:
        from tenant_apps.billing.printing import invoice_pdf_store_missing

        invoice_pdf_store_missing(run=run)
    run.refresh_from_db()
    return run


def _issue_rows(invoices: list[Invoice]) -> None:
    """Write the numbered invoices in one statement. bulk_update's CASE expressions cost
    seconds of Python per 500 rows; unnest() of arrays does the same in milliseconds."""
    if not invoices:
        return
    first = invoices[0]  # year, status, date, group and due date are the chunk's own
    table = Invoice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS i SET year = %s, status = %s, issued_at = %s, "  # noqa: S608 - model's own table name
            "group_id = %s, due_on = %s, sequence = v.sequence, number = v.number, "
            "household_name = v.name, household_address = v.address "
            "FROM unnest(%s::bigint[], %s::integer[], %s::text[], %s::text[], %s::text[]) "
            "AS v(id, sequence, number, name, address) WHERE i.id = v.id",
            [first.year, first.status, first.issued_at, first.group_id, first.due_on,
             [i.pk for i in invoices], [i.sequence for i in invoices],
             [i.number for i in invoices], [i.household_name for i in invoices],
             [i.household_address for i in invoices]])


def invoice_run_fail(*, run_id: int, error: str) -> None:
    """Record why a run stopped (the page shows it; computing again is possible)."""
    InvoiceRun.objects.filter(pk=run_id).exclude(status=RunStatus.ISSUED).update(
        status=RunStatus.FAILED, error=error[:2000])
