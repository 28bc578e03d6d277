"""python manage.py backup_commune --slug SLUG: back up one commune now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backups.models import BackupReason
from backups.services import backup_commune
from tenants.models import Commune


class Command(BaseCommand):
    help = "Sauvegarde immédiatement une commune (export chiffré déposé sur S3)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="identifiant de la commune")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        commune = Commune.objects.filter(slug=slug).first()
        if commune is None:
            raise CommandError(f"Aucune commune n'a l'identifiant « {slug} ».")
        record = backup_commune(commune=commune, reason=BackupReason.MANUAL)
        if not record.succeeded:
            raise CommandError(f"La sauvegarde de « {slug} » a échoué : {record.error}")
        self.stdout.write(
            f"Sauvegarde réussie : {record.object_key}\n"
            f"Taille : {record.size_bytes} octets\n"
            f"SHA-256 : {record.sha256}"
        )
