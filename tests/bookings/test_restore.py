"""Editing or deleting a closure restores what it removed within capacity: places in the
original order while they remain, then the waiting list; counts in the UI and the API."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.bookings.closures import (
    closure_create,
    closure_delete,
    closure_delete_preview,
    closure_update,
)
from tenant_apps.bookings.models import Booking, BookingEvent, BookingState
from tenant_apps.bookings.rules import RestoreCandidate, plan_restore
from tenant_apps.bookings.services import booking_book, booking_cancel
from tenant_apps.outbox.models import OutboxMessage
from tests.bookings.test_closures import MON, THU, TUE, World
from tests.conftest import inside, logged_in_client, make_user

HOLDING = ["booked", "attended", "absent_justified"]
T0 = datetime(2025, 9, 1, tzinfo=UTC)
instants = st.integers(0, 10_000).map(lambda m: T0 + timedelta(minutes=m))


@st.composite
def restore_cases(draw: st.DrawFn):
    count = draw(st.integers(0, 8))
    candidates = [
        RestoreCandidate(key=k, previous_state=draw(st.sampled_from([*HOLDING, "waiting"])),
                         queued_at=draw(instants))
        for k in range(count)
    ]
    waiting = [(-k - 1, draw(instants)) for k in range(draw(st.integers(0, 4)))]
    places_left = draw(st.none() | st.integers(-2, 6))
    return candidates, waiting, places_left


@given(restore_cases())
def test_restore_never_exceeds_capacity_and_puts_every_candidate_back(case):
    candidates, waiting, places_left = case
    plan = plan_restore(candidates, places_left=places_left, waiting=waiting)
    assert {c.key for c in candidates} <= set(plan)
    with_place = [k for k, state in plan.items() if state != "waiting"]
    if places_left is None:
        assert all(plan[c.key] != "waiting" for c in candidates)
        assert all(plan.get(k) == "booked" for k, _ in waiting)
    else:
        assert len(with_place) <= max(places_left, 0)
    for c in candidates:
        assert plan[c.key] in (c.previous_state, "waiting", "booked")


@given(restore_cases())
def test_places_go_in_the_original_order(case):
    candidates, waiting, places_left = case
    plan = plan_restore(candidates, places_left=places_left, waiting=waiting)
    holders = [c for c in candidates if c.previous_state != "waiting"]
    placed = [c for c in holders if plan[c.key] != "waiting"]
    left = [c for c in holders if plan[c.key] == "waiting"]
    # A holder that kept its place was booked no later than one sent to the waiting list.
    if placed and left:
        assert max(c.queued_at for c in placed) <= min(c.queued_at for c in left)
    # Holders go before the waiting list; the list is served first come, first served.
    if left:
        assert not [k for k, s in plan.items() if s == "booked" and k < 0]
    queue = sorted([(c.queued_at, c.key) for c in candidates if plan[c.key] == "waiting"
                    or c.previous_state == "waiting"] + [(at, k) for k, at in waiting])
    served = [plan.get(k) == "booked" for _, k in queue]
    assert served == sorted(served, reverse=True)  # all promoted ones first


def _full_day(w):
    """Capacity 2 on Monday: kid_a1 then kid_b booked; a closure of class A removes both;
    kid_a2 (class B, not closed) then takes one of the two places."""
    w.meal.capacity = 2
    w.meal.save()
    first = w.book(w.kid_a1, w.meal, MON)
    second = w.book(w.kid_b, w.meal, MON)
    closure = closure_create(label="Sortie", starts_on=MON, ends_on=MON, services=[w.meal],
                             classes=[w.class_a], actor=None).closure
    w.book(w.kid_a2, w.meal, MON)
    return closure, first, second


@pytest.mark.django_db
def test_delete_rebooks_first_come_and_queues_the_rest_then_promotes_in_order(commune_alpha):
    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        w = World()
        closure, first, second = _full_day(w)
        preview = closure_delete_preview(closure=closure)
        assert (preview.restore_counts.booked, preview.restore_counts.waiting) == (1, 1)

        result = closure_delete(closure=closure, actor=None)

        assert (result.restored, result.restored_booked, result.restored_waiting) == (2, 1, 1)
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.state == BookingState.BOOKED
        assert second.state == BookingState.WAITING
        assert second.waiting_since == second.created_at  # its original rank
        assert Booking.objects.filter(day=MON, state__in=["booked"]).count() == 2
        # kid_a2 cancels: the place goes to kid_b, who is told by email.
        booking_cancel(child=w.kid_a2, service=w.meal, day=MON, actor=agent,
                       now=datetime(2025, 9, 1, tzinfo=UTC))
        second.refresh_from_db()
        assert second.state == BookingState.BOOKED
        assert OutboxMessage.objects.filter(
            idempotency_key=f"booking-promoted:{second.pk}").exists()


@pytest.mark.django_db
def test_a_restored_waiting_entry_gets_a_freed_place_before_later_ones(commune_alpha):
    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        w = World()
        w.meal.capacity = 1
        w.meal.save()
        early = datetime(2025, 9, 1, 8, tzinfo=UTC)
        booking_book(child=w.kid_a2, service=w.meal, day=TUE, actor=agent, now=early)
        waiting = booking_book(child=w.kid_a1, service=w.meal, day=TUE, actor=agent,
                               now=early + timedelta(hours=1))
        assert waiting.state == BookingState.WAITING
        closure = closure_create(label="Grève", starts_on=TUE, ends_on=TUE,
                                 services=[w.meal], classes=[w.class_a], actor=agent).closure
        # During the closure kid_a2 (class B) cancels: the place is free.
        booking_cancel(child=w.kid_a2, service=w.meal, day=TUE, actor=agent, now=early)

        result = closure_update(closure=closure, label="Grève", starts_on=THU, ends_on=THU,
                                services=[w.meal], classes=[w.class_a], actor=agent)

        assert (result.restored_booked, result.restored_waiting) == (1, 0)
        waiting.refresh_from_db()
        assert waiting.state == BookingState.BOOKED
        assert BookingEvent.objects.filter(
            booking=waiting, reason=f"closure:{closure.pk}:restore",
            to_state=BookingState.BOOKED).exists()
        assert OutboxMessage.objects.filter(
            idempotency_key=f"booking-promoted:{waiting.pk}").exists()


@pytest.mark.django_db
def test_counts_in_the_page_and_the_api(commune_alpha):
    with inside(commune_alpha):
        w = World()
        closure, _first, _second = _full_day(w)
        other = closure_create(label="Pont", starts_on=THU, ends_on=THU, services=[w.meal],
                               classes=[w.class_a], actor=None).closure
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    page = client.get(f"/gestion/reservations/fermetures/{closure.pk}/supprimer/")
    assert "1 avec une place, <strong>1</strong> en liste d'attente" in page.content.decode()
    done = client.post(f"/gestion/reservations/fermetures/{closure.pk}/supprimer/",
                       follow=True)
    assert "1 réservation rétablie, 1 en liste d" in done.content.decode()
    api = client.delete(f"/api/v1/fermetures/{other.pk}/")
    assert api.status_code == 200
    assert api.json() == {"restaurees": 0, "retablies_avec_place": 0, "en_liste_attente": 0,
                          "places_attribuees": 0, "non_restaurables": 0}


@pytest.mark.django_db
def test_api_edit_simulates_then_applies(commune_alpha):
    with inside(commune_alpha):
        w = World()
        closure, first, second = _full_day(w)
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    body = {"libelle": "Sortie décalée", "du": TUE.isoformat(), "au": TUE.isoformat(),
            "prestations": [w.meal.pk], "classes": [w.class_a.pk]}
    simulated = client.put(f"/api/v1/fermetures/{closure.pk}/", body,
                           content_type="application/json")
    assert simulated.status_code == 200, simulated.content
    assert simulated.json()["simulation"] is True
    assert (simulated.json()["retablies_avec_place"], simulated.json()["en_liste_attente"]) \
        == (1, 1)
    with inside(commune_alpha):
        second.refresh_from_db()
        assert second.state == BookingState.CANCELLED
    applied = client.put(f"/api/v1/fermetures/{closure.pk}/", {**body, "simulation": False},
                         content_type="application/json")
    assert applied.status_code == 200, applied.content
    assert applied.json()["en_liste_attente"] == 1
    assert applied.json()["fermeture"]["libelle"] == "Sortie décalée"
    bad = client.put(f"/api/v1/fermetures/{closure.pk}/", {**body, "au": "2025-01-01"},
                     content_type="application/json")
    assert bad.status_code == 400 and "au" in bad.json()
