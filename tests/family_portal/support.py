"""Families for the portal tests: built through the families services (as agents would)."""

import datetime
import uuid
from dataclasses import dataclass

from tenant_apps.accounts.models import Role, User
from tenant_apps.families import services
from tenant_apps.families.models import Child, Guardian, Household
from tests.conftest import make_user

PASSWORD = "Motdepasse-1"


def tag() -> str:
    return uuid.uuid4().hex[:6]


@dataclass
class PortalFamily:
    household: Household
    parent: User  # the mother's portal account
    mother: Guardian
    father: Guardian
    child: Child
    sibling: Child


def portal_family(commune: object, actor: User, *, last_name: str = "Lefèvre") -> PortalFamily:
    """Call inside(commune). Two guardians (the mother has a portal account), two children."""
    t = tag()
    parent = make_user(commune, role=Role.GUARDIAN, email=f"helene-{t}@example.test")  # type: ignore[arg-type]
    from django.db import connection

    connection.set_tenant(commune)  # make_user came back to public
    household = services.household_create(
        actor=actor, name=f"{last_name.upper()} {t}", address="3 rue des Écoles",
        postcode="22300", city="Lannion", allowance_scheme="caf", allowance_number="AL908172",
        quotient_familial=742, qf_valid_from=datetime.date(2026, 1, 1),
        qf_valid_until=datetime.date(2026, 12, 31),
    )
    mother = services.guardian_add(
        actor=actor, household=household, civility="mme", last_name=last_name,
        first_name="Hélène", email=f"helene-{t}@example.test", phone_mobile="06 12 34 56 78",
    )
    Guardian.objects.filter(pk=mother.pk).update(user=parent)
    mother.refresh_from_db()
    father = services.guardian_add(
        actor=actor, household=household, civility="m", last_name=last_name,
        first_name="Marc", phone_mobile="06 98 76 54 32",
    )
    child = services.child_create(
        actor=actor, household=household, last_name=last_name, first_name="Théo",
        birth_date=datetime.date(2018, 4, 2), birth_place="Lannion", diet="sans_porc",
        has_pai=True, allergies="Arachide", doctor_name="Dr Martin",
    )
    sibling = services.child_create(
        actor=actor, household=household, last_name=last_name, first_name="Anna",
        birth_date=datetime.date(2020, 9, 15),
    )
    household.refresh_from_db()
    return PortalFamily(household=household, parent=parent, mother=mother,  # type: ignore[arg-type]
                        father=father, child=child, sibling=sibling)
