"""Closure periods: what they remove, report, tell families and restore; their pages."""

from datetime import date

import pytest

from tenant_apps.bookings.closures import (
    closure_create,
    closure_delete,
    closure_preview,
    closure_update,
)
from tenant_apps.bookings.models import (
    Booking,
    BookingEvent,
    BookingState,
    ClosurePeriod,
    ClosureRemoval,
)
from tenant_apps.catalog.models import Registration
from tenant_apps.families.models import Guardian
from tenant_apps.outbox.models import OutboxMessage
from tenant_apps.schooling.models import Enrolment
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support

pytestmark = pytest.mark.django_db

MON, TUE, THU = date(2025, 10, 6), date(2025, 10, 7), date(2025, 10, 9)


class World:
    def __init__(self) -> None:
        self.year = support.year("2025-2026")
        school = support.school()
        self.class_a = support.school_class(school, self.year, "CP A")
        self.class_b = support.school_class(school, self.year, "CP B")
        self.meal = support.service("Cantine test")
        self.other = support.service("Garderie test", kind="periscolaire")
        self.home_a, (self.kid_a1, self.kid_a2) = support.family("Foyer Alpha", children=2)
        self.home_b, (self.kid_b,) = support.family("Foyer Beta")
        Guardian.objects.create(household=self.home_a, last_name="Alpha", first_name="Anne",
                                email="anne@example.test")
        Guardian.objects.create(household=self.home_b, last_name="Beta", first_name="Bob",
                                email="bob@example.test")
        for kid, klass, home in ((self.kid_a1, self.class_a, self.home_a),
                                 (self.kid_a2, self.class_b, self.home_a),
                                 (self.kid_b, self.class_a, self.home_b)):
            Enrolment.objects.create(child=kid, school_year=self.year, school_class=klass)
            for service in (self.meal, self.other):
                Registration.objects.create(child=kid, service=service, school_year=self.year,
                                            household=home)

    def book(self, kid, service, day, state=BookingState.BOOKED, invoiced=False):
        home = self.home_b if kid == self.kid_b else self.home_a
        return Booking.objects.create(child=kid, service=service, household=home, day=day,
                                      state=state, invoiced=invoiced)


def states():
    return {(b.child_id, b.service_id, b.day): b.state for b in Booking.objects.all()}


def test_closure_removes_exactly_the_scope_reports_invoiced_and_mails_once(commune_alpha):
    with inside(commune_alpha):
        w = World()
        inside_a1 = w.book(w.kid_a1, w.meal, MON)
        inside_b = w.book(w.kid_b, w.meal, TUE, state=BookingState.WAITING)
        invoiced = w.book(w.kid_b, w.meal, MON, invoiced=True)
        other_class = w.book(w.kid_a2, w.meal, MON)
        other_service = w.book(w.kid_a1, w.other, MON)
        outside_dates = w.book(w.kid_a1, w.meal, date(2025, 10, 13))
        preview = closure_preview(starts_on=MON, ends_on=THU, services=[w.meal],
                                  classes=[w.class_a])
        assert {b.pk for b in preview.remove} == {inside_a1.pk, inside_b.pk}
        assert [b.pk for b in preview.invoiced] == [invoiced.pk]
        before = states()

        result = closure_create(label="Grève", starts_on=MON, ends_on=THU, services=[w.meal],
                                classes=[w.class_a], actor=None)

        after = states()
        changed = {k for k in after if after[k] != before[k]}
        assert changed == {(w.kid_a1.pk, w.meal.pk, MON), (w.kid_b.pk, w.meal.pk, TUE)}
        assert all(after[k] == BookingState.CANCELLED for k in changed)
        assert result.removed == 2 and [b.pk for b in result.invoiced] == [invoiced.pk]
        for untouched in (invoiced, other_class, other_service, outside_dates):
            untouched.refresh_from_db()
            assert untouched.state == BookingState.BOOKED
        closure = result.closure
        removals = ClosureRemoval.objects.filter(closure=closure)
        assert {(r.child_id, r.previous_state) for r in removals} == {
            (w.kid_a1.pk, BookingState.BOOKED), (w.kid_b.pk, BookingState.WAITING)}
        assert BookingEvent.objects.filter(reason=f"closure:{closure.pk}").count() == 2
        mails = OutboxMessage.objects.filter(idempotency_key__startswith=f"closure:{closure.pk}:")
        assert {m.idempotency_key for m in mails} == {
            f"closure:{closure.pk}:{w.home_a.pk}", f"closure:{closure.pk}:{w.home_b.pk}"}
        body = mails.get(idempotency_key=f"closure:{closure.pk}:{w.home_a.pk}").body_text
        assert "lundi 06/10/2025" in body and "Grève" in body


