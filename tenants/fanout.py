"""Beat's fan-out: one job kind becomes one task per active commune, each in its schema."""

from typing import Any

from celery import Task

from tenants.models import Commune, CommuneStatus


def fan_out(task: Task, **kwargs: Any) -> int:
    """Enqueue `task(**kwargs)` once per active commune; returns how many were enqueued."""
    schemas = Commune.objects.filter(status=CommuneStatus.ACTIVE).values_list(
        "schema_name", flat=True
    )
    count = 0
    for schema_name in schemas:
        task.apply_async(kwargs=kwargs, headers={"_schema_name": schema_name})
        count += 1
    return count
