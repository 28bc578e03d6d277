"""The portal's weekly booking grid: what a parent sees and can do, one cell or a week."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.bookings import selectors
from tenant_apps.bookings.models import Booking, BookingState
from tenant_apps.bookings.portal_cells import BOOK, CANCEL, cell_view
from tenant_apps.bookings.rules import CellStatus
from tenant_apps.families.models import ChildHousehold, CustodyPattern, Household
from tests.bookings.portal_support import portal_family
from tests.conftest import inside, logged_in_client

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _queries(commune, family) -> int:
    with inside(commune), CaptureQueriesContext(connection) as captured:
        weeks = selectors.household_week(household=family.household, monday=family.monday,
                                         actor=family.user)
    assert len(weeks) == len(family.children)
    assert all(len(w.services) == len(family.services) for w in weeks)
    return sum(1 for q in captured.captured_queries if not q["sql"].startswith("SET "))


def test_household_grid_query_count_does_not_grow_with_children_or_services(commune_alpha):
    small = portal_family(commune_alpha, children=1, services=1)
    large = portal_family(commune_alpha, children=4, services=3)
    assert _queries(commune_alpha, small) == _queries(commune_alpha, large)


def test_parent_books_and_cancels_a_cell_without_reloading(commune_alpha):
    family = portal_family(commune_alpha)
    child, service = family.children[0], family.services[0]
    client = logged_in_client(commune_alpha, family.user)
    page = client.get(f"/reservations/?semaine={family.monday}")
    assert page.status_code == 200
    assert "Fin de réservation : 08:30" in page.content.decode()
    assert "Réserver pour la semaine" in page.content.decode()

    cell = {"enfant": child.pk, "prestation": service.pk, "jour": family.monday.isoformat()}
    row = client.post("/reservations/case/", {**cell, "action": BOOK}, **HTMX)
    assert row.status_code == 200
    html = row.content.decode()
    assert f'id="row-{child.pk}-{service.pk}"' in html and "réservé le" in html
    assert "<html" not in html  # a fragment, swapped in place
    with inside(commune_alpha):
        booking = Booking.objects.get(child=child, service=service, day=family.monday)
        assert booking.state == BookingState.BOOKED
        assert booking.household_id == family.household.pk

    client.post("/reservations/case/", {**cell, "action": CANCEL}, **HTMX)
    with inside(commune_alpha):
        assert Booking.objects.get(pk=booking.pk).state == BookingState.CANCELLED


def test_without_javascript_the_cell_posts_and_redirects_to_the_week(commune_alpha):
    family = portal_family(commune_alpha)
    client = logged_in_client(commune_alpha, family.user)
    response = client.post("/reservations/case/", {
        "enfant": family.children[0].pk, "prestation": family.services[0].pk,
        "jour": family.monday.isoformat(), "action": BOOK})
    assert response.status_code == 302
    assert f"semaine={family.monday}" in response["Location"]
    assert "réservé le" in client.get(response["Location"]).content.decode()


def test_book_the_whole_week_books_each_running_day(commune_alpha):
    family = portal_family(commune_alpha)
    client = logged_in_client(commune_alpha, family.user)
    response = client.post("/reservations/semaine/", {
        "enfant": family.children[0].pk, "prestation": family.services[0].pk,
        "semaine": family.monday.isoformat()}, **HTMX)
    assert "4 jours réservés" in response.content.decode()
    with inside(commune_alpha):
        days = set(Booking.objects.filter(child=family.children[0], state="booked")
                   .values_list("day", flat=True))
    assert days == {family.monday + timedelta(days=d) for d in (0, 1, 3, 4)}


def test_past_deadline_cells_are_locked_and_a_stale_tap_is_refused(commune_alpha):
    family = portal_family(commune_alpha)
    client = logged_in_client(commune_alpha, family.user)

    response = client.post("/reservations/case/", {
        "enfant": family.children[0].pk, "prestation": family.services[0].pk,
        "jour": (family.monday - timedelta(days=14)).isoformat(), "action": BOOK}, **HTMX)
    if response.status_code == 404:  # before the school year: not even a row
        return
    assert "date limite" in response.content.decode().lower()
    with inside(commune_alpha):
        assert not Booking.objects.filter(child=family.children[0]).exists()


def test_another_households_child_is_not_found_and_nothing_changes(commune_alpha):
    mine = portal_family(commune_alpha)
    theirs = portal_family(commune_alpha)
    client = logged_in_client(commune_alpha, mine.user)
    for url, extra in (("/reservations/case/", {"jour": theirs.monday.isoformat(),
                                                 "action": BOOK}),
                       ("/reservations/semaine/", {"semaine": theirs.monday.isoformat()})):
        response = client.post(url, {"enfant": theirs.children[0].pk,
                                     "prestation": theirs.services[0].pk, **extra})
        assert response.status_code == 404
    page = client.get(f"/reservations/?semaine={mine.monday}").content.decode()
    assert theirs.children[0].first_name not in page
    with inside(commune_alpha):
        assert not Booking.objects.filter(child=theirs.children[0]).exists()


def test_shared_custody_days_of_the_other_household_cannot_be_booked_here(commune_alpha):
    family = portal_family(commune_alpha)
    child = family.children[0]
    even = family.monday.isocalendar().week % 2 == 0
    with inside(commune_alpha):
        other = Household.objects.create(name="Autre foyer")
        # This week belongs to the other household.
        ChildHousehold.objects.filter(child=child, household=family.household).update(
            custody=CustodyPattern.ODD_WEEKS if even else CustodyPattern.EVEN_WEEKS)
        ChildHousehold.objects.create(child=child, household=other, custody=(
            CustodyPattern.EVEN_WEEKS if even else CustodyPattern.ODD_WEEKS))
    client = logged_in_client(commune_alpha, family.user)
    page = client.get(f"/reservations/?semaine={family.monday}").content.decode()
    assert "Autre foyer" in page
    response = client.post("/reservations/case/", {
        "enfant": child.pk, "prestation": family.services[0].pk,
        "jour": family.monday.isoformat(), "action": BOOK}, **HTMX)
    assert "autre foyer" in response.content.decode()
    with inside(commune_alpha):
        assert not Booking.objects.filter(child=child).exists()
    # The next week is this household's own.
    next_week = family.monday + timedelta(days=7)
    client.post("/reservations/case/", {
        "enfant": child.pk, "prestation": family.services[0].pk,
        "jour": next_week.isoformat(), "action": BOOK}, **HTMX)
    with inside(commune_alpha):
        assert Booking.objects.get(child=child).household_id == family.household.pk


def test_a_back_office_account_cannot_use_the_portal_grid(commune_alpha):
    from tenant_apps.accounts.models import Role
    from tests.conftest import make_user
    agent = make_user(commune_alpha, role=Role.AGENT)
    response = logged_in_client(commune_alpha, agent).get("/reservations/")
    assert response.status_code in (302, 403, 404)


statuses = st.builds(
    CellStatus,
    state=st.sampled_from(["", "booked", "cancelled", "waiting", "attended",
                           "absent_justified", "absent_unjustified", "unbooked_presence"]),
    can_book=st.booleans(), can_cancel=st.booleans(),
    book_state=st.sampled_from(["booked", "waiting"]), locked=st.booleans(),
    past_deadline=st.booleans(), reason=st.text(max_size=20),
)


@given(status=statuses, own_day=st.booleans())
def test_a_cell_offers_only_what_the_rules_allow(status, own_day):
    view = cell_view(status, own_day=own_day)
    if view.action == BOOK:
        assert status.can_book and own_day
    if view.action == CANCEL:
        assert status.can_cancel
    assert view.label and view.icon  # readable without colour


def test_the_grid_and_the_mass_preview_show_the_price_before_booking(commune_alpha):
    from tenant_apps.accounts.models import Role
    from tests.billing import support as billing
    from tests.conftest import make_user

    family = portal_family(commune_alpha, children=2)
    regisseur = make_user(commune_alpha, role=Role.REGISSEUR)
    service = family.services[0]
    with inside(commune_alpha):
        billing.tariff(service, regisseur, amount_cents=385,
                       effective_from=family.monday - timedelta(days=60))
    client = logged_in_client(commune_alpha, family.user)
    page = client.get(f"/reservations/?semaine={family.monday}").content.decode()
    assert "Tarif : 3,85\u00a0€ par jour" in page
    child = family.children[0]
    preview = client.post("/reservations/masse/", {
        "step": "preview", "service": service.pk, "children": [child.pk],
        f"jours_{child.pk}": ["1", "2"], "starts_on": family.monday.isoformat(),
        "ends_on": (family.monday + timedelta(days=4)).isoformat(), "action": "add",
        "school_weeks_only": "aucun"}).content.decode()
    assert "Coût estimé : 7,70\u00a0€ (2 × 3,85\u00a0€" in preview
    with inside(commune_alpha):
        assert not Booking.objects.filter(child=child).exists()  # a preview writes nothing
