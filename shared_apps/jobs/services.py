"""Writes of the job ledger. Commune tasks call these (the one sanctioned way a commune's
worker writes to the control plane): claim a due run, record its result or error, and
publish what is expected next so a late run becomes an operators' alert."""

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from shared_apps.jobs.models import JobRun, JobRunStatus, JobSchedule

# A failed run is tried again, with a growing pause, up to MAX_ATTEMPTS times in all.
MAX_ATTEMPTS = 3
RETRY_PAUSE = timedelta(minutes=5)
# A run still "running" this long after it started died with its worker: run it again.
STALE_AFTER = timedelta(minutes=30)


def _retryable(run: JobRun, now: datetime) -> bool:
    if run.attempts >= MAX_ATTEMPTS:
        return False
    if run.status == JobRunStatus.FAILED:
        return (run.finished_at or run.started_at) <= now - RETRY_PAUSE * run.attempts
    if run.status == JobRunStatus.RUNNING:
        return run.started_at <= now - STALE_AFTER
    return False


def job_run_claim(*, commune_id: int, kind: str, due_at: datetime, now: datetime) -> JobRun | None:
    """The run of `kind` due at `due_at`, claimed by the caller; None when it is not
    the caller's to run (done, running elsewhere, or failed too recently or too often).

    The row is written first: the unique key (commune, kind, due_at) lets exactly one
    caller create it. A failed or abandoned run is claimed again (one more attempt)."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                commune_id=commune_id, kind=kind, due_at=due_at, started_at=now,
                status=JobRunStatus.RUNNING,
            )
    except IntegrityError:
        pass
    with transaction.atomic():
        run = (
            JobRun.objects.select_for_update(skip_locked=True)
            .filter(commune_id=commune_id, kind=kind, due_at=due_at)
            .first()
        )
        if run is None or not _retryable(run, now):
            return None
        run.attempts += 1
        run.status = JobRunStatus.RUNNING
        run.started_at = now
        run.finished_at = None
        run.error = ""
        run.save(update_fields=["attempts", "status", "started_at", "finished_at", "error"])
        return run


def job_run_finish(*, run: JobRun, result: dict[str, Any], now: datetime) -> JobRun:
    """Record a run's success and what it did (call it in the work's own transaction)."""
    run.status = JobRunStatus.SUCCEEDED
    run.finished_at = now
    run.result = result
    run.error = ""
    run.save(update_fields=["status", "finished_at", "result", "error"])
    return run


def job_run_fail(*, run: JobRun, error: str, now: datetime) -> JobRun:
    """Record a run's failure; it is tried again later (see MAX_ATTEMPTS)."""
    run.status = JobRunStatus.FAILED
    run.finished_at = now
    run.error = error[:4000]
    run.save(update_fields=["status", "finished_at", "error"])
    return run


def job_run_record(
    *, commune_id: int, kind: str, due_at: datetime, now: datetime,
    result: dict[str, Any] | None = None, error: str = "",
) -> JobRun:
    """Record, after the fact, a run that did something (`result`) or failed (`error`).

    For checks that run often and usually find nothing to do (amendments every 15
    minutes): their work is idempotent by itself, so no claim is needed first, and a
    no-op leaves no row. A second record for the same due time updates the first one
    (its result lists are merged)."""
    status = JobRunStatus.FAILED if error else JobRunStatus.SUCCEEDED
    with transaction.atomic():
        run = (
            JobRun.objects.select_for_update()
            .filter(commune_id=commune_id, kind=kind, due_at=due_at)
            .first()
        )
        if run is None:
            try:
                with transaction.atomic():
                    return JobRun.objects.create(
                        commune_id=commune_id, kind=kind, due_at=due_at, started_at=now,
                        finished_at=now, status=status, result=result or {},
                        error=error[:4000],
                    )
            except IntegrityError:
                run = JobRun.objects.select_for_update().get(
                    commune_id=commune_id, kind=kind, due_at=due_at)
        merged = dict(run.result)
        for key, value in (result or {}).items():
            previous = merged.get(key)
            if isinstance(previous, list) and isinstance(value, list):
                merged[key] = previous + value
            elif isinstance(previous, int) and isinstance(value, int):
                merged[key] = previous + value
            else:
                merged[key] = value
        run.attempts += 1
        run.status = status
        run.finished_at = now
        run.result = merged
        run.error = error[:4000]
        run.save(update_fields=["attempts", "status", "finished_at", "result", "error"])
        return run


def job_last_due_at(*, commune_id: int, kind: str) -> datetime | None:
    """The due time of the latest run recorded for this commune and kind."""
    last: datetime | None = JobRun.objects.filter(commune_id=commune_id, kind=kind).aggregate(
        last=Max("due_at")
    )["last"]
    return last


def job_retry_due_ats(*, commune_id: int, kind: str, now: datetime) -> list[datetime]:
    """Due times of this commune's runs that failed or were abandoned and may run again."""
    candidates = JobRun.objects.filter(
        commune_id=commune_id, kind=kind, attempts__lt=MAX_ATTEMPTS,
        status__in=[JobRunStatus.FAILED, JobRunStatus.RUNNING],
    ).order_by("due_at")
    return [run.due_at for run in candidates if _retryable(run, now)]


def job_schedule_publish(
    *, commune_id: int, kind: str, next_due_at: datetime | None, label: str = ""
) -> None:
    """Tell the control plane when this commune next expects a run of `kind` (reads
    first: publishing the same time again, the usual case, writes nothing)."""
    label = label[:200]
    current = JobSchedule.objects.filter(commune_id=commune_id, kind=kind).values_list(
        "next_due_at", "label").first()
    if current == (next_due_at, label):
        return
    JobSchedule.objects.update_or_create(
        commune_id=commune_id, kind=kind,
        defaults={"next_due_at": next_due_at, "label": label},
    )
