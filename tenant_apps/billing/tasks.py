"""Thin Celery wrappers; each runs in the schema named by its headers (tenant-aware app).

Long billing work goes to the "billing" queue (see CELERY_TASK_ROUTES) so an invoice run
never delays a password email."""

from celery import shared_task

from tenant_apps.billing.models import InvoiceRun, RunStatus
from tenants.db import current_schema
from tenants.fanout import fan_out


@shared_task(acks_late=True)
def invoice_run_compute_task(run_id: int) -> int:
    """Reset the run, then fan its chunks of households out as parallel tasks (same
    commune schema); the last chunk to finish marks the run computed."""
    from tenant_apps.billing.run_compute import invoice_run_compute_start
    from tenant_apps.billing.runs import invoice_run_fail

    run = InvoiceRun.objects.filter(pk=run_id).first()
    if run is None or run.status not in (RunStatus.PENDING, RunStatus.COMPUTING):
        return 0  # deleted, or a redelivery after it finished
    try:
        token, chunks = invoice_run_compute_start(run=run)
    except Exception as exc:
        invoice_run_fail(run_id=run_id, error=f"Le calcul a échoué : {exc}")
        raise
    schema = current_schema()
    for index, household_ids in enumerate(chunks):
        invoice_run_compute_chunk_task.apply_async(
            args=[run_id, token, index, household_ids], headers={"_schema_name": schema})
    return len(chunks)


@shared_task(acks_late=True)
def invoice_run_compute_chunk_task(run_id: int, token: str, index: int,
                                   household_ids: list[int]) -> bool:
    """Compute one chunk of a run's drafts (idempotent: a redelivery changes nothing)."""
    from tenant_apps.billing.run_compute import invoice_run_compute_chunk
    from tenant_apps.billing.runs import invoice_run_fail

    try:
        return invoice_run_compute_chunk(run_id=run_id, token=token, index=index,
                                         household_ids=household_ids)
    except Exception as exc:
        invoice_run_fail(run_id=run_id, error=f"Le calcul a échoué : {exc}")
        raise


@shared_task(acks_late=True)
def invoice_run_issue_task(run_id: int) -> int:
    from tenant_apps.billing.runs import invoice_run_fail, invoice_run_issue

    run = InvoiceRun.objects.filter(pk=run_id).first()
    if run is None:
        return 0
    try:
        return invoice_run_issue(run=run).invoices_count
    except Exception as exc:
        invoice_run_fail(run_id=run_id, error=f"L'émission a échoué : {exc}")
        raise


@shared_task(acks_late=True)
def deposit_finalise_task(deposit_id: int) -> int:
    from tenant_apps.billing.deposits import deposit_render_final_pdfs

    return deposit_render_final_pdfs(deposit_id=deposit_id)


@shared_task(acks_late=True)
def prepaid_sync_task() -> int:
    from tenant_apps.billing.prepaid import prepaid_sync

    return prepaid_sync()


@shared_task
def fan_out_prepaid_sync() -> int:
    """Beat entry point: one prepaid ledger sync per active commune."""
    return fan_out(prepaid_sync_task)
