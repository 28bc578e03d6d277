"""python manage.py seed_demo: three demo communes with agents and families' accounts."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from provisioning.demo_billing import seed_billing_demo
from provisioning.demo_data import DEMO_COMMUNES, DEMO_PASSWORD, demo_seed
from tenant_apps.accounts.models import Role, User


class Command(BaseCommand):
    help = "Crée les communes de démonstration (idempotent) et affiche les accès."

    def handle(self, *args: Any, **opts: Any) -> None:
        demo_seed(log=self.stdout.write)
        seed_billing_demo(log=self.stdout.write)
        operator = User.objects.filter(email="ops@demo.local").first()
        if operator is None:
            operator = User(email="ops@demo.local", role=Role.OPERATOR, full_name="Opérateur démo")
        operator.set_password(DEMO_PASSWORD)
        operator.save()
        scheme, base = settings.SITE_SCHEME, settings.BASE_DOMAIN
        lines = [
            "",
            "Accès de démonstration (mot de passe commun : " + DEMO_PASSWORD + ")",
            f"  Console des opérateurs : {scheme}://ops.{base}/   ops@demo.local",
        ]
        for spec in DEMO_COMMUNES:
            lines += [
                f"  {spec.name} ({spec.households} foyers)",
                f"    Portail des familles : {scheme}://{spec.slug}.{base}/"
                f"   parent@{spec.slug}.demo",
                f"    Gestion : {scheme}://{spec.slug}.{base}/gestion/"
                f"   administrator@{spec.slug}.demo"
                " (aussi agent@, regisseur@, animateur@, read-only@)",
            ]
        self.stdout.write("\n".join(lines))
