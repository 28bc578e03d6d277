"""The bookings API: week of cells, book and cancel, roles, French errors, schema."""

import pytest

from tenant_apps.bookings.models import Booking
from tenant_apps.catalog.models import Registration
from tests.bookings import support
from tests.bookings.support import MONDAY
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support as schooling

pytestmark = pytest.mark.django_db


def api_as(commune, role):
    return logged_in_client(commune, make_user(commune, role=role))


def test_week_book_cancel_as_agent(commune_alpha):
    with inside(commune_alpha):
        service = support.service(capacity=10)
        _, child = support.registered_child(service)
    client = api_as(commune_alpha, "agent")
    body = {"enfant": child.pk, "prestation": service.pk, "jour": MONDAY.isoformat()}
    response = client.post("/api/v1/reservations/reserver/", body,
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "booked"
    response = client.post("/api/v1/reservations/reserver/", body,
                           content_type="application/json")
    assert response.status_code == 400
    assert "déjà réservé" in response.json()["detail"][0]

    week = client.get(f"/api/v1/reservations/?enfant={child.pk}&semaine=2026-12-02").json()
    assert week["week"] == MONDAY.isoformat()
    (row,) = week["services"]
    assert row["service"] == service.pk and len(row["cells"]) == 7
    monday, tuesday, wednesday = row["cells"][:3]
    assert monday["state"] == "booked" and monday["can_cancel"]
    assert tuesday["can_book"] and tuesday["state"] == ""
    assert not wednesday["can_book"] and "n'a pas lieu" in wednesday["reason"]
    assert row["booking_deadline"].startswith("Fin de réservation")

    response = client.post("/api/v1/reservations/annuler/", body,
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    with inside(commune_alpha):
        assert Booking.objects.get(child=child).state == "cancelled"


@pytest.mark.parametrize("role", ["read_only", "animateur", "regisseur"])
def test_readers_read_but_cannot_book(commune_alpha, role):
    with inside(commune_alpha):
        service = support.service()
        _, child = support.registered_child(service)
    client = api_as(commune_alpha, role)
    assert client.get(f"/api/v1/reservations/?enfant={child.pk}&semaine=2026-11-30"
                      ).status_code == 200
    response = client.post("/api/v1/reservations/reserver/",
                           {"enfant": child.pk, "prestation": service.pk, "jour": "2026-11-30"},
                           content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Votre rôle ne permet pas cette action."


def test_errors_are_french_json(commune_alpha):
    client = api_as(commune_alpha, "administrator")
    assert client.get("/api/v1/reservations/?enfant=999999&semaine=2026-11-30"
                      ).json() == {"detail": "Introuvable."}
    response = client.get("/api/v1/reservations/?enfant=abc")
    assert response.status_code == 400 and set(response.json()) == {"enfant", "semaine"}
    response = client.post("/api/v1/reservations/reserver/", {"enfant": 1},
                           content_type="application/json")
    assert response.status_code == 400 and "prestation" in response.json()


def test_openapi_schema_documents_the_endpoints(commune_alpha):
    client = api_as(commune_alpha, "administrator")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/reservations/", "/api/v1/reservations/reserver/",
                 "/api/v1/reservations/annuler/"):
        assert path in schema, path


def test_week_query_count_does_not_grow_with_services(commune_alpha):
    with inside(commune_alpha):
        first = support.service()
        _, child = support.registered_child(first)
    client = api_as(commune_alpha, "agent")
    path = f"/api/v1/reservations/?enfant={child.pk}&semaine=2026-11-30"
    one = schooling.real_queries(client, path)
    with inside(commune_alpha):
        year = support.school_year()
        household = Registration.objects.get(child=child).household
        for _ in range(3):
            Registration.objects.create(child=child, service=support.service(capacity=5),
                                        school_year=year, household=household)
    assert schooling.real_queries(client, path) == one
