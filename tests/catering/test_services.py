"""Orders computed from real bookings, amendments after the cut-off, resends, emails."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tenant_apps.bookings import services as booking_services
from tenant_apps.bookings.closures import closure_create
from tenant_apps.catering import services
from tenant_apps.catering.models import CatererOrder, CatererOrderDispatch
from tenant_apps.outbox.models import OutboxMessage, OutboxStatus
from tenant_apps.outbox.services import outbox_message_deliver
from tests.catering import support
from tests.catering.support import MONDAY
from tests.conftest import inside, make_user
from tests.schooling import support as schooling

pytestmark = pytest.mark.django_db
AT_CUTOFF = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris


@pytest.fixture
def agent(commune_alpha):
    return make_user(commune_alpha, role="agent")


@pytest.fixture
def world(commune_alpha):
    with inside(commune_alpha):
        s = support.setting()
        other_school = schooling.school()
        other_class = schooling.school_class(other_school, s["year"])
        s["caterer"] = support.caterer(schools=[s["school"]], services=[s["service"]],
                                       adults=2)
        kids = [support.child_at(s["klass"], s["service"]),
                support.child_at(s["klass"], s["service"], diet="sans_porc"),
                support.child_at(s["klass"], s["service"], diet="vegetarien", has_pai=True),
                support.child_at(s["klass"], s["service"], diet="sans_viande")]
        for child in kids[:3]:
            support.book(child, s["service"], MONDAY)
        support.book(kids[3], s["service"], MONDAY, state="cancelled")
        elsewhere = support.child_at(other_class, s["service"])  # another site: not counted
        support.book(elsewhere, s["service"], MONDAY)
        s["kids"] = kids
        return s


def _lines(version):
    return {(line.meal, line.diet): line.quantity for line in version.lines.all()}


def test_order_counts_real_bookings_per_diet_with_adults(commune_alpha, world):
    with inside(commune_alpha):
        outcome = services.caterer_order_compute(caterer=world["caterer"], day=MONDAY,
                                                 now=AT_CUTOFF)
        assert outcome.action == "ordered"
        meal = world["service"].name
        assert _lines(outcome.version) == {
            (meal, "standard"): 1, (meal, "sans_porc"): 1, (meal, "pai"): 1,
            ("Repas adulte", "standard"): 2,
        }
        assert outcome.version.total == 5
        message = OutboxMessage.objects.get(
            idempotency_key=f"catering:order:{outcome.order.pk}:v1")
        assert message.recipients == ["commandes@traiteur.example"]
        assert message.subject.startswith("Commande de repas du lun. 30 novembre 2026")
        assert "Total : 5 repas." in message.body_text


def test_computing_again_changes_nothing_and_sends_nothing(commune_alpha, world):
    with inside(commune_alpha):
        services.caterer_order_compute(caterer=world["caterer"], day=MONDAY, now=AT_CUTOFF)
        again = services.caterer_order_compute(caterer=world["caterer"], day=MONDAY,
                                               now=AT_CUTOFF + timedelta(minutes=20))
        assert again.action == "unchanged"
        assert CatererOrder.objects.filter(caterer=world["caterer"]).count() == 1
        assert OutboxMessage.objects.filter(idempotency_key__startswith="catering:").count() == 1


def test_agent_booking_after_the_cutoff_gives_an_amendment(commune_alpha, world, agent):
    with inside(commune_alpha):
        order = services.caterer_order_compute(caterer=world["caterer"], day=MONDAY,
                                               now=AT_CUTOFF).order
        late = AT_CUTOFF + timedelta(hours=1)
        booking_services.booking_book(child=world["kids"][3], service=world["service"],
                                      day=MONDAY, actor=agent, now=late)
        outcome = services.caterer_order_compute(caterer=world["caterer"], day=MONDAY, now=late)
        assert outcome.action == "amended"
        assert outcome.version.number == 2
        assert outcome.version.changes == {f"{world['school'].name}|{world['service'].name}|"
                                           "sans_viande": 1}
        assert outcome.version.total == 6
        message = OutboxMessage.objects.get(idempotency_key=f"catering:order:{order.pk}:v2")
        assert message.subject.startswith("Rectificatif n° 1 de la commande de repas")
        assert "0 → 1 (+1)" in message.body_text


def test_closure_after_the_cutoff_gives_an_amendment_removing_the_meals(
        commune_alpha, world, agent):
    with inside(commune_alpha):
        services.caterer_order_compute(caterer=world["caterer"], day=MONDAY, now=AT_CUTOFF)
        closure_create(label="Grève", starts_on=MONDAY, ends_on=MONDAY,
                       services=[world["service"]], classes=[world["klass"]], actor=agent)
        outcome = services.caterer_order_compute(caterer=world["caterer"], day=MONDAY,
                                                 now=AT_CUTOFF + timedelta(hours=2))
        assert outcome.action == "amended"
        assert sorted(outcome.version.changes.values()) == [-1, -1, -1]
        assert outcome.version.total == 2  # the adults' meals stay


def test_email_carries_the_pdf_and_csv_and_resend_sends_once_more(
        commune_alpha, world, agent, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with inside(commune_alpha):
        order = services.caterer_order_compute(caterer=world["caterer"], day=MONDAY,
                                               now=AT_CUTOFF).order
        with pytest.raises(ValidationError, match="déjà en attente"):
            services.caterer_order_resend(order=order, acting_user=agent)
        mail.outbox.clear()
        first = CatererOrderDispatch.objects.get(version__order=order)
        assert outbox_message_deliver(message_id=first.outbox_message_id) == OutboxStatus.SENT
        (sent,) = mail.outbox
        names = [a[0] for a in sent.attachments]
        assert names == [f"commande-repas-2026-11-30-{world['caterer'].pk}.pdf",
                         f"commande-repas-2026-11-30-{world['caterer'].pk}.csv"]
        pdf, csv = sent.attachments[0][1], sent.attachments[1][1]
        assert pdf.startswith(b"%PDF")
        assert csv.startswith("\ufeff")  # Django hands text attachments back decoded
        text = csv.removeprefix("\ufeff")
        assert text.splitlines()[0] == ("Date;Site;Repas;Standard;Sans porc;Sans viande;"
                                         "Végétarien;PAI / allergie;Total")
        assert f"2026-11-30;{world['school'].name};{world['service'].name};1;1;0;0;1;3" in text
        dispatch = services.caterer_order_resend(order=order, acting_user=agent)
        assert dispatch.idempotency_key.endswith(":v1:renvoi-1")
        assert dispatch.created_by_email == agent.email
        assert outbox_message_deliver(message_id=dispatch.outbox_message_id) == "sent"
        assert len(mail.outbox) == 2
        assert mail.outbox[1].attachments[1][1] == csv
        assert CatererOrderDispatch.objects.filter(version__order=order).count() == 2
        assert set(OutboxMessage.objects.filter(idempotency_key__startswith="catering:")
                   .values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_caterer_save_validates_in_french(commune_alpha, world):
    admin = make_user(commune_alpha, role="administrator")
    with inside(commune_alpha):
        with pytest.raises(ValidationError) as error:
            services.caterer_save(
                caterer=None, sites=[(world["school"], 0)], services=[world["service"]],
                acting_user=admin, name=" ", emails=["pas-un-courriel"], cutoff_time=None,
                cutoff_days_before=99, cutoff_day_count="working",
            )
        errors = error.value.message_dict
        assert errors["name"] == ["Indiquez le nom du prestataire."]
        assert errors["emails"] == ["Courriel invalide : pas-un-courriel"]
        assert "cutoff_time" in errors and "cutoff_days_before" in errors
