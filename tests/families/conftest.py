"""Family files for the tests: a household with two guardians and two children in alpha."""

import datetime
import uuid
from dataclasses import dataclass

import pytest

from tenant_apps.accounts.models import Role, User
from tenant_apps.families import services
from tenant_apps.families.models import Child, Guardian, Household
from tests.conftest import inside, make_user

ROLES = [Role.ADMINISTRATOR, Role.AGENT, Role.REGISSEUR, Role.ANIMATEUR, Role.READ_ONLY]


@dataclass
class Family:
    household: Household
    mother: Guardian
    father: Guardian
    child: Child
    sibling: Child


def unique(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:6]}"


def family_create(actor: User, *, name: str = "", last_name: str = "Lefèvre") -> Family:
    """Call inside(commune). A household with two guardians and two children."""
    household = services.household_create(
        actor=actor, name=name or f"{last_name.upper()} Hélène", address="3 rue des Écoles",
        postcode="22300", city="Lannion", allowance_scheme="caf", allowance_number="AL908172",
        quotient_familial=742, qf_valid_from=datetime.date(2026, 1, 1),
        qf_valid_until=datetime.date(2026, 12, 31),
    )
    mother = services.guardian_add(
        actor=actor, household=household, civility="mme", last_name=last_name,
        first_name="Hélène", email=f"{unique('helene')}@example.test",
        phone_mobile="06 12 34 56 78",
    )
    father = services.guardian_add(
        actor=actor, household=household, civility="m", last_name=last_name,
        first_name="Marc", phone_mobile="06 98 76 54 32",
    )
    child = services.child_create(
        actor=actor, household=household, last_name=last_name, first_name="Théo",
        birth_date=datetime.date(2018, 4, 2), diet="sans_porc", has_pai=True,
        allergies="Arachide SECRET-ALLERGIE", medical_notes="Asthme SECRET-MEDICAL",
        doctor_name="Dr SECRET-MEDECIN",
    )
    sibling = services.child_create(
        actor=actor, household=household, last_name=last_name, first_name="Anna",
        birth_date=datetime.date(2020, 9, 15),
    )
    household.refresh_from_db()
    return Family(household=household, mother=mother, father=father, child=child,
                  sibling=sibling)


@pytest.fixture
def alpha_admin(commune_alpha) -> User:  # type: ignore[no-untyped-def]
    return make_user(commune_alpha, role=Role.ADMINISTRATOR)  # type: ignore[return-value]


@pytest.fixture
def family(commune_alpha, alpha_admin) -> Family:  # type: ignore[no-untyped-def]
    with inside(commune_alpha):
        return family_create(alpha_admin)
