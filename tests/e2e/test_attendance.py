"""An animateur takes attendance with the keyboard: three children, three states, each
saved at once (htmx) without losing the focus; screenshots at phone and desktop sizes."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role, User
from tenant_apps.bookings.models import Booking, BookingEvent
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Child, ChildHousehold, Household
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear
from tests.conftest import inside, make_user
from tests.e2e.support import shoot, unique_email

PAGE = "/gestion/reservations/pointage/"


def _wired() -> bool:
    try:
        resolve(PAGE, urlconf="config.urls_tenant")
    except Resolver404:
        return False
    return True


pytestmark = [
    pytest.mark.e2e, pytest.mark.django_db,
    pytest.mark.skipif(not _wired(), reason="urls_attendance not yet included in bookings/urls"),
]

PASSWORD = "Pointage-Alpha-7!"
DAY = date(2026, 11, 30)  # a Monday


@dataclass
class Setup:
    email: str
    service: Service
    children: list[Child]


@pytest.fixture
def alpha_sheet(commune_alpha) -> Iterator[Setup]:  # type: ignore[no-untyped-def]
    """Committed in alpha: an animateur, a meal service, a class of three booked children."""
    tag = uuid.uuid4().hex[:4]
    email = unique_email("attendance")
    make_user(commune_alpha, role=Role.ANIMATEUR, email=email, password=PASSWORD)
    with inside(commune_alpha):
        year = SchoolYear.objects.filter(label="2026-2027").first()
        created_year = year is None
        if year is None:
            year = SchoolYear.objects.create(label="2026-2027", starts_on=date(2026, 9, 1),
                                             ends_on=date(2027, 7, 3), is_current=False)
        school = School.objects.create(name=f"École Jules Ferry {tag}", kind="primaire")
        klass = SchoolClass.objects.create(school=school, school_year=year, name="CP de M. Riou")
        service = Service.objects.create(name=f"Repas Enfant {tag}", kind="repas",
                                         weekdays=[1, 2, 4, 5], book_until=time(8, 30),
                                         cancel_until=time(8, 30))
        children, households = [], []
        for last, first in (("Abgrall", "Nina"), ("Bernard", "Yanis"), ("Caradec", "Louise")):
            household = Household.objects.create(name=f"Famille {last} {tag}")
            child = Child.objects.create(last_name=f"{last} {tag}", first_name=first,
                                         birth_date=date(2019, 5, 2))
            ChildHousehold.objects.create(child=child, household=household)
            Enrolment.objects.create(child=child, school_year=year, school_class=klass)
            Registration.objects.create(child=child, service=service, school_year=year,
                                        household=household)
            Booking.objects.create(child=child, service=service, household=household, day=DAY,
                                   state="booked")
            children.append(child)
            households.append(household)
        # A fourth child waits for a place (not on the sheet, may be added as present).
        household = Household.objects.create(name=f"Famille Derrien {tag}")
        waiting = Child.objects.create(last_name=f"Derrien {tag}", first_name="Malo",
                                       birth_date=date(2019, 8, 9))
        ChildHousehold.objects.create(child=waiting, household=household)
        Enrolment.objects.create(child=waiting, school_year=year, school_class=klass)
        Registration.objects.create(child=waiting, service=service, school_year=year,
                                    household=household)
        Booking.objects.create(child=waiting, service=service, household=household, day=DAY,
                               state="waiting",
                               waiting_since=datetime(2026, 11, 27, 18, tzinfo=UTC))
        households.append(household)
    yield Setup(email=email, service=service, children=children)
    with inside(commune_alpha):
        BookingEvent.objects.filter(booking__service=service).delete()
        Booking.objects.filter(service=service).delete()
        Registration.objects.filter(service=service).delete()
        service.delete()
        Enrolment.objects.filter(school_class=klass).delete()
        Child.objects.filter(pk__in=[c.pk for c in children] + [waiting.pk]).delete()
        Household.objects.filter(pk__in=[h.pk for h in households]).delete()
        klass.delete()
        school.delete()
        if created_year:
            year.delete()
        User.objects.filter(email=email).delete()


def test_animateur_marks_three_children_with_the_keyboard(page, server, commune_alpha,
                                                          alpha_sheet):
    first, second, third = alpha_sheet.children
    page.goto(server.url("alpha", "/gestion/connexion/"))
    page.get_by_label("Courriel").fill(alpha_sheet.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Tableau de bord", level=1)).to_be_visible()

    page.goto(server.url("alpha", f"{PAGE}?jour={DAY}&prestation={alpha_sheet.service.pk}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pointage")
    expect(page.locator(".attendance-row")).to_have_count(3)
    expect(page.locator(".attendance-status").first).to_have_text("Non pointé")
    shoot(page, "attendance-before")

    # Into the first child's group, then only the keyboard.
    page.locator(f"#etat-{first.pk}-attended").focus()
    page.keyboard.press("Space")
    expect(page.locator(f"#ligne-{first.pk} .attendance-status")).to_have_text(
        "Enregistré : Présent")
    assert page.evaluate("document.activeElement.id") == f"etat-{first.pk}-attended"

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"etat-{second.pk}-attended"
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"#ligne-{second.pk} .attendance-status")).to_have_text(
        "Enregistré : Absent justifié")

    page.keyboard.press("Tab")
    page.keyboard.press("ArrowLeft")  # wraps round to the last choice
    expect(page.locator(f"#ligne-{third.pk} .attendance-status")).to_have_text(
        "Enregistré : Absent non justifié")
    assert page.evaluate("document.activeElement.id") == f"etat-{third.pk}-absent_unjustified"
    expect(page.locator("#compteurs")).to_have_text("1 présent · 0 non pointé sur 3")
    shoot(page, "attendance-marked")

    with inside(commune_alpha):
        states = dict(Booking.objects.filter(service=alpha_sheet.service)
                      .exclude(state="waiting").values_list("child_id", "state"))
        assert states == {first.pk: "attended", second.pk: "absent_justified",
                          third.pk: "absent_unjustified"}
        assert BookingEvent.objects.filter(booking__service=alpha_sheet.service).count() == 3

    # After a reload the page tells the same story.
    page.reload()
    expect(page.locator(f"#etat-{second.pk}-absent_justified")).to_be_checked()
    expect(page.locator("h1 + .sub")).to_contain_text("1 présent · 0 non pointé sur 3")

    # The agents' other views: headcounts (day, week), the waiting list, a child's history.
    page.goto(server.url("alpha", f"/gestion/reservations/effectifs/?jour={DAY}"
                                  f"&prestation={alpha_sheet.service.pk}"))
    row = page.get_by_role("row").filter(has_text=alpha_sheet.service.name)
    expect(row).to_contain_text("École Jules Ferry")
    expect(row.locator("td").nth(1)).to_have_text("3")  # expected
    shoot(page, "headcounts-day")
    page.get_by_label("Vue").select_option("semaine")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_text("Semaine du 30 novembre 2026")).to_be_visible()
    shoot(page, "headcounts-week")

    page.goto(server.url("alpha", f"/gestion/reservations/attente/?jour={DAY}"
                                  f"&prestation={alpha_sheet.service.pk}"))
    expect(page.get_by_role("row").filter(has_text="Malo")).to_contain_text("27/11/2026")
    shoot(page, "waiting-list")
    page.get_by_role("link", name="Derrien").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Malo")
    page.goto(server.url("alpha", f"/gestion/reservations/enfant/{first.pk}/historique/"))
    expect(page.locator(".history-table").get_by_text(alpha_sheet.email)).to_be_visible()
    expect(page.get_by_text("hors délai", exact=True)).to_be_visible()
    shoot(page, "child-history")
