"""Agreed custody and closure restores: another commune's child, assignment or closure is
a 404 from this commune's back office and API, and nothing changes there."""

from datetime import timedelta

import pytest

from tenant_apps.bookings.closures import closure_create
from tenant_apps.bookings.custody import custody_assign
from tenant_apps.bookings.models import Booking, BookingState, ClosurePeriod, CustodyAssignment
from tenant_apps.families.models import Child, ChildHousehold, CustodyPattern, Household
from tenant_apps.schooling.models import Enrolment
from tests.bookings.support import MONDAY, registered_child, service
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support

pytestmark = pytest.mark.django_db


@pytest.fixture
def beta_custody(commune_beta):
    with inside(commune_beta):
        meal = service()
        home, child = registered_child(meal)
        other = Household.objects.create(name="Foyer Bêta bis")
        ChildHousehold.objects.filter(child=child).update(custody=CustodyPattern.AGREED)
        ChildHousehold.objects.create(child=child, household=other, custody=CustodyPattern.AGREED)
        klass = support.school_class(support.school(), child.registrations.get().school_year)
        Enrolment.objects.create(child=child, school_year=klass.school_year, school_class=klass)
        Booking.objects.create(child=child, service=meal, household=home, day=MONDAY,
                               state=BookingState.BOOKED)
        assignment = custody_assign(child=child, household=other, starts_on=MONDAY,
                                    ends_on=MONDAY + timedelta(days=6), acting_user=None
                                    ).assignment
        closure = closure_create(label="Grève bêta", starts_on=MONDAY, ends_on=MONDAY,
                                 services=[meal], classes=[klass], actor=None).closure
        return child, other, assignment, closure


def test_another_communes_custody_screen_and_assignments_are_404(commune_alpha, commune_beta,
                                                                  beta_custody):
    child, other, assignment, _closure = beta_custody
    agent = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    with inside(commune_alpha):
        alpha_has_child = Child.objects.filter(pk=child.pk).exists()
        alpha_children = list(Child.objects.values_list("pk", flat=True)[:1])
    url = f"/gestion/reservations/garde/{child.pk}/"
    if not alpha_has_child:
        assert agent.get(url).status_code == 404
        assert agent.post(url, {"household": other.pk, "starts_on": "2026-12-01",
                                "ends_on": "2026-12-31"}).status_code == 404
    # Beta's assignment through one of alpha's own children: still not found.
    for alpha_child in [*alpha_children, child.pk]:
        response = agent.post(f"/gestion/reservations/garde/{alpha_child}/{assignment.pk}/"
                              "retirer/")
        with inside(commune_alpha):
            exists_here = CustodyAssignment.objects.filter(pk=assignment.pk,
                                                           child_id=alpha_child).exists()
        if not exists_here:
            assert response.status_code == 404
    with inside(commune_beta):
        assert CustodyAssignment.objects.filter(pk=assignment.pk).exists()
        assert CustodyAssignment.objects.count() == 1
        assert Booking.objects.get(child=child).household_id == other.pk


def test_another_communes_closure_cannot_be_restored_or_edited(commune_alpha, commune_beta,
                                                               beta_custody):
    _child, _other, _assignment, closure = beta_custody
    agent = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    with inside(commune_alpha):
        if ClosurePeriod.objects.filter(pk=closure.pk).exists():
            pytest.skip("same id in both communes: the paths below would be alpha's own")
    assert agent.delete(f"/api/v1/fermetures/{closure.pk}/").status_code == 404
    assert agent.put(f"/api/v1/fermetures/{closure.pk}/", {
        "libelle": "Piraté", "du": "2026-12-01", "au": "2026-12-01", "prestations": [1],
        "classes": [1], "simulation": False}, content_type="application/json"
    ).status_code == 404
    assert agent.post(f"/gestion/reservations/fermetures/{closure.pk}/supprimer/"
                      ).status_code == 404
    with inside(commune_beta):
        closure.refresh_from_db()
        assert closure.deleted_at is None and closure.label == "Grève bêta"
        assert Booking.objects.get(day=MONDAY).state == BookingState.CANCELLED
