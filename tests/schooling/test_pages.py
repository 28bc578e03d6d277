"""Schooling pages: who sees and changes what, French errors next to fields, and lists
whose query count does not grow with their rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.history.models import ChangeRecord
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support

pytestmark = pytest.mark.django_db

EDITORS = ["administrator", "agent"]
READERS = ["read_only", "animateur", "regisseur"]


def client_as(commune, role):
    return logged_in_client(commune, make_user(commune, role=role))


@pytest.mark.parametrize("role", EDITORS + READERS)
def test_every_agent_reads_the_schooling_pages(commune_alpha, role):
    with inside(commune_alpha):
        year, school = support.year(), support.school("École des Tilleuls")
        klass = support.school_class(school, year, "CP de M. Riou")
    client = client_as(commune_alpha, role)
    for path in ("/gestion/scolarite/", f"/gestion/scolarite/ecoles/{school.pk}/",
                 f"/gestion/scolarite/classes/{klass.pk}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "École des Tilleuls" in response.content.decode()
    body = client.get("/gestion/scolarite/").content.decode()
    assert ("Nouvelle école" in body) == (role in EDITORS)


def test_guardian_is_refused(commune_alpha):
    client = client_as(commune_alpha, "guardian")
    assert client.get("/gestion/scolarite/").status_code == 403


@pytest.mark.parametrize("role", READERS)
def test_readers_cannot_change_anything(commune_alpha, role):
    with inside(commune_alpha):
        year, school = support.year(), support.school()
        other = support.year("2026-2027", current=False)
        klass = support.school_class(school, year)
        _, (child,) = support.family()
        before = ChangeRecord.objects.count()
    client = client_as(commune_alpha, role)
    attempts = [
        ("/gestion/scolarite/annees/nouvelle/", {"label": "2030-2031", "starts_on": "2030-09-01",
                                                 "ends_on": "2031-07-04"}),
        (f"/gestion/scolarite/annees/{other.pk}/courante/", {}),
        ("/gestion/scolarite/ecoles/nouvelle/", {"name": "Piratée", "kind": "primaire"}),
        (f"/gestion/scolarite/ecoles/{school.pk}/modifier/", {"name": "Piratée",
                                                              "kind": "primaire"}),
        (f"/gestion/scolarite/ecoles/{school.pk}/activation/", {"active": "0"}),
        (f"/gestion/scolarite/ecoles/{school.pk}/classes/nouvelle/", {"name": "Piratée"}),
        (f"/gestion/scolarite/classes/{klass.pk}/modifier/", {"name": "Piratée"}),
        (f"/gestion/scolarite/classes/{klass.pk}/affecter/", {"child": child.pk}),
    ]
    for path, data in attempts:
        assert client.post(path, data).status_code == 403, path
    assert client.get("/gestion/scolarite/ecoles/nouvelle/").status_code == 403
    with inside(commune_alpha):
        assert ChangeRecord.objects.count() == before
        assert not School.objects.filter(name="Piratée").exists()
        assert SchoolYear.objects.get(is_current=True) == year
        assert not Enrolment.objects.exists()


@pytest.mark.parametrize("role", EDITORS)
def test_editors_create_year_school_class_and_enrol(commune_alpha, role):
    with inside(commune_alpha):
        SchoolYear.objects.all().delete()
        _, (child,) = support.family("Famille Kerjean")
    client = client_as(commune_alpha, role)
    response = client.post("/gestion/scolarite/annees/nouvelle/", {
        "label": "2025-2026", "starts_on": "2025-09-01", "ends_on": "2026-07-04"})
    assert response.status_code == 302
    response = client.post("/gestion/scolarite/ecoles/nouvelle/",
                           {"name": "École du Port", "kind": "elementaire", "address": ""})
    assert response.status_code == 302
    with inside(commune_alpha):
        school = School.objects.get(name="École du Port")
        year = SchoolYear.objects.get(is_current=True)
    response = client.post(f"/gestion/scolarite/ecoles/{school.pk}/classes/nouvelle/",
                           {"annee": year.pk, "name": "CE1-CE2", "levels": ["CE1", "CE2"]})
    assert response.status_code == 302
    with inside(commune_alpha):
        klass = SchoolClass.objects.get(school=school)
    page = client.get(f"/gestion/scolarite/classes/{klass.pk}/?q=kerjean").content.decode()
    assert "Affecter" in page
    response = client.post(f"/gestion/scolarite/classes/{klass.pk}/affecter/",
                           {"child": child.pk, "level": "CE2"})
    assert response.status_code == 302
    roster = client.get(f"/gestion/scolarite/classes/{klass.pk}/").content.decode()
    assert "KERJEAN" in roster
    with inside(commune_alpha):
        assert Enrolment.objects.get(child=child).level == "CE2"


def test_bad_input_is_400_with_french_errors_and_nothing_saved(commune_alpha):
    with inside(commune_alpha):
        year, school = support.year(), support.school("École A")
        support.school_class(school, year, "CP")
        count = SchoolClass.objects.count()
    client = client_as(commune_alpha, "agent")
    response = client.post("/gestion/scolarite/annees/nouvelle/",
                           {"label": "2031", "starts_on": "2031-09-01", "ends_on": "pas une date"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Saisissez une date valide." in body
    assert "rien n'a été enregistré" in body
    response = client.post(f"/gestion/scolarite/ecoles/{school.pk}/classes/nouvelle/",
                           {"annee": year.pk, "name": "cp"})
    assert response.status_code == 400
    assert "existe déjà" in response.content.decode()
    response = client.post("/gestion/scolarite/ecoles/nouvelle/", {"name": "", "kind": "x"})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    with inside(commune_alpha):
        assert SchoolClass.objects.count() == count
        assert not SchoolYear.objects.filter(label="2031").exists()


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    # django-tenants sets the search_path before each query: count the real ones.
    return sum(1 for q in captured.captured_queries if not q["sql"].startswith("SET "))


def test_list_query_counts_do_not_grow_with_rows(commune_alpha):
    with inside(commune_alpha):
        year = support.year()
        school = support.school()
        klass = support.school_class(school, year)
    client = client_as(commune_alpha, "agent")
    from tenant_apps.schooling.services import enrolment_set

    def grow(n):
        with inside(commune_alpha):
            for _ in range(n):
                s = support.school()
                support.school_class(s, year)
                _, (child,) = support.family()
                enrolment_set(child=child, school_year=year, school_class=klass, actor=None)

    paths = ["/gestion/scolarite/", f"/gestion/scolarite/ecoles/{school.pk}/",
             f"/gestion/scolarite/classes/{klass.pk}/", "/gestion/scolarite/classes/"
             f"{klass.pk}/?q=Enfant"]
    grow(1)
    few = [_queries(client, p) for p in paths]
    grow(8)
    many = [_queries(client, p) for p in paths]
    assert few == many
    assert max(many) <= 10
