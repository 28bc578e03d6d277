"""The schooling and catalog API: role permissions, French 400s next to fields, filters,
constant query counts, and the OpenAPI schema."""

import pytest

from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import ChildHousehold
from tenant_apps.schooling.models import School, SchoolClass, SchoolYear
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support

pytestmark = pytest.mark.django_db

SERVICE = {
    "name": "Accueil périscolaire matin", "kind": "periscolaire", "weekdays": [1, 2, 4, 5],
    "calendar": "school_days", "capacity": 30, "book_until": "18:00", "book_days_before": 1,
    "book_day_count": "calendar", "cancel_until": "18:00", "cancel_days_before": 1,
    "cancel_day_count": "calendar", "tariff_code": "PERI", "active": True,
}


def api_as(commune, role):
    return logged_in_client(commune, make_user(commune, role=role))


@pytest.mark.parametrize("role", ["read_only", "animateur", "regisseur"])
def test_readers_read_but_every_write_is_403(commune_alpha, role):
    with inside(commune_alpha):
        year, school = support.year(), support.school()
        klass = support.school_class(school, year)
        service = support.service()
        household, (child,) = support.family()
        registration = Registration.objects.create(child=child, service=service,
                                                   school_year=year, household=household)
    client = api_as(commune_alpha, role)
    for path in ("annees-scolaires/", "ecoles/", "classes/", "prestations/", "inscriptions/"):
        assert client.get(f"/api/v1/{path}").status_code == 200, path
    writes = [
        ("post", "/api/v1/annees-scolaires/", {"label": "2030-2031", "starts_on": "2030-09-01",
                                               "ends_on": "2031-07-04"}),
        ("post", f"/api/v1/annees-scolaires/{year.pk}/courante/", {}),
        ("post", "/api/v1/ecoles/", {"name": "X", "kind": "primaire"}),
        ("patch", f"/api/v1/ecoles/{school.pk}/", {"active": False}),
        ("post", "/api/v1/classes/", {"school": school.pk, "school_year": year.pk, "name": "Y"}),
        ("patch", f"/api/v1/classes/{klass.pk}/", {"name": "Z"}),
        ("post", "/api/v1/prestations/", SERVICE),
        ("patch", f"/api/v1/prestations/{service.pk}/", {"capacity": 1}),
        ("post", "/api/v1/inscriptions/", {"child": child.pk, "service": service.pk,
                                           "household": household.pk}),
        ("delete", f"/api/v1/inscriptions/{registration.pk}/", None),
    ]
    for method, path, data in writes:
        response = getattr(client, method)(path, data, content_type="application/json")
        assert response.status_code == 403, (method, path)
        assert response.json()["detail"] == "Votre compte ne permet pas cette action."
    with inside(commune_alpha):
        assert School.objects.get(pk=school.pk).active
        assert Registration.objects.filter(pk=registration.pk).exists()
        assert not SchoolClass.objects.filter(name__in=["Y", "Z"]).exists()


def test_guardian_and_anonymous_are_refused(commune_alpha):
    assert api_as(commune_alpha, "guardian").get("/api/v1/prestations/").status_code == 403
    from django.test import Client

    assert Client(HTTP_HOST="alpha.localhost").get("/api/v1/prestations/").status_code in (
        401, 403)


