"""Operators' page "Tâches planifiées" (ops host, public schema)."""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shared_apps.jobs import selectors
from shared_apps.jobs.models import JobKind, JobRunStatus
from tenant_apps.accounts.access import operator_required


@operator_required
def jobs_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    status = request.GET.get("etat", "")
    if status not in JobRunStatus.values:
        status = ""
    return render(request, "ops/jobs.html", {
        "now": now,
        "status": status,
        "statuses": JobRunStatus.choices,
        "kinds": dict(JobKind.choices),
        "alerts": selectors.job_alerts(now=now),
        "late_after_min": int(selectors.LATE_AFTER.total_seconds() // 60),
        "failures": selectors.job_failures(),
        "runs": selectors.job_runs_recent(status=status),
        "counts": selectors.job_counts(since=now - timedelta(days=1)),
    })