def test_delete_restores_previous_states_unless_slot_was_taken(commune_alpha):
    with inside(commune_alpha):
        w = World()
        w.meal.capacity = 1  # Tuesday is full: kid_b waits behind kid_a2
        w.meal.save()
        w.book(w.kid_a2, w.meal, TUE)
        w.book(w.kid_a1, w.meal, MON)
        w.book(w.kid_b, w.meal, TUE, state=BookingState.WAITING)
        w.book(w.kid_b, w.meal, THU)
        closure = closure_create(label="Grève", starts_on=MON, ends_on=THU, services=[w.meal],
                                 classes=[w.class_a], actor=None).closure
        rebooked = Booking.objects.get(child=w.kid_b, day=THU)
        rebooked.state = BookingState.ABSENT_JUSTIFIED  # an agent changed it since
        rebooked.save()

        result = closure_delete(closure=closure, actor=None)

        assert result.restored == 2 and result.not_restorable == 1
        assert (result.restored_booked, result.restored_waiting) == (1, 1)
        assert Booking.objects.get(child=w.kid_a1, day=MON).state == BookingState.BOOKED
        assert Booking.objects.get(child=w.kid_b, day=TUE).state == BookingState.WAITING
        assert Booking.objects.get(child=w.kid_b, day=THU).state == BookingState.ABSENT_JUSTIFIED
        closure.refresh_from_db()
        assert closure.deleted_at is not None
        assert BookingEvent.objects.filter(reason=f"closure:{closure.pk}:restore").count() == 2
        # Deleting twice changes nothing more.
        assert closure_delete(closure=closure, actor=None).restored == 0


def test_update_restores_what_leaves_and_removes_what_enters(commune_alpha):
    with inside(commune_alpha):
        w = World()
        w.book(w.kid_a1, w.meal, MON)
        w.book(w.kid_a1, w.meal, THU)
        w.book(w.kid_a2, w.meal, TUE)
        closure = closure_create(label="Grève", starts_on=MON, ends_on=MON, services=[w.meal],
                                 classes=[w.class_a], actor=None).closure
        preview = closure_preview(starts_on=TUE, ends_on=THU, services=[w.meal],
                                  classes=[w.class_a, w.class_b], closure=closure)
        assert [r.day for r in preview.restore] == [MON]
        assert {b.day for b in preview.remove} == {TUE, THU}

        result = closure_update(closure=closure, label="Grève prolongée", starts_on=TUE,
                                ends_on=THU, services=[w.meal],
                                classes=[w.class_a, w.class_b], actor=None)

        assert result.restored == 1 and result.removed == 2
        assert Booking.objects.get(child=w.kid_a1, day=MON).state == BookingState.BOOKED
        assert Booking.objects.get(child=w.kid_a1, day=THU).state == BookingState.CANCELLED
        assert Booking.objects.get(child=w.kid_a2, day=TUE).state == BookingState.CANCELLED
        # One more mail to the household for the newly removed days, not a second one each.
        assert OutboxMessage.objects.filter(
            idempotency_key__startswith=f"closure:{closure.pk}:{w.home_a.pk}").count() == 2


def test_closure_mail_is_idempotent(commune_alpha):
    from tenant_apps.bookings.closures import _notify

    with inside(commune_alpha):
        w = World()
        w.book(w.kid_a1, w.meal, MON)
        result = closure_create(label="Grève", starts_on=MON, ends_on=MON, services=[w.meal],
                                classes=[w.class_a], actor=None)
        removed = list(Booking.objects.select_related("child", "service").filter(day=MON))
        _notify(result.closure, removed)
        assert OutboxMessage.objects.filter(
            idempotency_key=f"closure:{result.closure.pk}:{w.home_a.pk}").count() == 1


