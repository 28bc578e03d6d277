"""Mass booking: add vs replace, refusals and their reasons, the school weeks criterion,
capacity, idempotent re-apply; the wizard page."""

from datetime import date

import pytest

from tenant_apps.bookings.closures import closure_create
from tenant_apps.bookings.mass import (
    REASON_CLOSED,
    REASON_KEEP_INVOICED,
    REASON_NOT_REGISTERED,
    mass_booking_apply,
    mass_booking_plan,
)
from tenant_apps.bookings.models import Booking, BookingEvent, BookingState, MassBooking
from tenant_apps.catalog.models import Registration
from tenant_apps.schooling.models import Enrolment
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support

pytestmark = pytest.mark.django_db

# Two school weeks of zone B, 2025: Mon 6 Oct .. Fri 17 Oct (Toussaint starts on the 18th).
START, END = date(2025, 10, 6), date(2025, 10, 17)


class World:
    def __init__(self) -> None:
        self.year = support.year("2025-2026")
        school = support.school()
        self.klass = support.school_class(school, self.year, "CE1")
        self.meal = support.service("Cantine masse", weekdays=[1, 2, 4, 5])
        self.home, kids = support.family("Foyer Masse", children=3)
        self.kid1, self.kid2, self.unregistered = kids
        for kid in kids:
            Enrolment.objects.create(child=kid, school_year=self.year, school_class=self.klass)
        for kid in (self.kid1, self.kid2):
            Registration.objects.create(child=kid, service=self.meal, school_year=self.year,
                                        household=self.home)

    def plan(self, children, weekdays, action="add", **kw):
        return mass_booking_plan(
            service=kw.pop("service", self.meal), children=children,
            weekdays_per_child={c.pk: weekdays for c in children},
            starts_on=kw.pop("starts_on", START), ends_on=kw.pop("ends_on", END),
            action=action, school_weeks_only=kw.pop("school_weeks_only", False),
        )


def test_add_books_chosen_weekdays_and_refuses_unregistered(commune_alpha):
    with inside(commune_alpha):
        w = World()
        plan = w.plan([w.kid1, w.unregistered], [1, 4])
        assert plan.days == 8  # Mon, Tue, Thu, Fri × 2 weeks
        assert sorted(c.day for c in plan.create) == [date(2025, 10, d) for d in (6, 9, 13, 16)]
        assert {r.reason for r in plan.refused} == {REASON_NOT_REGISTERED}
        assert len(plan.refused) == 4
        assert not Booking.objects.exists()  # the plan writes nothing

        mass = mass_booking_apply(plan=plan, actor=None)

        assert Booking.objects.filter(child=w.kid1, state=BookingState.BOOKED).count() == 4
        assert BookingEvent.objects.filter(reason=f"mass:{mass.pk}").count() == 4
        assert mass.summary["created"] == 4 and mass.summary["refused"] == 4
        # Re-applying the same plan, or planning again, changes nothing.
        again = mass_booking_apply(plan=plan, actor=None)
        assert again.summary["applied_changes"] == 0
        assert Booking.objects.count() == 4
        replan = w.plan([w.kid1], [1, 4])
        assert not replan.create and replan.unchanged == 4


def test_add_keeps_existing_replace_cancels_non_invoiced_only(commune_alpha):
    with inside(commune_alpha):
        w = World()
        tuesday = Booking.objects.create(child=w.kid1, service=w.meal, household=w.home,
                                         day=date(2025, 10, 7), state=BookingState.BOOKED)
        invoiced = Booking.objects.create(child=w.kid1, service=w.meal, household=w.home,
                                          day=date(2025, 10, 14), state=BookingState.BOOKED,
                                          invoiced=True)
        cancelled = Booking.objects.create(child=w.kid1, service=w.meal, household=w.home,
                                           day=date(2025, 10, 6), state=BookingState.CANCELLED)
        add = w.plan([w.kid1], [1])
        assert not add.cancel and [pk for pk, _ in add.rebook] == [cancelled.pk]
        assert len(add.create) == 1  # Mon 13

        replace = w.plan([w.kid1], [1], action="replace")
        assert replace.cancel == [tuesday.pk]
        assert [(r.day, r.reason) for r in replace.refused] == [
            (date(2025, 10, 14), REASON_KEEP_INVOICED)]
        mass_booking_apply(plan=replace, actor=None)
        tuesday.refresh_from_db()
        invoiced.refresh_from_db()
        cancelled.refresh_from_db()
        assert tuesday.state == BookingState.CANCELLED
        assert invoiced.state == BookingState.BOOKED
        assert cancelled.state == BookingState.BOOKED


