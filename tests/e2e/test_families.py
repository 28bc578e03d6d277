"""An agent searches a child from the navbar, opens the household, adds a guardian (after
a first attempt the page refuses in French without losing what was typed)."""

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role, User
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families import services
from tenant_apps.families.models import Child, Household
from tenant_apps.history.models import ChangeRecord
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear
from tests.conftest import inside, make_user
from tests.e2e.support import shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Gestion-Familles-9!"
EMAILS = ["helene", "soizic", "karim", "anne"]


@dataclass
class Seed:
    agent_email: str
    surname: str
    household_id: int
    child_id: int


def _seed(commune, tag: str) -> Seed:  # type: ignore[no-untyped-def]
    """Committed rows: an agent, and a few households so the list looks like a real one."""
    agent_email = unique_email("agent")
    make_user(commune, role=Role.AGENT, email=agent_email, password=PASSWORD)
    surname = f"Kerhervé{tag}"
    with inside(commune):
        agent = User.objects.get(email=agent_email)
        agent.full_name = "Maëlle Agent"
        agent.save(update_fields=["full_name"])
        year = SchoolYear.objects.filter(is_current=True).first() or SchoolYear.objects.create(
            label=f"E2E{tag[:5]}", starts_on=datetime.date(2026, 9, 1),
            ends_on=datetime.date(2027, 7, 6), is_current=True)
        school = School.objects.create(name=f"École Jules-Ferry {tag}", kind="elementaire")
        cp = SchoolClass.objects.create(school=school, school_year=year, name="CP de Mme Le Bihan")
        ce2 = SchoolClass.objects.create(school=school, school_year=year, name="CE2-CM1")
        meal = Service.objects.create(name=f"Repas Enfant {tag}", kind="repas",
                                      weekdays=[1, 2, 4, 5], book_until=datetime.time(8, 30),
                                      cancel_until=datetime.time(8, 30))
        first = None
        people = [(surname, "Hélène", "Théo", 742), (f"Le Goff{tag}", "Soizic", "Nolwenn", None),
                  (f"Martin{tag}", "Karim", "Inès", 1310), (f"Prigent{tag}", "Anne", "Malo", 455)]
        for i, (last, parent, child_name, qf) in enumerate(people):
            household = services.household_create(
                actor=agent, name=f"{last.upper()} {parent}", address=f"{3 + i} rue de Brélévenez",
                postcode="22300", city="Lannion", quotient_familial=qf,
                allowance_scheme="caf" if qf else "", allowance_number=f"AL{i}09" if qf else "",
                qf_valid_from=datetime.date(2026, 1, 1) if qf else None,
                qf_valid_until=datetime.date(2026, 12, 31) if qf else None,
            )
            services.guardian_add(actor=agent, household=household, civility="mme",
                                  last_name=last, first_name=parent,
                                  email=f"{EMAILS[i]}.{tag}@example.test",
                                  phone_mobile=f"06 1{i} 34 56 78")
            child = services.child_create(
                actor=agent, household=household, last_name=last, first_name=child_name,
                sex="M" if i % 2 == 0 else "F", birth_date=datetime.date(2019 - i % 3, 4, 2 + i),
                birth_place="Lannion", diet="sans_porc" if i == 0 else "standard",
                has_pai=i == 0, allergies="Arachide (traces comprises)" if i == 0 else "",
                may_be_photographed=True, may_go_on_outings=True, medical_care_allowed=True,
            )
            Enrolment.objects.create(child=child, school_year=year,
                                     school_class=cp if i % 2 == 0 else ce2, level="CP")
            Registration.objects.create(child=child, service=meal, school_year=year,
                                        household=household)
            if first is None:
                first = (household, child)
                services.contact_add(actor=agent, child=child, name="Jeanne Kerhervé",
                                     relationship="grand-mère", phone="02 96 37 00 11",
                                     role="both")
        assert first is not None
        return Seed(agent_email=agent_email, surname=surname, household_id=first[0].pk,
                    child_id=first[1].pk)


