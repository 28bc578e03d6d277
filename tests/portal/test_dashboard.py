"""The portal's home page: today's bookings per child, what is left to do (unread
messages, invoices to pay), recent documents; in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenant_apps.accounts.models import Role
from tenant_apps.billing.runs import invoice_run_compute, invoice_run_create, invoice_run_issue
from tenant_apps.bookings.models import Booking
from tenant_apps.families.models import Guardian
from tests.billing import support as billing
from tests.bookings.portal_support import portal_family
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db


def _queries(client) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return sum(1 for q in captured.captured_queries if not q["sql"].startswith("SET "))


def test_home_shows_todays_bookings_of_each_child(commune_alpha):
    family = portal_family(commune_alpha, children=2)
    today = timezone.localdate()
    first, second = family.children
    with inside(commune_alpha):
        Booking.objects.create(child=first, service=family.services[0],
                               household=family.household, day=today, state="booked")
    body = logged_in_client(commune_alpha, family.user).get("/").content.decode()
    assert family.services[0].name in body and "Réservé" in body
    assert body.count("Aucune réservation aujourd'hui.") == 1  # the second child
    assert second.first_name in body


def test_home_query_count_does_not_grow_with_children(commune_alpha):
    small = portal_family(commune_alpha, children=1)
    large = portal_family(commune_alpha, children=4, services=3)
    assert _queries(logged_in_client(commune_alpha, small.user)) == _queries(
        logged_in_client(commune_alpha, large.user))


def test_home_lists_the_invoices_left_to_pay(commune_alpha):
    regisseur = make_user(commune_alpha, role=Role.REGISSEUR)
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    with inside(commune_alpha):
        service = billing.service()
        billing.tariff(service, regisseur, amount_cents=410)
        household, child = billing.family(service)
        Guardian.objects.filter(household=household).update(user=parent)
        billing.book_days(child, service, household, 3)
        run = invoice_run_create(period_start=billing.NOV_1, period_end=billing.NOV_30,
                                 acting_user=regisseur, dispatch=False)
        invoice_run_compute(run=run, acting_user=regisseur)
        invoice_run_issue(run=run, acting_user=regisseur, render_pdfs=False)
        number = run.invoices.get().number
    body = logged_in_client(commune_alpha, parent).get("/").content.decode()
    assert f"Facture {number}" in body and "12,30" in body
