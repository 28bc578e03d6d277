"""Turn PayFiP on for communes (demo and test set-ups; in production an administrator
does it in the back office): manage.py payfip_enable lannion --numcli 123456 --mode T"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenant_apps.payments import rules
from tenant_apps.payments.models import PayfipSettings
from tenants.db import use_commune, use_public
from tenants.models import Commune


class Command(BaseCommand):
    help = "Active le paiement en ligne PayFiP d'une ou plusieurs communes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="communes (toutes si vide)")
        parser.add_argument("--numcli", default="123456")
        parser.add_argument("--mode", default=rules.MODE_TEST, choices=rules.MODES)

    def handle(self, *args: Any, **options: Any) -> None:
        if not rules.NUMCLI_RE.match(options["numcli"]):
            raise CommandError("numcli: 6 chiffres")
        communes = Commune.objects.exclude(schema_name="public")
        if options["slugs"]:
            communes = communes.filter(slug__in=options["slugs"])
        for commune in communes:
            use_commune(commune)
            try:
                PayfipSettings.objects.update_or_create(singleton=True, defaults={
                    "enabled": True, "client_number": options["numcli"],
                    "mode": options["mode"]})
            finally:
                use_public()
            self.stdout.write(f"PayFiP activé : {commune.slug} ({options['mode']})")
