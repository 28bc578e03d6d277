"""python manage.py provision_commune --slug SLUG --name NAME --insee CODE ..."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from provisioning.models import JobStatus
from provisioning.services import commune_create, provisioning_job_run
from tenants.models import BillingMode, Module


class Command(BaseCommand):
    help = "Crée une commune (schéma cloné du modèle, paramètres, administrateur invité)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="identifiant, ex. lannion")
        parser.add_argument("--name", required=True, help="nom affiché, ex. « Lannion »")
        parser.add_argument("--insee", required=True, help="code INSEE, ex. 22113")
        parser.add_argument("--contact-email", required=True)
        parser.add_argument("--admin-email", required=True, help="premier administrateur")
        parser.add_argument("--admin-name", default="")
        parser.add_argument("--address", default="")
        parser.add_argument("--billing-mode", default=BillingMode.REGIE, choices=BillingMode.values)
        parser.add_argument("--payment-modes", default="", help="liste séparée par des virgules")
        parser.add_argument(
            "--modules",
            default="cantine,periscolaire,portal",
            help="parmi " + ",".join(Module.values),
        )
        parser.add_argument("--colour", default="#1d4e89")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            job = commune_create(
                actor=None,
                name=opts["name"],
                slug=opts["slug"],
                insee_code=opts["insee"],
                contact_email=opts["contact_email"],
                admin_email=opts["admin_email"],
                admin_name=opts["admin_name"],
                address=opts["address"],
                billing_mode=opts["billing_mode"],
                payment_modes=[m for m in opts["payment_modes"].split(",") if m],
                modules=[m for m in opts["modules"].split(",") if m],
                brand_colour=opts["colour"],
                dispatch=False,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        job = provisioning_job_run(job_id=job.pk)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"Échec de la création : {job.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Commune « {job.commune.name} » créée en {job.duration_s:.2f} s "
                f"(schéma {job.commune.schema_name}); invitation envoyée à {job.admin_email}."
            )
        )
