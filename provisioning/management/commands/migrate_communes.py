"""python manage.py migrate_communes [--jobs N]"""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from provisioning.migrate_all import commune_schemas_migrate


class Command(BaseCommand):
    help = "Applique les migrations à toutes les communes, en parallèle, sauf celles déjà à jour."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)

    def handle(self, *args: Any, **opts: Any) -> None:
        run = commune_schemas_migrate(jobs=max(1, opts["jobs"]))
        self.stdout.write(
            f"{run.checked} schémas vérifiés, {len(run.migrated)} migrés, "
            f"{run.checked - len(run.migrated) - len(run.failed)} déjà à jour, "
            f"en {run.seconds:.2f} s."
        )
        for schema_name, error in run.failed.items():
            self.stderr.write(f"{schema_name} : {error}")
        if run.failed:
            raise CommandError(f"{len(run.failed)} schéma(s) en échec.")
