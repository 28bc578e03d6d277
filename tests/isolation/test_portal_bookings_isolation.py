"""The portal's booking pages never reach another household's or another commune's
children: the grid shows only the household's own, and actions on foreign ids are 404."""

import pytest

from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.portal_cells import BOOK
from tests.bookings.portal_support import portal_family
from tests.conftest import host_of, inside, logged_in_client

pytestmark = pytest.mark.django_db


def test_a_parent_cannot_book_a_child_of_another_commune(commune_alpha, commune_beta):
    mine = portal_family(commune_alpha)
    theirs = portal_family(commune_beta)
    client = logged_in_client(commune_alpha, mine.user)
    cell = {"enfant": theirs.children[0].pk, "prestation": theirs.services[0].pk,
            "jour": theirs.monday.isoformat(), "action": BOOK}
    # Their ids on my commune's host name rows of my schema only (ids repeat between
    # schemas): whatever it does there, it cannot touch theirs.
    client.post("/reservations/case/", cell)
    # My session on their commune's host: not signed in there.
    response = client.post("/reservations/case/", cell, HTTP_HOST=host_of(commune_beta))
    assert response.status_code in (302, 403)
    with inside(commune_beta):
        assert not Booking.objects.filter(child_id=theirs.children[0].pk).exists()


def test_the_mass_wizard_ignores_children_of_another_household(commune_alpha):
    mine = portal_family(commune_alpha)
    theirs = portal_family(commune_alpha)
    client = logged_in_client(commune_alpha, mine.user)
    response = client.post("/reservations/masse/", {
        "step": "confirm", "service": theirs.services[0].pk,
        "children": [theirs.children[0].pk], f"jours_{theirs.children[0].pk}": ["1", "2"],
        "starts_on": theirs.monday.isoformat(), "ends_on": theirs.monday.isoformat(),
        "action": "add", "school_weeks_only": "aucun"})
    assert response.status_code == 400  # their service is not one of mine
    response = client.post("/reservations/masse/", {
        "step": "confirm", "service": mine.services[0].pk,
        "children": [theirs.children[0].pk], "starts_on": mine.monday.isoformat(),
        "ends_on": mine.monday.isoformat(), "action": "add", "school_weeks_only": "aucun"})
    assert response.status_code == 400  # their child is not one of mine
    with inside(commune_alpha):
        assert not Booking.objects.filter(child__in=theirs.children).exists()
