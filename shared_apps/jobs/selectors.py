"""Reads of the operators' page "Tâches planifiées": runs across communes, failures and
alerts for runs that did not happen on time."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, QuerySet

from shared_apps.jobs.models import JobRun, JobRunStatus, JobSchedule

# A run this late (its due time passed, no run recorded) is an alert.
LATE_AFTER = timedelta(minutes=15)


def job_runs_recent(
    *, status: str = "", commune_id: int | None = None, limit: int = 200
) -> QuerySet[JobRun]:
    runs = JobRun.objects.select_related("commune").order_by("-due_at", "-pk")
    if status:
        runs = runs.filter(status=status)
    if commune_id:
        runs = runs.filter(commune_id=commune_id)
    return runs[:limit]


def job_failures(*, limit: int = 50) -> QuerySet[JobRun]:
    return (
        JobRun.objects.filter(status=JobRunStatus.FAILED)
        .select_related("commune")
        .order_by("-due_at")[:limit]
    )


@dataclass(frozen=True)
class LateJob:
    schedule: JobSchedule
    late_by: timedelta

    @property
    def late_label(self) -> str:
        """"12 min", "3 h 05", "2 j 4 h"."""
        minutes = int(self.late_by.total_seconds() // 60)
        if minutes < 60:
            return f"{minutes} min"
        hours, minutes = divmod(minutes, 60)
        if hours < 24:
            return f"{hours} h {minutes:02d}"
        days, hours = divmod(hours, 24)
        return f"{days} j {hours} h"


def job_alerts(*, now: datetime, late_after: timedelta = LATE_AFTER) -> list[LateJob]:
    """Expected runs whose due time passed more than `late_after` ago with no run recorded
    (the worker, the broker or the beat is down, or the commune's task fails early)."""
    ran = JobRun.objects.filter(
        commune_id=OuterRef("commune_id"), kind=OuterRef("kind"),
        due_at__gte=OuterRef("next_due_at"),
    )
    late = (
        JobSchedule.objects.filter(next_due_at__lte=now - late_after)
        .exclude(Exists(ran))
        .select_related("commune")
        .order_by("next_due_at")
    )
    return [LateJob(schedule=s, late_by=now - s.next_due_at) for s in late if s.next_due_at]


def job_counts(*, since: datetime) -> dict[str, int]:
    """Runs per status due since `since`."""
    counts = {status.value: 0 for status in JobRunStatus}
    rows = JobRun.objects.filter(due_at__gte=since).values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
