"""The bookings operations API: mass booking (dry run vs apply), closures (preview, create,
list, delete), attendance; roles, French errors, schema."""

from datetime import date

import pytest

from tenant_apps.bookings.models import (
    Booking,
    BookingEvent,
    BookingState,
    ClosurePeriod,
    MassBooking,
)
from tests.bookings import support
from tests.bookings.support import MONDAY
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support as schooling

pytestmark = pytest.mark.django_db

FRIDAY_NEXT = date(2026, 12, 11)  # two school weeks from MONDAY (Mon 30 Nov 2026)
MASS = "/api/v1/reservations/masse/"
CLOSURES = "/api/v1/fermetures/"
ATTENDANCE = "/api/v1/pointage/"


def api_as(commune, role):
    return logged_in_client(commune, make_user(commune, role=role))


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


class World:
    def __init__(self) -> None:
        year = support.school_year()
        self.klass = schooling.school_class(schooling.school(), year, "CE2")
        self.other_class = schooling.school_class(schooling.school(), year, "CM1")
        self.service = support.service(capacity=30)
        self.home1, self.kid1 = support.registered_child(self.service,
                                                         school_class=self.klass)
        _, self.kid2 = support.registered_child(self.service, school_class=self.other_class)

    def mass_body(self, **changes):
        body = {"prestation": self.service.pk, "enfants": [self.kid1.pk, self.kid2.pk],
                "jours": [1, 4], "du": MONDAY.isoformat(), "au": FRIDAY_NEXT.isoformat(),
                "action": "ajouter", "semaines_scolaires": False}
        body.update(changes)
        return body


def test_mass_dry_run_writes_nothing_then_apply_writes(commune_alpha):
    with inside(commune_alpha):
        w = World()
    client = api_as(commune_alpha, "agent")

    response = post(client, MASS, w.mass_body(simulation=True))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["simulation"] is True and body["reservation_en_masse"] is None
    assert body["resume"]["created"] == 8  # 2 children × Mon+Thu × 2 weeks
    assert body["resume"]["days"] == 8  # Mon, Tue, Thu, Fri × 2 weeks
    assert body["refus"] == []
    with inside(commune_alpha):
        assert not Booking.objects.exists()
        assert not MassBooking.objects.exists()
        assert not BookingEvent.objects.exists()

    response = post(client, MASS, w.mass_body(simulation=False))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["simulation"] is False and body["reservation_en_masse"]
    assert body["resume"]["created"] == 8 and body["resume"]["applied_changes"] == 8
    with inside(commune_alpha):
        assert Booking.objects.filter(state=BookingState.BOOKED).count() == 8
        assert {b.day.isoweekday() for b in Booking.objects.all()} == {1, 4}
        assert BookingEvent.objects.filter(reason__startswith="mass:").count() == 8

    # Applying again changes nothing; replacing by Tuesdays cancels Mon/Thu.
    again = post(client, MASS, w.mass_body(simulation=False)).json()
    assert again["resume"]["created"] == 0 and again["resume"]["unchanged"] == 8
    replaced = post(client, MASS, w.mass_body(simulation=False, jours=[2],
                                              action="remplacer")).json()
    assert replaced["resume"]["created"] == 4 and replaced["resume"]["cancelled"] == 8


def test_mass_days_per_child(commune_alpha):
    """Shared custody: one child on Mondays, the other on Thursdays, in one request."""
    with inside(commune_alpha):
        w = World()
    client = api_as(commune_alpha, "agent")
    body = w.mass_body(simulation=False, jours_par_enfant={str(w.kid2.pk): [4]})
    response = post(client, MASS, body)
    assert response.status_code == 200, response.content
    with inside(commune_alpha):
        days = {(b.child_id, b.day.isoweekday()) for b in Booking.objects.all()}
    assert days == {(w.kid1.pk, 1), (w.kid1.pk, 4), (w.kid2.pk, 4)}
    assert response.json()["resume"]["created"] == 6


def test_mass_reports_refusals_of_unregistered_children(commune_alpha):
    with inside(commune_alpha):
        w = World()
        _, (stranger,) = schooling.family("Foyer Inconnu")
    client = api_as(commune_alpha, "administrator")
    body = post(client, MASS, w.mass_body(enfants=[stranger.pk], jours=[1])).json()
    assert body["resume"]["refused"] == 2
    assert {r["enfant"] for r in body["refus"]} == {stranger.pk}
    assert "Pas inscrit" in body["refus"][0]["motif"]
    with inside(commune_alpha):
        assert not Booking.objects.exists()


