from celery import shared_task

from provisioning.services import provisioning_job_run


@shared_task(acks_late=True)
def run_provisioning_job(job_id: int) -> str:
    return str(provisioning_job_run(job_id=job_id).status)
