"""An agent books a service in mass with different weekdays per child (preview child by
child, then the summary), then assigns agreed-custody days from a child's page;
screenshots at phone and desktop sizes."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role, User
from tenant_apps.bookings.models import Booking, BookingEvent, CustodyAssignment, MassBooking
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Child, ChildHousehold, CustodyPattern, Household
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear
from tests.conftest import inside, make_user
from tests.e2e.support import shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Masse-Alpha-7!"


@dataclass
class Setup:
    email: str
    service: Service
    children: list[Child]
    second_home: Household


@pytest.fixture
def alpha_mass(commune_alpha) -> Iterator[Setup]:  # type: ignore[no-untyped-def]
    """Committed in alpha: an agent, a meal service, three registered children in the
    current school year, the first one in agreed custody between two households."""
    tag = uuid.uuid4().hex[:4]
    email = unique_email("mass")
    make_user(commune_alpha, role=Role.AGENT, email=email, password=PASSWORD)
    with inside(commune_alpha):
        year = SchoolYear.objects.filter(is_current=True).first()
        made_current = None
        if year is None:
            year = SchoolYear.objects.filter(label="2026-2027").first() or \
                SchoolYear.objects.create(label="2026-2027", starts_on=date(2026, 9, 1),
                                          ends_on=date(2027, 7, 3), is_current=False)
            year.is_current, made_current = True, year
            year.save(update_fields=["is_current"])
        school = School.objects.create(name=f"École du Port {tag}", kind="primaire")
        klass = SchoolClass.objects.create(school=school, school_year=year, name="CE1")
        service = Service.objects.create(name=f"Cantine {tag}", kind="repas",
                                         weekdays=[1, 2, 4, 5], book_until=time(8, 30),
                                         cancel_until=time(8, 30), capacity=40)
        children, households = [], []
        for last, first in (("Le Goff", "Anaïs"), ("Morvan", "Tom"), ("Quéré", "Léa")):
            household = Household.objects.create(name=f"Famille {last} {tag}")
            child = Child.objects.create(last_name=f"{last} {tag}", first_name=first,
                                         birth_date=date(2018, 4, 2))
            ChildHousehold.objects.create(child=child, household=household,
                                          custody=CustodyPattern.AGREED)
            Enrolment.objects.create(child=child, school_year=year, school_class=klass)
            Registration.objects.create(child=child, service=service, school_year=year,
                                        household=household)
            children.append(child)
            households.append(household)
        second = Household.objects.create(name=f"Famille Tanguy {tag}")
        ChildHousehold.objects.create(child=children[0], household=second,
                                      custody=CustodyPattern.AGREED)
        households.append(second)
    yield Setup(email=email, service=service, children=children, second_home=second)
    with inside(commune_alpha):
        BookingEvent.objects.filter(booking__service=service).delete()
        Booking.objects.filter(service=service).delete()
        MassBooking.objects.filter(created_by_email=email).delete()
        CustodyAssignment.objects.filter(child__in=children).delete()
        Registration.objects.filter(service=service).delete()
        service.delete()
        Enrolment.objects.filter(school_class=klass).delete()
        Child.objects.filter(pk__in=[c.pk for c in children]).delete()
        Household.objects.filter(pk__in=[h.pk for h in households]).delete()
        klass.delete()
        school.delete()
        if made_current is not None:
            made_current.is_current = False
            made_current.save(update_fields=["is_current"])
        User.objects.filter(email=email).delete()


def _sign_in(page, server, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url("alpha", "/gestion/connexion/"))
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Tableau de bord", level=1)).to_be_visible()


def test_mass_booking_with_weekdays_per_child(page, server, commune_alpha, alpha_mass):
    anais, tom, lea = alpha_mass.children
    _sign_in(page, server, alpha_mass.email)
    page.goto(server.url("alpha", "/gestion/reservations/masse/"))
    page.get_by_label("Prestation").select_option(str(alpha_mass.service.pk))
    page.get_by_role("button", name="Choisir les enfants").click()
    for child in (anais, tom, lea):
        page.get_by_label(f"{child.last_name} {child.first_name}").check()
    page.get_by_role("button", name="Choisir les jours").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(alpha_mass.service.name)
    rows = page.locator("#per-child-rows")
    expect(rows).to_be_hidden()
    expect(page.get_by_label("Mercredi")).to_have_count(0)  # the service has no Wednesday
    page.locator("#id_starts_on").fill("2026-11-30")
    page.locator("#id_ends_on").fill("2026-12-11")
    page.get_by_label("Personnaliser par enfant").check()
    expect(rows).to_be_visible()
    # Every row starts from the common days; Tom only Fridays, Léa Mondays and Thursdays.
    expect(page.locator(f"#jours_{tom.pk}_1")).to_be_checked()
    for day in (1, 2, 4):
        page.locator(f"#jours_{tom.pk}_{day}").uncheck()
    for day in (2, 5):
        page.locator(f"#jours_{lea.pk}_{day}").uncheck()
    shoot(page, "mass-booking-per-child")

    page.get_by_role("button", name="Voir ce qui sera fait").click()
    expect(page.get_by_text("Rien n'est encore enregistré.")).to_be_visible()
    table = page.locator(".mass-per-child")
    expect(table.get_by_role("row").filter(has_text=anais.first_name)).to_contain_text(
        "Lun., Mar., Jeu., Ven.")
    expect(table.get_by_role("row").filter(has_text=tom.first_name).locator("td").nth(1)
           ).to_have_text("2")
    expect(table.get_by_role("row").filter(has_text=lea.first_name).locator("td").nth(1)
           ).to_have_text("4")
    shoot(page, "mass-booking-preview")
    with inside(commune_alpha):
        assert not Booking.objects.filter(service=alpha_mass.service).exists()

    page.get_by_role("button", name="Confirmer la réservation en masse").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Réservation en masse effectuée")
    expect(page.locator(".alert-success")).to_contain_text("14 réservations modifiées")
    shoot(page, "mass-booking-done")
    with inside(commune_alpha):
        booked = Booking.objects.filter(service=alpha_mass.service)
        assert {(b.child_id, b.day.isoweekday()) for b in booked} == {
            *((anais.pk, d) for d in (1, 2, 4, 5)), (tom.pk, 5), (lea.pk, 1), (lea.pk, 4)}
        assert booked.count() == 14


def test_agreed_custody_from_the_child_page(page, server, commune_alpha, alpha_mass):
    anais = alpha_mass.children[0]
    _sign_in(page, server, alpha_mass.email)
    page.goto(server.url("alpha", f"/gestion/familles/enfants/{anais.pk}/"))
    page.get_by_role("link", name="Calendrier de garde").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Garde selon accord")
    page.goto(page.url + "?mois=2026-12")
    expect(page.get_by_role("heading", name="décembre 2026")).to_be_visible()
    page.locator("#id_household").select_option(label=alpha_mass.second_home.name)
    page.locator("#id_starts_on").fill("2026-12-01")
    page.locator("#id_ends_on").fill("2026-12-31")
    page.get_by_label("Mercredi").check()
    page.get_by_label("Samedi").check()
    page.get_by_role("button", name="Attribuer").click()
    expect(page.get_by_role("alert").first).to_contain_text("attribués au foyer")
    expect(page.locator('td[data-day="2026-12-02"]')).to_contain_text(
        alpha_mass.second_home.name)
    expect(page.locator('td[data-day="2026-12-03"]')).not_to_contain_text(
        alpha_mass.second_home.name)
    shoot(page, "custody-calendar")
    with inside(commune_alpha):
        assignment = CustodyAssignment.objects.get(child=anais)
        assert assignment.weekdays == [3, 6]
