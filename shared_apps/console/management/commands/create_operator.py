"""python manage.py create_operator --email E --password P [--full-name N]"""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tenant_apps.accounts.models import Role, User
from tenants.db import use_public


class Command(BaseCommand):
    help = (
        "Crée un compte opérateur (schéma public) ou, s'il existe déjà, "
        "met à jour son mot de passe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--full-name", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        use_public()  # type: ignore[attr-defined]
        email = User.objects.normalize_email(opts["email"].strip()).lower()
        with transaction.atomic():
            user = User.objects.select_for_update().filter(email=email).first()
            if user is not None and user.role != Role.OPERATOR:
                role = user.get_role_display()
                raise CommandError(f"{email} existe déjà avec le rôle « {role} ».")
            try:
                validate_password(opts["password"], user)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            if user is None:
                User.objects.create_user(
                    email, opts["password"], role=Role.OPERATOR, full_name=opts["full_name"]
                )
                self.stdout.write(f"Opérateur {email} créé.")
                return
            user.set_password(opts["password"])
            user.is_active = True
            if opts["full_name"]:
                user.full_name = opts["full_name"]
            user.save(update_fields=["password", "is_active", "full_name"])
            self.stdout.write(f"Opérateur {email} mis à jour.")