def test_mass_bad_input_is_french_400(commune_alpha):
    with inside(commune_alpha):
        w = World()
    client = api_as(commune_alpha, "agent")
    response = post(client, MASS, {"prestation": w.service.pk})
    assert response.status_code == 400
    assert {"enfants", "du", "au"} <= set(response.json())
    assert "obligatoire" in response.json()["du"][0]
    no_days = {k: v for k, v in w.mass_body().items() if k != "jours"}
    response = post(client, MASS, no_days)
    assert response.status_code == 400 and "Indiquez les jours" in response.json()["jours"][0]
    response = post(client, MASS, {**no_days, "jours_par_enfant": {str(w.kid1.pk): [1]}})
    assert response.status_code == 400 and "jours" in response.json()  # kid2 has none
    response = post(client, MASS, w.mass_body(jours_par_enfant={"999999": [1]}))
    assert response.status_code == 400
    assert "n'est pas un des enfants" in response.json()["jours_par_enfant"][0]
    response = post(client, MASS, w.mass_body(au="2026-11-01"))
    assert response.status_code == 400
    assert "date de fin" in response.json()["au"][0]
    response = post(client, MASS, w.mass_body(jours=[8], action="tout"))
    assert response.status_code == 400 and {"jours", "action"} <= set(response.json())
    response = post(client, MASS, w.mass_body(enfants=[999999]))
    assert response.status_code == 400 and "Enfant inconnu" in response.json()["enfants"][0]
    response = post(client, MASS, w.mass_body(au="2028-12-31"))
    assert response.status_code == 400 and "année scolaire" in response.json()["au"][0]
    response = post(client, MASS, w.mass_body(prestation=999999))
    assert response.status_code == 404 and response.json() == {"detail": "Introuvable."}


@pytest.mark.parametrize("role", ["read_only", "animateur", "regisseur"])
def test_non_editors_cannot_mass_book_nor_close(commune_alpha, role):
    with inside(commune_alpha):
        w = World()
    client = api_as(commune_alpha, role)
    response = post(client, MASS, w.mass_body(simulation=False))
    assert response.status_code == 403
    assert response.json()["detail"] == "Votre rôle ne permet pas cette action."
    response = post(client, CLOSURES, {"libelle": "Grève", "du": MONDAY.isoformat(),
                                       "au": MONDAY.isoformat(), "prestations": [w.service.pk],
                                       "classes": [w.klass.pk], "simulation": False})
    assert response.status_code == 403
    with inside(commune_alpha):
        closure = ClosurePeriod.objects.create(label="Sortie", starts_on=MONDAY, ends_on=MONDAY)
    assert client.delete(f"{CLOSURES}{closure.pk}/").status_code == 403
    assert client.get(CLOSURES).status_code == 200  # back-office roles read
    with inside(commune_alpha):
        assert not Booking.objects.exists()
        assert ClosurePeriod.objects.get().deleted_at is None


def test_closure_preview_create_list_delete(commune_alpha):
    with inside(commune_alpha):
        w = World()
    client = api_as(commune_alpha, "agent")
    post(client, MASS, w.mass_body(simulation=False))
    closure = {"libelle": "Sortie scolaire CE2", "du": MONDAY.isoformat(),
               "au": MONDAY.isoformat(), "prestations": [w.service.pk],
               "classes": [w.klass.pk]}

    preview = post(client, CLOSURES, {**closure, "simulation": True})
    assert preview.status_code == 200, preview.content
    assert preview.json() == {"simulation": True, "fermeture": None, "annulees": 1,
                              "deja_facturees": 0, "foyers": 1}
    with inside(commune_alpha):
        assert not ClosurePeriod.objects.exists()
        assert not Booking.objects.filter(state=BookingState.CANCELLED).exists()

    created = post(client, CLOSURES, {**closure, "simulation": False})
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["annulees"] == 1 and data["fermeture"]["libelle"] == "Sortie scolaire CE2"
    closure_id = data["fermeture"]["id"]
    with inside(commune_alpha):
        cancelled = Booking.objects.get(state=BookingState.CANCELLED)
        assert (cancelled.child_id, cancelled.day) == (w.kid1.pk, MONDAY)

    listed = client.get(CLOSURES).json()
    assert [c["id"] for c in listed] == [closure_id]
    assert listed[0]["prestations"] == [w.service.pk] and listed[0]["classes"] == [w.klass.pk]

    deleted = client.delete(f"{CLOSURES}{closure_id}/")
    assert deleted.status_code == 200 and deleted.json() == {
        "restaurees": 1, "retablies_avec_place": 1, "en_liste_attente": 0,
        "places_attribuees": 0, "non_restaurables": 0}
    with inside(commune_alpha):
        assert not Booking.objects.filter(state=BookingState.CANCELLED).exists()
    assert client.get(CLOSURES).json() == []
    assert client.delete(f"{CLOSURES}{closure_id}/").status_code == 404