def test_bad_closure_is_refused_in_french(commune_alpha):
    from django.core.exceptions import ValidationError

    with inside(commune_alpha):
        w = World()
        with pytest.raises(ValidationError) as error:
            closure_create(label="", starts_on=THU, ends_on=MON, services=[], classes=[],
                           actor=None)
        assert "Cochez au moins une prestation." in str(error.value)
        assert not ClosurePeriod.objects.exists()
        del w


def form_data(w, **changes):
    data = {"label": "Grève", "starts_on": "2025-10-06", "ends_on": "2025-10-09",
            "services": [w.meal.pk], "classes": [w.class_a.pk]}
    data.update(changes)
    return data


def test_page_preview_writes_nothing_then_confirm_applies(commune_alpha):
    with inside(commune_alpha):
        w = World()
        w.book(w.kid_a1, w.meal, MON)
        w.book(w.kid_b, w.meal, MON, invoiced=True)
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    assert client.get("/gestion/reservations/").status_code == 200
    assert client.get("/gestion/reservations/fermetures/nouvelle/").status_code == 200
    preview = client.post("/gestion/reservations/fermetures/nouvelle/",
                          {**form_data(w), "preview": "1"})
    body = preview.content.decode()
    assert preview.status_code == 200 and "rien n'est encore enregistré" in body
    assert "1</strong> réservation à annuler" in body and "déjà facturée" in body
    with inside(commune_alpha):
        assert not ClosurePeriod.objects.exists()
        assert Booking.objects.get(child=w.kid_a1).state == BookingState.BOOKED
    done = client.post("/gestion/reservations/fermetures/nouvelle/",
                       {**form_data(w), "confirm": "1"})
    assert done.status_code == 302
    listing = client.get("/gestion/reservations/fermetures/").content.decode()
    assert "Grève" in listing and "1 réservation(s) annulée(s)" in listing
    with inside(commune_alpha):
        closure = ClosurePeriod.objects.get()
        assert Booking.objects.get(child=w.kid_a1).state == BookingState.CANCELLED
    page = client.get(f"/gestion/reservations/fermetures/{closure.pk}/supprimer/")
    assert "sera rétablie" in page.content.decode()
    assert client.post(f"/gestion/reservations/fermetures/{closure.pk}/supprimer/").status_code \
        == 302
    with inside(commune_alpha):
        assert Booking.objects.get(child=w.kid_a1).state == BookingState.BOOKED


def test_page_bad_input_is_400_in_french_nothing_saved(commune_alpha):
    with inside(commune_alpha):
        w = World()
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role="administrator"))
    response = client.post("/gestion/reservations/fermetures/nouvelle/", {
        **form_data(w, label="", starts_on="2025-10-09", ends_on="2025-10-06", services=[]),
        "confirm": "1"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez un libellé." in body and "Cochez au moins une prestation." in body
    assert "La date de fin doit être postérieure" in body
    with inside(commune_alpha):
        assert not ClosurePeriod.objects.exists()


@pytest.mark.parametrize("role", ["read_only", "animateur"])
def test_readers_see_closures_but_cannot_change_them(commune_alpha, role):
    with inside(commune_alpha):
        w = World()
        w.book(w.kid_a1, w.meal, MON)
        closure = closure_create(label="Pont", starts_on=MON, ends_on=MON, services=[w.meal],
                                 classes=[w.class_a], actor=None).closure
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))
    assert client.get("/gestion/reservations/fermetures/").status_code == 200
    base = "/gestion/reservations/fermetures/"
    assert client.post(f"{base}nouvelle/", {**form_data(w), "confirm": "1"}).status_code == 403
    assert client.post(f"{base}{closure.pk}/", {**form_data(w), "confirm": "1"}).status_code \
        == 403
    assert client.post(f"{base}{closure.pk}/supprimer/").status_code == 403
    with inside(commune_alpha):
        assert ClosurePeriod.objects.filter(deleted_at__isnull=True).count() == 1
        assert Booking.objects.get(child=w.kid_a1).state == BookingState.CANCELLED
