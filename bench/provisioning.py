"""Provision N communes by cloning the template; print p50 and max seconds per commune."""

import argparse
import json
import statistics
import time
import uuid

from _setup import django_for_bench


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=20)
    args = parser.parse_args()
    django_for_bench()
    from django.db import connection

    from provisioning.models import JobStatus
    from provisioning.schemas import schema_drop, template_schema_ensure
    from provisioning.services import commune_create, provisioning_job_run
    from tenants.models import Commune

    template_schema_ensure()
    run = uuid.uuid4().hex[:6]
    durations, created = [], []
    for i in range(args.n):
        slug = f"bench-{run}-{i}"
        started = time.monotonic()
        job = commune_create(
            actor=None,
            name=f"Bench {i}",
            slug=slug,
            insee_code="22113",
            contact_email="bench@example.test",
            admin_email="admin@example.test",
            dispatch=False,
        )
        job = provisioning_job_run(job_id=job.pk)
        durations.append(time.monotonic() - started)
        assert job.status == JobStatus.SUCCEEDED, job.error
        created.append(job.commune)
    for commune in created:
        connection.set_schema_to_public()
        schema_drop(commune.schema_name)
        Commune.objects.filter(pk=commune.pk).delete()
    print(
        json.dumps(
            {
                "bench": "provisioning",
                "communes": args.n,
                "p50_s": round(statistics.median(durations), 3),
                "max_s": round(max(durations), 3),
                "target_p50_s": 2.0,
            }
        )
    )


if __name__ == "__main__":
    main()
