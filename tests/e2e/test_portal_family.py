"""A parent edits her profile in place, opens her child's file, adds an emergency contact
and proposes a diet change; an agent accepts it in the back office; the parent sees it.
Screenshots of every page at phone and desktop sizes."""

import datetime
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families import services as families
from tenant_apps.families.models import Child, Guardian, Household
from tenant_apps.family_portal.models import ChangeRequest
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear
from tests.conftest import inside, make_user
from tests.e2e.support import DESKTOP, shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Famille-Alpha-7?"


@pytest.fixture
def people(commune_alpha) -> Iterator[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Committed: the Alain household (Marie has a portal account, Paul does not), Théo in
    CE2 with Repas Enfant, Anna; an agent and an administrator."""
    parent_email = unique_email("marie")
    agent_email, admin_email = unique_email("agent"), unique_email("admin")
    parent = make_user(commune_alpha, role=Role.GUARDIAN, email=parent_email, password=PASSWORD)
    make_user(commune_alpha, role=Role.AGENT, email=agent_email, password=PASSWORD)
    admin = make_user(commune_alpha, role=Role.ADMINISTRATOR, email=admin_email,
                      password=PASSWORD)
    created: dict[str, object] = {}
    with inside(commune_alpha):
        year = (SchoolYear.objects.filter(is_current=True).first()
                or SchoolYear.objects.filter(label="2026-2027").first())
        if year is None:
            year = created["year"] = SchoolYear.objects.create(
                label="2026-2027", starts_on=datetime.date(2026, 9, 1),
                ends_on=datetime.date(2027, 7, 3), is_current=True)
        school = created["school"] = School.objects.create(
            name=f"École Jules Ferry {parent_email[9:17]}", kind="elementaire")
        klass = created["klass"] = SchoolClass.objects.create(
            school=school, school_year=year, name="CE2 de Mme Le Bihan")
        service = created["service"] = Service.objects.create(
            name=f"Repas Enfant {parent_email[9:17]}", kind="repas", weekdays=[1, 2, 4, 5],
            book_until=datetime.time(8, 30), cancel_until=datetime.time(8, 30))
        household = families.household_create(
            actor=admin, name=f"ALAIN {parent_email[9:17]}", address="1 place de la Mairie",
            postcode="22300", city="Lannion", allowance_scheme="caf",
            allowance_number="1234567", quotient_familial=642)
        families.guardian_add(actor=admin, household=household, civility="mme",
                              last_name="Alain", first_name="Marie", email=parent_email,
                              phone_mobile="06 12 34 56 78", occupation="Infirmière")
        Guardian.objects.filter(email=parent_email).update(user=parent)
        families.guardian_add(actor=admin, household=household, civility="m", last_name="Alain",
                              first_name="Paul", phone_mobile="06 98 76 54 32")
        theo = families.child_create(
            actor=admin, household=household, last_name="Alain", first_name="Théo", sex="M",
            birth_date=datetime.date(2017, 5, 13), birth_place="Lannion", diet="sans_porc",
            doctor_name="Dr M. Lefebvre", may_be_photographed=True)
        families.child_create(actor=admin, household=household, last_name="Alain",
                              first_name="Anna", sex="F", birth_date=datetime.date(2019, 2, 3),
                              birth_place="Perros-Guirec")
        families.contact_add(actor=admin, child=theo, name="Jeanne Alain", phone="06 55 44 33 22",
                             role="both", relationship="grand-mère")
        Enrolment.objects.create(child=theo, school_year=year, school_class=klass, level="CE2")
        Registration.objects.create(child=theo, service=service, school_year=year,
                                    household=household)
    yield {"parent": parent_email, "agent": agent_email, "admin": admin_email, "theo": theo.pk}
    with inside(commune_alpha):
        ChangeRequest.objects.filter(household=household).delete()
        Registration.objects.filter(household=household).delete()
        children = Child.objects.filter(memberships__household=household)
        Enrolment.objects.filter(child__in=children).delete()
        children.delete()
        Household.objects.filter(pk=household.pk).delete()
        for key in ("service", "klass", "school", "year"):
            if key in created:
                created[key].delete()  # type: ignore[attr-defined]


def _sign_in(page, url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_profile_children_and_a_validated_change(page, browser, server, commune_alpha, people):
    # Mon profil: the phone, edited in place (htmx: no page load), confirmed.
    _sign_in(page, server.url("alpha", "/connexion/?next=/profil/"), people["parent"])
    expect(page.get_by_role("heading", name="Mon profil", level=1)).to_be_visible()
    shoot(page, "portal-family-profile")
    page.get_by_role("link", name="Modifier : Coordonnées").click()
    expect(page.get_by_label("Courriel")).to_be_focused()  # the form's first field
    phone = page.get_by_label("Téléphone portable")
    shoot(page, "portal-family-profile-edit")
    page.evaluate("window.__stayed = true")
    phone.fill("07 61 62 63 64")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Vos modifications ont été enregistrées.")
    expect(page.get_by_text("07 61 62 63 64")).to_be_visible()
    assert page.evaluate("window.__stayed === true"), "the page reloaded instead of swapping"
    shoot(page, "portal-family-profile-saved")

    # Mes enfants, then Théo's file.
    page.get_by_role("link", name="Mes enfants").click()
    expect(page.get_by_role("heading", name="Mes enfants", level=1)).to_be_visible()
    expect(page.get_by_text("CE2 de Mme Le Bihan")).to_be_visible()
    shoot(page, "portal-family-children")
    page.get_by_role("link", name="Théo ALAIN").click()
    expect(page.get_by_text("Né le 13 mai 2017 à Lannion")).to_be_visible()
    expect(page.get_by_text("Fin de réservation : 08:30")).to_be_visible()
    shoot(page, "portal-family-child")

    # An emergency contact, added directly.
    page.get_by_text("Ajouter un contact").click()
    page.get_by_label("Nom et prénom").fill("Yves Le Gall")
    page.get_by_label("Lien").fill("voisin")
    page.get_by_label("Téléphone").fill("06 01 02 03 04")
    page.get_by_label("Rôle").select_option(label="À prévenir en cas d'urgence")
    page.get_by_role("button", name="Ajouter le contact").click()
    expect(page.get_by_role("alert")).to_contain_text("Yves Le Gall est ajouté(e)")
    expect(page.locator("#contacts")).to_contain_text("Yves Le Gall")

    # A diet change, sent to the service.
    page.get_by_role("link", name="Modifier : Régime alimentaire").click()
    page.get_by_role("combobox", name="Régime alimentaire").select_option(label="Végétarien")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("elles seront validées par un agent")
    card = page.locator("section", has=page.get_by_role("heading", name="Régime alimentaire"))
    expect(card).to_contain_text("En attente de validation")
    shoot(page, "portal-family-child-pending")

    # The agent accepts it in the back office.
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    agent = context.new_page()
    try:
        _sign_in(agent, server.url("alpha", "/gestion/connexion/?next=/gestion/demandes/"),
                 people["agent"])
        expect(agent.get_by_role("heading", name="Demandes de modification des familles")
               ).to_be_visible()
        row = agent.get_by_role("row").filter(has_text="Végétarien")
        expect(row).to_contain_text("Sans porc")
        shoot(agent, "backoffice-change-requests")
        row.get_by_role("button", name="Accepter").click()
        expect(agent.get_by_role("alert")).to_contain_text("Demande acceptée")
        expect(agent.get_by_text("Aucune demande en attente")).to_be_visible()
    finally:
        context.close()

    # The parent sees the new diet, nothing pending.
    page.reload()
    card = page.locator("section", has=page.get_by_role("heading", name="Régime alimentaire"))
    expect(card).to_contain_text("Végétarien")
    expect(card).not_to_contain_text("En attente de validation")
    page.goto(server.url("alpha", "/profil/"))
    expect(page.locator("#demandes")).to_contain_text("Acceptée")


def test_administrator_policy_page(page, server, commune_alpha, people):
    _sign_in(page, server.url("alpha", "/gestion/connexion/?next=/gestion/parametres/portail/"
                                       "champs/"), people["admin"])
    expect(page.get_by_role("heading", name="Champs modifiables par les familles")
           ).to_be_visible()
    shoot(page, "backoffice-portal-fields")
