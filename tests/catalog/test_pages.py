"""Catalog pages: services list and form, registrations per service and year; roles,
French errors, constant query counts; and the dashboard's figures."""

from datetime import time

import pytest
from django.utils import timezone

from tenant_apps.bookings.models import Booking
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.catalog.services import registration_create
from tenant_apps.families.models import ChildHousehold
from tenant_apps.history.models import ChangeRecord
from tenant_apps.schooling.services import enrolment_set
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support

pytestmark = pytest.mark.django_db

EDITORS = ["administrator", "agent"]
READERS = ["read_only", "animateur", "regisseur"]
FORM = {
    "name": "ALSH Mercredi matin", "kind": "alsh", "weekdays": ["3"], "calendar": "wednesdays",
    "capacity": "48", "book_until": "12:00", "book_days_before": "2",
    "book_day_count": "working", "cancel_until": "12:00", "cancel_days_before": "2",
    "cancel_day_count": "working", "tariff_code": "ALSH-DEMI",
}


def client_as(commune, role):
    return logged_in_client(commune, make_user(commune, role=role))


def test_empty_catalog_says_what_to_do(commune_alpha):
    body = client_as(commune_alpha, "agent").get("/gestion/prestations/").content.decode()
    assert "Aucune prestation" in body and "Créer une prestation" in body


@pytest.mark.parametrize("role", EDITORS)
def test_editor_creates_a_service_and_sees_its_deadline(commune_alpha, role):
    with inside(commune_alpha):
        school = support.school("École Paul Bert")
    client = client_as(commune_alpha, role)
    assert client.get("/gestion/prestations/nouvelle/").status_code == 200
    response = client.post("/gestion/prestations/nouvelle/", {**FORM, "schools": [school.pk]})
    assert response.status_code == 302
    body = client.get("/gestion/prestations/").content.decode()
    assert "Fin de réservation : J-2 à 12:00 (jours ouvrés)" in body
    assert "École Paul Bert" in body
    with inside(commune_alpha):
        service = Service.objects.get(name="ALSH Mercredi matin")
        assert service.weekdays == [3] and service.book_until == time(12, 0)


def test_bad_service_form_is_400_next_to_fields_nothing_saved(commune_alpha):
    client = client_as(commune_alpha, "agent")
    response = client.post("/gestion/prestations/nouvelle/", {
        **FORM, "weekdays": [], "book_until": "25:99", "book_days_before": "-1", "capacity": "0",
    })
    body = response.content.decode()
    assert response.status_code == 400
    for message in ("Cochez au moins un jour.", "Saisissez une heure valide.",
                    "supérieure ou égale à 0", "supérieure ou égale à 1"):
        assert message in body, message
    assert 'aria-invalid="true"' in body
    with inside(commune_alpha):
        assert not Service.objects.exists()


def test_duplicate_name_is_refused_by_the_service(commune_alpha):
    with inside(commune_alpha):
        support.service("ALSH Mercredi matin")
    response = client_as(commune_alpha, "agent").post("/gestion/prestations/nouvelle/", FORM)
    assert response.status_code == 400
    assert "Une prestation porte déjà ce nom." in response.content.decode()


@pytest.mark.parametrize("role", READERS)
def test_readers_see_but_cannot_change(commune_alpha, role):
    with inside(commune_alpha):
        year, service = support.year(), support.service("Repas Enfant")
        household, (child,) = support.family()
        membership = ChildHousehold.objects.get(child=child)
        registration = registration_create(child=child, service=service, school_year=year,
                                           household=household, actor=None)
        before = ChangeRecord.objects.count()
    client = client_as(commune_alpha, role)
    assert client.get("/gestion/prestations/").status_code == 200
    page = client.get(f"/gestion/prestations/{service.pk}/").content.decode()
    assert "Repas Enfant" in page and "Désinscrire" not in page
    for path, data in [
        ("/gestion/prestations/nouvelle/", FORM),
        (f"/gestion/prestations/{service.pk}/modifier/", FORM),
        (f"/gestion/prestations/{service.pk}/inscrire/", {"membership": membership.pk}),
        (f"/gestion/prestations/inscriptions/{registration.pk}/supprimer/", {}),
    ]:
        assert client.post(path, data).status_code == 403, path
    with inside(commune_alpha):
        assert ChangeRecord.objects.count() == before
        assert Registration.objects.filter(pk=registration.pk).exists()
        assert Service.objects.get(pk=service.pk).name == "Repas Enfant"


def test_guardian_is_refused(commune_alpha):
    assert client_as(commune_alpha, "guardian").get("/gestion/prestations/").status_code == 403


