"""A child's booking history is reachable from the child's page and shows where the child
stands on each waiting list, with links to those lists."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenant_apps.bookings.models import Booking, BookingState
from tests.bookings.support import registered_child, service
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db


def test_history_shows_waiting_rank_and_links_to_the_waiting_list(commune_alpha):
    day = timezone.localdate() + timedelta(days=3)
    with inside(commune_alpha):
        meal = service(capacity=1)
        queue = []
        for _ in range(3):
            home, kid = registered_child(meal)
            queue.append(Booking.objects.create(child=kid, service=meal, household=home,
                                                day=day, state=BookingState.WAITING,
                                                waiting_since=timezone.now()))
        third = queue[2].child
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role="read_only"))
    child_page = client.get(f"/gestion/familles/enfants/{third.pk}/").content.decode()
    history_url = f"/gestion/reservations/enfant/{third.pk}/historique/"
    assert history_url in child_page
    body = client.get(history_url).content.decode()
    assert "En liste d&#x27;attente" in body or "En liste d'attente" in body
    assert "3<sup>e</sup> sur la liste" in body
    assert (f"/gestion/reservations/attente/?jour={day.isoformat()}&amp;prestation={meal.pk}"
            in body)
    waiting = client.get(f"/gestion/reservations/attente/?jour={day.isoformat()}"
                         f"&prestation={meal.pk}").content.decode()
    assert history_url in waiting