def test_closure_bad_input_is_french_400(commune_alpha):
    with inside(commune_alpha):
        w = World()
    client = api_as(commune_alpha, "administrator")
    response = post(client, CLOSURES, {"libelle": "", "du": "2026-12-02", "au": "2026-12-01",
                                       "prestations": [], "classes": [w.klass.pk]})
    assert response.status_code == 400
    assert {"libelle", "prestations"} <= set(response.json())
    response = post(client, CLOSURES, {"libelle": "Grève", "du": "2026-12-02",
                                       "au": "2026-12-01", "prestations": [w.service.pk],
                                       "classes": [w.klass.pk]})
    assert response.status_code == 400 and "date de fin" in response.json()["au"][0]
    response = post(client, CLOSURES, {"libelle": "Grève", "du": "2026-12-01",
                                       "au": "2026-12-01", "prestations": [999999],
                                       "classes": [w.klass.pk], "simulation": False})
    assert response.status_code == 400
    assert "Prestation inconnue" in response.json()["prestations"][0]
    with inside(commune_alpha):
        assert not ClosurePeriod.objects.exists()


@pytest.mark.parametrize("role", ["animateur", "agent", "administrator"])
def test_attendance_marks_for_markers(commune_alpha, role):
    with inside(commune_alpha):
        w = World()
        Booking.objects.create(child=w.kid1, service=w.service, day=MONDAY,
                               household=w.home1, state=BookingState.BOOKED)
    client = api_as(commune_alpha, role)
    body = {"enfant": w.kid1.pk, "prestation": w.service.pk, "jour": MONDAY.isoformat(),
            "etat": "absent_justified"}
    response = post(client, ATTENDANCE, body)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "absent_justified"
    present = post(client, ATTENDANCE, {**body, "enfant": w.kid2.pk, "etat": "attended"})
    assert present.status_code == 200 and present.json()["state"] == "unbooked_presence"
    with inside(commune_alpha):
        assert Booking.objects.get(child=w.kid1).state == BookingState.ABSENT_JUSTIFIED
        assert BookingEvent.objects.filter(reason="attendance").count() == 2


@pytest.mark.parametrize("role", ["read_only", "regisseur"])
def test_attendance_refused_to_other_roles(commune_alpha, role):
    with inside(commune_alpha):
        w = World()
    response = post(api_as(commune_alpha, role), ATTENDANCE,
                    {"enfant": w.kid1.pk, "prestation": w.service.pk,
                     "jour": MONDAY.isoformat(), "etat": "attended"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Votre rôle ne permet pas cette action."
    with inside(commune_alpha):
        assert not Booking.objects.exists()


def test_attendance_bad_input_is_french_400(commune_alpha):
    with inside(commune_alpha):
        w = World()
    client = api_as(commune_alpha, "animateur")
    body = {"enfant": w.kid1.pk, "prestation": w.service.pk, "jour": MONDAY.isoformat()}
    response = post(client, ATTENDANCE, {**body, "etat": "dormant"})
    assert response.status_code == 400 and "etat" in response.json()
    response = post(client, ATTENDANCE, {**body, "etat": "absent_unjustified"})
    assert response.status_code == 400
    assert "pas de réservation" in response.json()["detail"][0]
    response = post(client, ATTENDANCE, {**body, "enfant": 999999, "etat": "attended"})
    assert response.status_code == 404 and response.json() == {"detail": "Introuvable."}


def test_openapi_schema_documents_the_operations(commune_alpha):
    client = api_as(commune_alpha, "administrator")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (MASS, CLOSURES, "/api/v1/fermetures/{id}/", ATTENDANCE):
        assert path in schema, path
    assert "semaines_scolaires" in schema and "simulation" in schema