@pytest.mark.parametrize("role", ["administrator", "agent"])
def test_editors_manage_everything(commune_alpha, role):
    with inside(commune_alpha):
        SchoolYear.objects.all().delete()
        household, (child,) = support.family()
    client = api_as(commune_alpha, role)
    year = client.post("/api/v1/annees-scolaires/", {
        "label": "2025-2026", "starts_on": "2025-09-01", "ends_on": "2026-07-04"},
        content_type="application/json")
    assert year.status_code == 201 and year.json()["is_current"] is True
    school = client.post("/api/v1/ecoles/", {"name": "École Nord", "kind": "maternelle"},
                         content_type="application/json").json()
    klass = client.post("/api/v1/classes/", {
        "school": school["id"], "school_year": year.json()["id"], "name": "PS-MS",
        "levels": ["MS", "PS"]}, content_type="application/json")
    assert klass.status_code == 201 and klass.json()["levels"] == ["PS", "MS"]
    service = client.post("/api/v1/prestations/", {**SERVICE, "schools": [school["id"]]},
                          content_type="application/json")
    assert service.status_code == 201, service.json()
    assert service.json()["booking_deadline_label"] == "Fin de réservation : la veille à 18:00"
    registration = client.post("/api/v1/inscriptions/", {
        "child": child.pk, "service": service.json()["id"], "household": household.pk},
        content_type="application/json")
    assert registration.status_code == 201, registration.json()
    listed = client.get(f"/api/v1/inscriptions/?prestation={service.json()['id']}"
                        f"&ecole={school['id']}").json()
    assert listed["count"] == 0  # the child has no class yet
    listed = client.get(f"/api/v1/inscriptions/?enfant={child.pk}").json()
    assert listed["count"] == 1
    gone = client.delete(f"/api/v1/inscriptions/{registration.json()['id']}/")
    assert gone.status_code == 204
    closed = client.patch(f"/api/v1/ecoles/{school['id']}/", {"active": False},
                          content_type="application/json")
    assert closed.status_code == 200 and closed.json()["active"] is False


def test_bad_input_is_a_french_400_next_to_fields(commune_alpha):
    with inside(commune_alpha):
        year, school = support.year(), support.school("École Sud")
        support.school_class(school, year, "CP")
        support.service("Repas")
        household, (child,) = support.family()
        stranger, _ = support.family()
        count = Service.objects.count()
    client = api_as(commune_alpha, "agent")
    response = client.post("/api/v1/prestations/", {**SERVICE, "weekdays": [], "book_until": "x",
                                                    "book_days_before": -2},
                           content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"weekdays", "book_until", "book_days_before"}
    assert "supérieure ou égale à" in body["book_days_before"][0]
    response = client.post("/api/v1/prestations/", {**SERVICE, "name": "repas"},
                           content_type="application/json")
    assert response.json() == {"name": ["Une prestation porte déjà ce nom."]}
    response = client.post("/api/v1/classes/", {"school": school.pk, "school_year": year.pk,
                                                "name": "CP"}, content_type="application/json")
    assert response.status_code == 400 and "existe déjà" in response.json()["name"][0]
    with inside(commune_alpha):
        service = Service.objects.get(name="Repas")
    response = client.post("/api/v1/inscriptions/", {
        "child": child.pk, "service": service.pk, "household": stranger.pk},
        content_type="application/json")
    assert response.status_code == 400
    assert "n'appartient pas" in response.json()["household"][0]
    response = client.get("/api/v1/inscriptions/?prestation=abc")
    assert response.status_code == 400 and "prestation" in response.json()
    with inside(commune_alpha):
        assert Service.objects.count() == count
        assert not Registration.objects.exists()


def test_api_list_query_counts_do_not_grow(commune_alpha):
    with inside(commune_alpha):
        year, school = support.year(), support.school()
        service = support.service()
    client = api_as(commune_alpha, "agent")

    def grow(n):
        with inside(commune_alpha):
            for _ in range(n):
                s = support.service()
                s.schools.set([school, support.school()])
                support.school_class(school, year)
                household, (child,) = support.family()
                Registration.objects.create(child=child, service=service, school_year=year,
                                            household=household)
                ChildHousehold.objects.get(child=child)

    paths = ["/api/v1/prestations/", f"/api/v1/inscriptions/?annee={year.pk}",
             "/api/v1/classes/", "/api/v1/ecoles/"]
    grow(1)
    few = [support.real_queries(client, p) for p in paths]
    grow(6)
    assert [support.real_queries(client, p) for p in paths] == few


def test_openapi_schema_documents_the_endpoints(commune_alpha):
    client = api_as(commune_alpha, "agent")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/prestations/", "/api/v1/inscriptions/{id}/",
                 "/api/v1/annees-scolaires/{id}/courante/", "/api/v1/classes/"):
        assert path in schema, path
    assert "booking_deadline_label" in schema
