"""python manage.py export_invoice_pdf --slug SLUG --number N --out FILE

Writes the stored PDF of one issued invoice (the file the family received; rendered and
stored first if the worker has not done it yet). For operators and support."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenant_apps.billing.models import Invoice
from tenants.db import use_commune, use_public
from tenants.models import Commune


class Command(BaseCommand):
    help = "Écrit le PDF enregistré d'une facture émise (--slug, --number, --out)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="identifiant de la commune")
        parser.add_argument("--number", required=True,
                            help="numéro de la facture, par exemple F2026-000042")
        parser.add_argument("--out", required=True, help="fichier PDF à écrire ('-' : sortie)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from tenant_apps.billing.printing import invoice_pdf_bytes

        commune = Commune.objects.filter(slug=opts["slug"]).first()
        if commune is None:
            raise CommandError(f"Commune inconnue : {opts['slug']}")
        use_commune(commune)
        try:
            invoice = (Invoice.objects.select_related("household", "group", "credited_invoice")
                       .filter(number=opts["number"].strip()).first())
            if invoice is None:
                raise CommandError(f"Aucune facture émise n° {opts['number']} à {commune.name}.")
            data = invoice_pdf_bytes(invoice)
        finally:
            use_public()
        if data is None:
            raise CommandError("Le PDF n'est pas disponible (rendu impossible).")
        if opts["out"] == "-":
            self.stdout.buffer.write(data)  # type: ignore[attr-defined]
            return
        Path(opts["out"]).write_bytes(data)
        self.stdout.write(f"{invoice.number} → {opts['out']} ({len(data)} octets)")
