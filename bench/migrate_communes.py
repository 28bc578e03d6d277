"""With N up-to-date communes, time `migrate_communes` (nothing to migrate)."""

import argparse
import json
import time

from _setup import django_for_bench


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    django_for_bench()
    from django.db import connection, transaction

    from provisioning.migrate_all import commune_schemas_migrate
    from provisioning.schemas import schema_drop, template_schema_ensure
    from provisioning.template_script import schema_create_from_template
    from tenants.models import Commune, CommuneStatus, Domain

    template = template_schema_ensure()
    have = Commune.objects.filter(slug__startswith="fleet-").count()
    setup_started = time.monotonic()
    for i in range(have, args.n):
        # A fleet for the measure: plain clones, kept between runs (the bench DB persists).
        slug = f"fleet-{i:04d}"
        schema_drop(f"c_fleet_{i:04d}")  # leftovers of an interrupted run
        with transaction.atomic():
            schema_create_from_template(template, f"c_fleet_{i:04d}")
            commune = Commune.objects.create(
                name=f"Flotte {i}",
                slug=slug,
                schema_name=f"c_fleet_{i:04d}",
                insee_code="22113",
                contact_email="fleet@example.test",
                status=CommuneStatus.ACTIVE,
            )
            Domain.objects.create(domain=f"{slug}.localhost", tenant=commune)
    setup_s = time.monotonic() - setup_started
    connection.close()
    run = commune_schemas_migrate(jobs=2)
    print(
        json.dumps(
            {
                "bench": "migrate_communes",
                "schemas": run.checked,
                "migrated": len(run.migrated),
                "total_s": round(run.seconds, 3),
                "per_schema_s": round(run.seconds / max(run.checked, 1), 5),
                "fleet_setup_s": round(setup_s, 1),
                "target_total_s": 10.0,
            }
        )
    )
    assert not run.failed, run.failed


if __name__ == "__main__":
    main()
