"""python manage.py restore_commune --slug SLUG [--backup ID | --at TIME] [--as NEWSLUG]."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backups.restore import PREVIOUS_KEPT_FOR, restore_request, restore_run
from tenants.models import Commune


def _parse_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            f"« {value} » n'est pas une date ISO (ex. 2025-03-14T08:30 ou 2025-03-14T08:30+01:00)."
        ) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # the platform's time zone (Europe/Paris)
    return moment


class Command(BaseCommand):
    help = (
        "Restaure une commune depuis une sauvegarde : vérifie l'empreinte, déchiffre, "
        "recharge dans un schéma neuf, vérifie, puis remplace la commune (l'ancien schéma "
        "est conservé à côté) ou crée une commune séparée pour consultation (--as)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="identifiant de la commune")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--backup", type=int, help="numéro de la sauvegarde à restaurer")
        which.add_argument("--at", help="la dernière sauvegarde prise avant cette date (ISO 8601)")
        parser.add_argument(
            "--as",
            dest="new_slug",
            default="",
            help="restaurer comme une commune séparée, sous cet identifiant",
        )
        parser.add_argument(
            "--drop-previous",
            action="store_true",
            help="supprimer l'ancien schéma après le remplacement au lieu de le garder",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        commune = Commune.objects.filter(slug=slug).first()
        if commune is None:
            raise CommandError(f"Aucune commune n'a l'identifiant « {slug} ».")
        at = _parse_time(options["at"]) if options["at"] else None
        try:
            record = restore_request(
                actor=None,
                commune=commune,
                backup_id=options["backup"],
                at=at,
                new_slug=options["new_slug"],
                drop_previous=options["drop_previous"],
                dispatch=False,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        record = restore_run(record_id=record.pk)
        if not record.succeeded:
            raise CommandError(f"La restauration de « {slug} » a échoué : {record.error}")
        checks = record.checks
        lines = [
            f"Restauration réussie depuis la sauvegarde n° {record.backup_id} "
            f"en {record.duration_s:.1f} s",
            f"Tables vérifiées : {checks.get('tables')}, lignes : {checks.get('rows')}",
            f"Migrations appliquées après restauration : "
            f"{checks.get('migrations_applied_after_restore')}",
        ]
        files = checks.get("files") or {}
        if files.get("missing_count"):
            lines.append(f"Attention : {files['missing_count']} fichier(s) manquant(s) sur S3")
        if checks.get("restored_commune"):
            lines.append(f"Commune de consultation créée : {checks['restored_commune']}")
        if checks.get("previous_schema"):
            lines.append(f"Ancien schéma conservé : {checks['previous_schema']} "
                         f"(supprimé après {PREVIOUS_KEPT_FOR.days} jours)")
        self.stdout.write("\n".join(lines))