def test_closure_and_capacity(commune_alpha):
    with inside(commune_alpha):
        w = World()
        w.meal.capacity = 1
        w.meal.save()
        closure_create(label="Sortie", starts_on=START, ends_on=date(2025, 10, 7),
                       services=[w.meal], classes=[w.klass], actor=None)
        plan = w.plan([w.kid1, w.kid2], [1, 2])
        assert {(r.day, r.reason) for r in plan.refused} == {
            (date(2025, 10, 6), REASON_CLOSED), (date(2025, 10, 7), REASON_CLOSED)}
        states = sorted((c.child_id == w.kid1.pk, c.state) for c in plan.create)
        assert states == [(False, "waiting"), (False, "waiting"), (True, "booked"),
                          (True, "booked")]


def test_school_weeks_only_criterion(commune_alpha):
    with inside(commune_alpha):
        w = World()
        alsh = support.service("ALSH vacances", kind="alsh", weekdays=[1, 2, 3, 4, 5],
                               calendar="holidays")
        Registration.objects.create(child=w.kid1, service=alsh, school_year=w.year,
                                    household=w.home)
        holidays = w.plan([w.kid1], [1, 2, 3, 4, 5], service=alsh,
                          starts_on=date(2025, 10, 13), ends_on=date(2025, 10, 31))
        assert holidays.create and all(c.day >= date(2025, 10, 20) for c in holidays.create)
        school_weeks = w.plan([w.kid1], [1, 2, 3, 4, 5], service=alsh,
                              starts_on=date(2025, 10, 13), ends_on=date(2025, 10, 31),
                              school_weeks_only=True)
        assert school_weeks.days == 0 and not school_weeks.create


def editor(commune):
    return logged_in_client(commune, make_user(commune, role="agent"))


def test_wizard_three_steps_preview_then_apply(commune_alpha):
    with inside(commune_alpha):
        w = World()
    client = editor(commune_alpha)
    assert "Cantine masse" in client.get("/gestion/reservations/masse/").content.decode()
    step2 = client.get(f"/gestion/reservations/masse/?service={w.meal.pk}").content.decode()
    assert w.kid1.first_name in step2
    data = {"service": w.meal.pk, "children": [w.kid1.pk], "weekdays": ["1", "4"],
            "starts_on": "2025-10-06", "ends_on": "2025-10-17", "action": "add"}
    preview = client.post("/gestion/reservations/masse/", {**data, "step": "preview"})
    assert preview.status_code == 200
    assert "<strong>4</strong> réservations à créer" in preview.content.decode()
    with inside(commune_alpha):
        assert not Booking.objects.exists()
    done = client.post("/gestion/reservations/masse/", {**data, "step": "confirm"})
    assert done.status_code == 200 and "Réservation en masse effectuée" in done.content.decode()
    with inside(commune_alpha):
        assert Booking.objects.count() == 4 and MassBooking.objects.count() == 1


def test_wizard_bad_input_is_400_in_french_nothing_saved(commune_alpha):
    with inside(commune_alpha):
        w = World()
    client = editor(commune_alpha)
    response = client.post("/gestion/reservations/masse/", {
        "service": w.meal.pk, "children": [w.kid1.pk], "weekdays": [],
        "starts_on": "2025-10-17", "ends_on": "2025-10-06", "action": "add", "step": "confirm"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Cochez au moins un jour" in body
    with inside(commune_alpha):
        assert not Booking.objects.exists() and not MassBooking.objects.exists()


@pytest.mark.parametrize("role", ["read_only", "animateur"])
def test_readers_cannot_mass_book(commune_alpha, role):
    with inside(commune_alpha):
        w = World()
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))
    response = client.post("/gestion/reservations/masse/", {
        "service": w.meal.pk, "children": [w.kid1.pk], "weekdays": ["1"],
        "starts_on": "2025-10-06", "ends_on": "2025-10-17", "action": "add", "step": "confirm"})
    assert response.status_code == 403
    with inside(commune_alpha):
        assert not Booking.objects.exists()


