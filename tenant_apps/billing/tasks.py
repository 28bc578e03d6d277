"""Thin Celery wrappers; each runs in the schema named by its headers (tenant-aware app).

Long billing work goes to the "billing" queue (see CELERY_TASK_ROUTES) so an invoice run
never delays a password email."""

from celery import shared_task

from tenant_apps.billing.models import InvoiceRun, RunStatus
from tenants.fanout import fan_out


@shared_task(acks_late=True)
def invoice_run_compute_task(run_id: int) -> int:
    from tenant_apps.billing.runs import invoice_run_compute, invoice_run_fail

    run = InvoiceRun.objects.filter(pk=run_id).first()
    if run is None or run.status not in (RunStatus.PENDING, RunStatus.COMPUTING):
        return 0  # deleted, or a redelivery after it finished
    try:
        return invoice_run_compute(run=run).invoices_count
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
