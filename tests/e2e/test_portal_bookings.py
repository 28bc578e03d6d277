"""A parent books on the portal: the weekly grid (tap a cell, book the week, change
week) and the mass booking wizard, on a phone and a desktop."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tenant_apps.bookings.models import Booking
from tests.bookings.portal_support import portal_family
from tests.conftest import inside
from tests.e2e.support import PHONE, shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Motdepasse-1"


def _sign_in(page, server, family) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url("alpha", "/connexion/"))
    page.get_by_label("Courriel").fill(family.user.email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Accueil", level=1)).to_be_visible()


def test_parent_books_cells_and_a_week_in_the_grid(page, server, commune_alpha):
    family = portal_family(commune_alpha, children=2, services=2)
    child = family.children[0]
    _sign_in(page, server, family)
    shoot(page, "portal-dashboard")

    page.get_by_role("link", name="Réservations", exact=True).first.click()
    page.goto(server.url("alpha", f"/reservations/?semaine={family.monday}"))
    expect(page.get_by_role("heading", name="Réservations", level=1)).to_be_visible()
    expect(page.get_by_text("Fin de réservation : 08:30").first).to_be_visible()
    monday_cell = page.locator(f"#row-{child.pk}-{family.services[0].pk} button.grid-cell").first
    expect(monday_cell).to_have_attribute("data-state", "Libre")
    monday_cell.click()
    row = page.locator(f"#row-{child.pk}-{family.services[0].pk}")
    expect(row.get_by_text("réservé le")).to_be_visible()
    expect(row.locator(".grid-cell").first).to_have_attribute("data-state", "Réservé")

    page.locator(f"#row-{child.pk}-{family.services[1].pk}").get_by_role(
        "button", name="Réserver pour la semaine").click()
    expect(page.locator(f"#row-{child.pk}-{family.services[1].pk}")
           .get_by_text("4 jours réservés")).to_be_visible()
    shoot(page, "portal-grid")
    with inside(commune_alpha):
        assert Booking.objects.filter(child=child, state="booked").count() == 5

    page.get_by_role("link", name="Semaine suivante").click()
    next_monday = family.monday + timedelta(days=7)
    expect(page).to_have_url(re.compile(f"semaine={next_monday}"))


def test_phone_shows_one_child_at_a_time(page, server, commune_alpha):
    family = portal_family(commune_alpha, children=2, services=1)
    page.set_viewport_size(PHONE)
    _sign_in(page, server, family)
    page.goto(server.url("alpha", f"/reservations/?semaine={family.monday}"))
    # The grid lists children eldest first.
    first, second = sorted(family.children, key=lambda c: (c.birth_date, c.first_name, c.pk))

    def heading(child):  # type: ignore[no-untyped-def]
        return page.get_by_role("heading", name=f"{child.first_name} {child.last_name}")

    expect(heading(first)).to_be_visible()
    expect(heading(second)).to_be_hidden()
    page.get_by_role("link", name=second.first_name).click()
    expect(heading(second)).to_be_visible()


def test_parent_books_in_mass_with_a_preview(page, server, commune_alpha):
    family = portal_family(commune_alpha, children=2, services=1)
    _sign_in(page, server, family)
    page.goto(server.url("alpha", "/reservations/"))
    page.get_by_role("link", name="Réserver en masse").click()
    page.get_by_role("button", name="Suivant").click()
    page.get_by_role("button", name="Suivant").click()
    first, second = family.children
    # Only Mondays and Thursdays for the second child.
    for weekday in (2, 5):
        page.locator(f"label[for='jours-{second.pk}-{weekday}']").click()
    page.get_by_label("Date de début").fill(family.monday.isoformat())
    page.get_by_label("Date de fin").fill((family.monday + timedelta(days=4)).isoformat())
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_text("Ce qui va changer")).to_be_visible()
    shoot(page, "portal-mass-preview")
    with inside(commune_alpha):
        assert not Booking.objects.filter(child__in=family.children).exists()
    page.get_by_role("button", name="Réserver").click()
    expect(page.get_by_text("Vos réservations ont bien été enregistrées.")).to_be_visible()
    shoot(page, "portal-mass-done")
    with inside(commune_alpha):
        assert Booking.objects.filter(child=first).count() == 4
        assert sorted(b.day.isoweekday() for b in Booking.objects.filter(child=second)) == [1, 4]