def _cleanup(commune, tag: str) -> None:  # type: ignore[no-untyped-def]
    with inside(commune):
        households = Household.objects.filter(name__icontains=tag)
        children = Child.objects.filter(memberships__household__in=households)
        ids = {"household": list(households.values_list("pk", flat=True)),
               "child": list(children.values_list("pk", flat=True))}
        Registration.objects.filter(household__in=households).delete()
        Child.objects.filter(pk__in=ids["child"]).delete()
        Household.objects.filter(pk__in=ids["household"]).delete()
        for entity, pks in ids.items():
            ChangeRecord.objects.filter(entity=entity, entity_id__in=pks).delete()
        Service.objects.filter(name__endswith=tag).delete()
        SchoolClass.objects.filter(school__name__endswith=tag).delete()
        School.objects.filter(name__endswith=tag).delete()
        SchoolYear.objects.filter(label=f"E2E{tag[:5]}").delete()


@pytest.fixture
def seed(commune_alpha) -> Iterator[Seed]:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:6]
    try:
        yield _seed(commune_alpha, tag)
    finally:
        _cleanup(commune_alpha, tag)


def test_agent_finds_a_child_opens_the_household_and_adds_a_guardian(page, server,
                                                                     commune_alpha, seed):
    page.goto(server.url("alpha", "/gestion/familles/"))
    page.get_by_label("Courriel").fill(seed.agent_email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Familles", level=1)).to_be_visible()
    shoot(page, "families-list")

    # The navbar search, without the accent and in lower case.
    box = page.get_by_role("searchbox", name="Rechercher un foyer, un responsable, un enfant")
    box.fill(seed.surname.lower().replace("é", "e"))
    result = page.locator("#bo-search-results").get_by_role("link", name="Théo")
    expect(result).to_be_visible()
    shoot(page, "families-search-dropdown")
    result.click()

    expect(page.get_by_role("heading", name=f"Théo {seed.surname.upper()}")).to_be_visible()
    expect(page.locator("#alimentation").get_by_text("Arachide (traces comprises)")).to_be_visible()
    expect(page.get_by_text("CP de Mme Le Bihan").first).to_be_visible()
    shoot(page, "families-child")

    household_name = f"{seed.surname.upper()} Hélène"
    page.locator("#foyers").get_by_role("link", name=household_name).click()
    expect(page.get_by_role("heading", name=household_name, level=1)).to_be_visible()
    shoot(page, "families-household")

    page.get_by_role("link", name="+ Responsable légal").click()
    expect(page.get_by_role("heading", name="Ajouter un responsable légal")).to_be_visible()
    page.get_by_role("textbox", name="Nom", exact=True).fill(seed.surname)
    page.get_by_role("textbox", name="Prénom", exact=True).fill("Yann")
    page.get_by_role("textbox", name="Lien avec les enfants").fill("père")
    page.get_by_role("button", name="Ajouter le responsable").click()
    expect(page.get_by_text("Renseignez au moins un téléphone ou un courriel.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Prénom", exact=True)).to_have_value("Yann")
    shoot(page, "families-guardian-error")

    page.get_by_role("textbox", name="Portable").fill("07 81 22 33 44")
    page.get_by_role("button", name="Ajouter le responsable").click()
    expect(page.get_by_role("alert")).to_have_text("Responsable légal ajouté.")
    expect(page.locator("#responsables")).to_contain_text(f"Yann {seed.surname.upper()}")
    expect(page.locator("#historique")).to_contain_text("Responsable légal ajouté")
    shoot(page, "families-household-saved")

    with inside(commune_alpha):
        household = Household.objects.get(pk=seed.household_id)
        assert household.guardians.filter(first_name="Yann",
                                          phone_mobile="07 81 22 33 44").exists()
