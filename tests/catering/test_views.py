"""Back-office pages: caterers (administrators edit, agents read), orders, resend;
the operators' page of scheduled jobs."""

from datetime import UTC, datetime

import pytest

from shared_apps.jobs.models import JobKind, JobRun, JobRunStatus
from tenant_apps.catering import services
from tenant_apps.catering.models import Caterer, CatererOrderDispatch
from tests.catering import support
from tests.catering.support import MONDAY
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(commune_alpha):
    with inside(commune_alpha):
        s = support.setting()
        s["caterer"] = support.caterer(schools=[s["school"]], services=[s["service"]])
        child = support.child_at(s["klass"], s["service"], diet="sans_porc")
        support.book(child, s["service"], MONDAY)
        return s


def test_administrator_creates_a_caterer_with_sites_and_adults(commune_alpha, world):
    admin = make_user(commune_alpha, role="administrator")
    client = logged_in_client(commune_alpha, admin)
    school, service = world["school"], world["service"]
    response = client.post("/gestion/commandes-repas/prestataires/nouveau/", {
        "name": "Restauval", "emails": "cuisine@restauval.example; chef@restauval.example",
        "cutoff_time": "10:00", "cutoff_days_before": "2", "cutoff_day_count": "working",
        "services": [service.pk], f"site_{school.pk}": "on", f"adults_{school.pk}": "3",
    })
    assert response.status_code == 302
    with inside(commune_alpha):
        caterer = Caterer.objects.get(name="Restauval")
        assert caterer.emails == ["chef@restauval.example", "cuisine@restauval.example"]
        assert caterer.cutoff_label == "J-2 à 10:00 (jours ouvrés)"
        assert [(link.school_id, link.adult_meals) for link in caterer.site_links.all()] == [
            (school.pk, 3)]
    page = client.get("/gestion/commandes-repas/prestataires/")
    assert "Restauval" in page.content.decode()


def test_bad_input_is_a_french_message_not_a_500(commune_alpha, world):
    admin = make_user(commune_alpha, role="administrator")
    client = logged_in_client(commune_alpha, admin)
    response = client.post("/gestion/commandes-repas/prestataires/nouveau/", {
        "name": "X", "emails": "pas un courriel", "cutoff_time": "25:99",
        "cutoff_days_before": "-1", "cutoff_day_count": "working",
    })
    assert response.status_code == 400
    body = response.content.decode()
    assert "Courriel invalide" in body or "Saisissez une adresse" in body or "rien n" in body
    assert "Cochez au moins une prestation." in body


def test_agents_read_but_only_administrators_edit_caterers(commune_alpha, world):
    agent = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    assert agent.get("/gestion/commandes-repas/prestataires/").status_code == 200
    assert agent.get("/gestion/commandes-repas/prestataires/nouveau/").status_code == 403
    path = f"/gestion/commandes-repas/prestataires/{world['caterer'].pk}/modifier/"
    assert agent.post(path, {"name": "Piraté"}).status_code == 403


def test_orders_page_detail_and_resend(commune_alpha, world):
    agent_user = make_user(commune_alpha, role="agent")
    client = logged_in_client(commune_alpha, agent_user)
    with inside(commune_alpha):
        order = services.caterer_order_compute(
            caterer=world["caterer"], day=MONDAY, now=datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
        ).order
    page = client.get("/gestion/commandes-repas/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Prévisions des 7 prochains jours" in text and world["caterer"].name in text
    detail = client.get(f"/gestion/commandes-repas/{order.pk}/")
    assert detail.status_code == 200
    assert "En attente" in detail.content.decode()
    refused = client.post(f"/gestion/commandes-repas/{order.pk}/renvoyer/", follow=True)
    assert "déjà en attente" in refused.content.decode()
    with inside(commune_alpha):
        CatererOrderDispatch.objects.get(version__order=order).outbox_message.__class__.objects \
            .filter(idempotency_key__startswith=f"catering:order:{order.pk}:").update(
                status="sent")
    resent = client.post(f"/gestion/commandes-repas/{order.pk}/renvoyer/", follow=True)
    assert "La commande est renvoyée" in resent.content.decode()
    with inside(commune_alpha):
        assert CatererOrderDispatch.objects.filter(version__order=order).count() == 2
    checked = client.post(f"/gestion/commandes-repas/{order.pk}/verifier/", follow=True)
    assert "aucun rectificatif" in checked.content.decode()
    reader = logged_in_client(commune_alpha, make_user(commune_alpha, role="read_only"))
    assert reader.get(f"/gestion/commandes-repas/{order.pk}/").status_code == 200
    assert reader.post(f"/gestion/commandes-repas/{order.pk}/renvoyer/").status_code == 403


def test_ops_page_lists_runs_and_failures(commune_alpha, ops_client):
    operator = make_user(None, role="operator")
    client = logged_in_client(None, operator)
    now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    JobRun.objects.create(commune=commune_alpha, kind=JobKind.CATERER_ORDER, due_at=now,
                          started_at=now, status=JobRunStatus.FAILED, error="SMTPError: boom")
    page = client.get("/taches/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tâches planifiées" in text and "SMTPError: boom" in text and "Alphaville" in text
    assert client.get("/taches/?etat=nimportequoi").status_code == 200
    assert ops_client.get("/taches/").status_code == 302  # anonymous → login


def test_meals_no_order_counts_are_shown_to_agents(commune_alpha, world):
    """A child booked without a class (or at a school no caterer delivers) would get no
    meal: the selector finds them, the orders page names them."""
    from datetime import timedelta

    from django.utils import timezone

    from tenant_apps.catering.selectors import unordered_meals
    from tests.bookings import support as bookings
    from tests.schooling import support as schooling

    with inside(commune_alpha):
        service = world["service"]
        _, loose = bookings.registered_child(service)  # no enrolment: no school, no site
        other_school = schooling.school()
        elsewhere = support.child_at(schooling.school_class(other_school, world["year"]),
                                     service)
        soon = timezone.localdate() + timedelta(days=1)
        for child in (loose, elsewhere):
            support.book(child, service, MONDAY)
            if soon != MONDAY:
                support.book(child, service, soon)
        count, meals = unordered_meals(start=MONDAY, days=1)
        assert count == 2
        assert {(m.child_id, m.has_class) for m in meals} == {(loose.pk, False),
                                                               (elsewhere.pk, True)}
        # world's child, booked that Monday at the caterer's own school, is not listed
        in_window, _ = unordered_meals(start=timezone.localdate(), days=7)
        assert in_window >= 2
    agent = make_user(commune_alpha, role="agent")
    body = logged_in_client(commune_alpha, agent).get(
        "/gestion/commandes-repas/").content.decode()
    assert f"{in_window} repas réservés ne figurent dans aucune commande" in body
    assert f"/gestion/familles/enfants/{loose.pk}/" in body and "sans classe" in body
    assert "école non livrée" in body
