"""An agent sets up a service with its booking deadlines, sees the label parents will
read ("Fin de réservation"), registers a class to it, and finds the figures on the
dashboard; the schooling pages are shot along the way."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role, User
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Child, ChildHousehold, CustodyPattern, Household
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear
from tests.conftest import inside, make_user
from tests.e2e.support import shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Prestations-Alpha-7!"


@dataclass
class Setup:
    email: str
    tag: str
    school: School
    school_class: SchoolClass
    year: SchoolYear


@pytest.fixture
def alpha_school(commune_alpha) -> Iterator[Setup]:  # type: ignore[no-untyped-def]
    """Committed in alpha: an agent, the current year, a school with a class of three
    children (one of them in shared custody). All removed afterwards."""
    tag = uuid.uuid4().hex[:4]
    email = unique_email("catalog")
    make_user(commune_alpha, role=Role.AGENT, email=email, password=PASSWORD)
    with inside(commune_alpha):
        year = SchoolYear.objects.filter(is_current=True).first()
        created_year = year is None
        if year is None:
            year = SchoolYear.objects.create(label="2025-2026", starts_on=date(2025, 9, 1),
                                             ends_on=date(2026, 7, 4), is_current=True)
        school = School.objects.create(name=f"École Jacques Prévert {tag}", kind="elementaire",
                                       address="2 rue des Écoles")
        klass = SchoolClass.objects.create(school=school, school_year=year,
                                           name="CE1 de Mme Le Bihan", levels=["CE1"])
        households = []
        for last, first in (("Morvan", "Léna"), ("Guillou", "Tom"), ("Le Goff", "Maël")):
            household = Household.objects.create(name=f"Famille {last} {tag}")
            child = Child.objects.create(last_name=f"{last} {tag}", first_name=first,
                                         birth_date=date(2018, 3, 14))
            ChildHousehold.objects.create(child=child, household=household,
                                          custody=CustodyPattern.ODD_WEEKS
                                          if last == "Le Goff" else CustodyPattern.FULL)
            Enrolment.objects.create(child=child, school_year=year, school_class=klass,
                                     level="CE1")
            households.append(household)
        father = Household.objects.create(name=f"Famille Le Goff (père) {tag}")
        ChildHousehold.objects.create(child=child, household=father,
                                      custody=CustodyPattern.EVEN_WEEKS)
        households.append(father)
    yield Setup(email=email, tag=tag, school=school, school_class=klass, year=year)
    with inside(commune_alpha):
        services = Service.objects.filter(name__endswith=tag)
        Registration.objects.filter(service__in=services).delete()
        services.delete()
        Enrolment.objects.filter(school_class=klass).delete()
        Child.objects.filter(last_name__endswith=tag).delete()
        Household.objects.filter(pk__in=[h.pk for h in households]).delete()
        klass.delete()
        school.delete()
        if created_year:
            year.delete()
        User.objects.filter(email=email).delete()


def test_agent_creates_a_service_and_registers_a_class(page, server, commune_alpha,
                                                       alpha_school):
    tag = alpha_school.tag
    name = f"ALSH Mercredi {tag}"
    page.goto(server.url("alpha", "/gestion/connexion/"))
    page.get_by_label("Courriel").fill(alpha_school.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Tableau de bord", level=1)).to_be_visible()

    sections = page.get_by_role("navigation", name="Sections de la gestion")
    sections.get_by_role("link", name="Prestations").click()
    expect(page.get_by_role("heading", name="Prestations", level=1)).to_be_visible()
    shoot(page, "catalog-list-before")
    page.get_by_role("link", name="Nouvelle prestation").click()

    # A first try without any weekday: a 400 that says so next to the field.
    page.get_by_label("Nom de la prestation").fill(name)
    page.get_by_label("Type").select_option("alsh")
    page.get_by_label("Réservation jusqu'à").fill("10:00")
    page.get_by_label("Annulation jusqu'à").fill("08:30")
    page.get_by_role("button", name="Créer la prestation").click()
    expect(page.get_by_text("Cochez au moins un jour.")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("rien n'a été enregistré")
    shoot(page, "catalog-service-form-errors")

    for day in ("Lun", "Mar", "Jeu", "Ven"):
        page.get_by_label(day, exact=True).check()
    page.get_by_label("Calendrier").select_option("school_days")
    page.get_by_label("Capacité (places)").fill("2")
    page.get_by_label(alpha_school.school.name).check()
    page.get_by_label("Référence tarifaire").fill("ALSH-QF")
    page.get_by_label("Jours avant (réservation)").fill("2")
    page.get_by_label("Décompte (réservation)").select_option("working")
    shoot(page, "catalog-service-form")
    page.get_by_role("button", name="Créer la prestation").click()

    expect(page.get_by_role("alert")).to_have_text(f"Prestation « {name} » créée.")
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("Fin de réservation : J-2 à 10:00 (jours ouvrés)")
    expect(row).to_contain_text("Fin d'annulation : 08:30")
    expect(row).to_contain_text("Lun, Mar, Jeu, Ven")
    shoot(page, "catalog-list")

    # Register the whole class; the child in shared custody shows both households.
    row.get_by_role("link", name=name, exact=True).click()
    page.get_by_label("ou toute une classe").select_option(str(alpha_school.school_class.pk))
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_text("garde partagée").first).to_be_visible()
    for checkbox in page.locator("input[name=membership]").all():
        checkbox.check()
    page.get_by_role("button", name="Inscrire les enfants cochés").click()
    expect(page.get_by_role("alert")).to_contain_text("4 inscriptions enregistrées")
    expect(page.get_by_text("Plus d'inscrits que de places")).to_be_visible()
    shoot(page, "catalog-registrations")

    sections.get_by_role("link", name="Scolarité").click()
    expect(page.get_by_role("heading", name="Scolarité", level=1)).to_be_visible()
    shoot(page, "schooling-index")
    page.get_by_role("link", name=alpha_school.school.name).click()
    expect(page.get_by_role("heading", name=alpha_school.school.name)).to_be_visible()
    shoot(page, "schooling-school")
    page.get_by_role("link", name="CE1 de Mme Le Bihan").click()
    expect(page.get_by_role("cell", name=f"MORVAN {tag.upper()} Léna")).to_be_visible()
    page.get_by_label("Nom ou prénom de l'enfant").fill("Guillou")
    page.get_by_role("button", name="Chercher").click()
    shoot(page, "schooling-class")

    sections.get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", name="Prestations du jour", exact=True)).to_be_visible()
    shoot(page, "backoffice-dashboard-figures")
