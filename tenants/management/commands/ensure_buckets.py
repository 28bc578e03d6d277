"""python manage.py ensure_buckets: create the files and backups buckets when missing."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.s3 import ensure_bucket


class Command(BaseCommand):
    help = "Crée les compartiments S3 des fichiers et des sauvegardes s'ils n'existent pas."

    def handle(self, *args: Any, **opts: Any) -> None:
        for bucket in (settings.S3_FILES_BUCKET, settings.S3_BACKUPS_BUCKET):
            try:
                ensure_bucket(bucket)
            except Exception as exc:  # the operator needs the cause, not a traceback
                raise CommandError(f"Stockage S3 injoignable pour « {bucket} » : {exc}") from exc
            self.stdout.write(f"Compartiment « {bucket} » prêt.")