def test_plan_counts_what_changes_child_by_child(commune_alpha):
    with inside(commune_alpha):
        w = World()
        Booking.objects.create(child=w.kid2, service=w.meal, household=w.home,
                               day=date(2025, 10, 7), state=BookingState.BOOKED)
        Booking.objects.create(child=w.kid2, service=w.meal, household=w.home,
                               day=date(2025, 10, 9), state=BookingState.CANCELLED)
        plan = mass_booking_plan(
            service=w.meal, children=[w.kid1, w.kid2, w.unregistered],
            weekdays_per_child={w.kid1.pk: [1], w.kid2.pk: [4, 5], w.unregistered.pk: [2]},
            starts_on=START, ends_on=END, action="replace", school_weeks_only=False)
        assert dict(plan.by_child[w.kid1.pk]) == {"booked": 2}
        # kid2: Thu 9 reactivated, Thu 16 + Fri 10, 17 new; Tue 7 cancelled (replace).
        assert dict(plan.by_child[w.kid2.pk]) == {"booked": 4, "rebooked": 1, "cancelled": 1}
        assert dict(plan.by_child[w.unregistered.pk]) == {"refused": 2}


def test_wizard_weekdays_per_child_preview_lists_each_child_then_applies(commune_alpha):
    with inside(commune_alpha):
        w = World()
    client = editor(commune_alpha)
    step3 = client.post("/gestion/reservations/masse/", {
        "service": w.meal.pk, "children": [w.kid1.pk, w.kid2.pk], "step": "weekdays"})
    body = step3.content.decode()
    assert step3.status_code == 200 and "Personnaliser par enfant" in body
    assert f'name="jours_{w.kid2.pk}" value="5"' in body
    assert 'value="3"' not in body  # the service does not run on Wednesdays
    data = {"service": w.meal.pk, "children": [w.kid1.pk, w.kid2.pk], "weekdays": ["1"],
            "per_child": "on", "per_child_rows": "1", f"jours_{w.kid1.pk}": ["1", "2"],
            f"jours_{w.kid2.pk}": ["5"], "starts_on": "2025-10-06", "ends_on": "2025-10-17",
            "action": "add"}
    preview = client.post("/gestion/reservations/masse/", {**data, "step": "preview"})
    body = preview.content.decode()
    assert preview.status_code == 200, body
    assert "Ce qui changera pour chaque enfant" in body
    assert "Lun., Mar." in body and "Ven." in body
    assert "<strong>6</strong> réservations à créer" in body
    assert f'name="jours_{w.kid2.pk}" value="5"' in body  # carried to the confirm step
    back = client.post("/gestion/reservations/masse/", {**data, "step": "back"})
    assert back.status_code == 200
    assert f'id="jours_{w.kid1.pk}_2" checked' in back.content.decode()
    with inside(commune_alpha):
        assert not Booking.objects.exists()
    done = client.post("/gestion/reservations/masse/", {**data, "step": "confirm"})
    assert "Détail par enfant" in done.content.decode()
    with inside(commune_alpha):
        days = {(b.child_id, b.day.isoweekday()) for b in Booking.objects.all()}
        assert days == {(w.kid1.pk, 1), (w.kid1.pk, 2), (w.kid2.pk, 5)}
        assert Booking.objects.count() == 6


def test_wizard_per_child_without_any_day_is_refused(commune_alpha):
    with inside(commune_alpha):
        w = World()
    response = editor(commune_alpha).post("/gestion/reservations/masse/", {
        "service": w.meal.pk, "children": [w.kid1.pk], "per_child": "on",
        "per_child_rows": "1", "starts_on": "2025-10-06", "ends_on": "2025-10-17",
        "action": "add", "step": "preview"})
    assert response.status_code == 400
    assert "Cochez au moins un jour de la semaine." in response.content.decode()