def test_register_many_then_unregister(commune_alpha):
    with inside(commune_alpha):
        year, service = support.year(), support.service("Accueil du soir")
        klass = support.school_class(support.school(), year, "CM1")
        kids = []
        for _ in range(3):
            _, (child,) = support.family()
            enrolment_set(child=child, school_year=year, school_class=klass, actor=None)
            kids.append(child)
        father = support.second_home(kids[0], "Foyer du père")
        ids = list(ChildHousehold.objects.filter(child__in=kids).values_list("pk", flat=True))
    client = client_as(commune_alpha, "agent")
    page = client.get(f"/gestion/prestations/{service.pk}/?depuis_classe={klass.pk}")
    assert "garde partagée" in page.content.decode()
    response = client.post(f"/gestion/prestations/{service.pk}/inscrire/",
                           {"annee": year.pk, "membership": ids})
    assert response.status_code == 302
    with inside(commune_alpha):
        assert Registration.objects.filter(service=service).count() == 4
        assert Registration.objects.filter(household=father).count() == 1
        registration = Registration.objects.filter(child=kids[1]).get()
    listing = client.get(f"/gestion/prestations/{service.pk}/?classe={klass.pk}").content.decode()
    assert "Foyer du père" in listing and "3 enfants" in listing
    response = client.post(f"/gestion/prestations/inscriptions/{registration.pk}/supprimer/")
    assert response.status_code == 302
    with inside(commune_alpha):
        assert not Registration.objects.filter(pk=registration.pk).exists()


def test_list_query_counts_do_not_grow_with_rows(commune_alpha):
    with inside(commune_alpha):
        year, school = support.year(), support.school()
        klass = support.school_class(school, year)
        service = support.service("Repas")
        service.schools.set([school])
    client = client_as(commune_alpha, "agent")

    def grow(n):
        with inside(commune_alpha):
            for _ in range(n):
                s = support.service()
                s.schools.set([school, support.school()])
                household, (child,) = support.family()
                enrolment_set(child=child, school_year=year, school_class=klass, actor=None)
                registration_create(child=child, service=service, school_year=year,
                                    household=household, actor=None)

    paths = ["/gestion/prestations/", f"/gestion/prestations/{service.pk}/",
             f"/gestion/prestations/{service.pk}/?chercher=Foyer",
             f"/gestion/prestations/{service.pk}/?ecole={school.pk}&q=Enfant", "/gestion/"]
    grow(1)
    few = [support.real_queries(client, p) for p in paths]
    grow(8)
    many = [support.real_queries(client, p) for p in paths]
    assert few == many
    assert max(many) <= 17
    # The dashboard: 5 for the shell (session, user, branding, banner, unread messages badge)
    # and 2 of its own figures: unread conversations and outbox counts.
    assert many[-1] <= 14


def test_dashboard_shows_todays_bookings_per_school(commune_alpha):
    today = timezone.localdate()
    with inside(commune_alpha):
        year = support.year()
        school = support.school("École de la Mairie")
        klass = support.school_class(school, year)
        service = support.service("Repas du jour", weekdays=[today.isoweekday()], capacity=1)
        support.service("Jamais aujourd'hui", weekdays=[today.isoweekday() % 7 + 1])
        for state in ("booked", "waiting"):
            household, (child,) = support.family()
            enrolment_set(child=child, school_year=year, school_class=klass, actor=None)
            registration_create(child=child, service=service, school_year=year,
                                household=household, actor=None)
            Booking.objects.create(child=child, service=service, household=household,
                                   day=today, state=state)
    body = client_as(commune_alpha, "read_only").get("/gestion/").content.decode()
    assert "Repas du jour" in body and "Jamais aujourd" not in body
    assert "École de la Mairie : <strong>1</strong>" in body
    assert "1 en liste d'attente" in body


def test_dashboard_says_how_many_are_registered_when_nobody_booked(commune_alpha):
    today = timezone.localdate()
    with inside(commune_alpha):
        year = support.year()
        service = support.service("Repas sans réservation", weekdays=[today.isoweekday()])
        for _ in range(2):
            household, (child,) = support.family()
            registration_create(child=child, service=service, school_year=year,
                                household=household, actor=None)
    body = client_as(commune_alpha, "agent").get("/gestion/").content.decode()
    assert "Aucune réservation — 2 inscrits" in body


def test_dashboard_empty_state(commune_alpha):
    body = client_as(commune_alpha, "agent").get("/gestion/").content.decode()
    assert "Aucune prestation" in body and "Créer une prestation" in body
