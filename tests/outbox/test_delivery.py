"""Outbox delivery: sent once, retried with backoff when SMTP fails, visible to agents."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tenant_apps.outbox.models import OutboxMessage, OutboxStatus
from tenant_apps.outbox.services import (
    outbox_deliver_due,
    outbox_email_enqueue,
    outbox_message_deliver,
    outbox_message_retry,
)
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_this_tests_messages(commune_alpha):
    # The shared commune holds its committed invitation email; set it aside (rolled back).
    with inside(commune_alpha):
        OutboxMessage.objects.update(status=OutboxStatus.SENT)


def _enqueue(key="k1"):
    return outbox_email_enqueue(
        recipients=["famille@example.test"],
        subject="Menu de la semaine",
        body_text="Bonjour",
        idempotency_key=key,
    )


def test_same_idempotency_key_records_one_message(commune_alpha):
    with inside(commune_alpha):
        first = _enqueue()
        second = _enqueue()
        assert first.pk == second.pk
        assert OutboxMessage.objects.filter(idempotency_key="k1").count() == 1


def test_due_message_is_sent_once(commune_alpha):
    with inside(commune_alpha):
        message = _enqueue()
        assert outbox_deliver_due() == 1
        assert outbox_deliver_due() == 0
        message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Menu de la semaine"
    assert mail.outbox[0].extra_headers["Message-ID"].endswith("@localhost>")


def test_smtp_down_keeps_message_and_backs_off(commune_alpha, settings):
    settings.EMAIL_BACKEND = "tests.outbox.failing_backend.FailingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with inside(commune_alpha):
        message = _enqueue()
        now = timezone.now()
        assert outbox_message_deliver(message_id=message.pk, now=now) == OutboxStatus.PENDING
        message.refresh_from_db()
        assert message.attempts == 1
        assert message.next_attempt_at >= now + timedelta(seconds=settings.OUTBOX_BASE_BACKOFF_S)
        assert "SMTP indisponible" in message.last_error
        # Not due yet: nothing is tried before the backoff elapses.
        assert outbox_deliver_due(now=now) == 0
        later = message.next_attempt_at
        outbox_message_deliver(message_id=message.pk, now=later)
        outbox_message_deliver(message_id=message.pk, now=later + timedelta(days=1))
        message.refresh_from_db()
        assert message.status == OutboxStatus.FAILED
        assert message.attempts == 3
        # SMTP is back: an agent retries, the message goes out once.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        outbox_message_retry(message_id=message.pk)
        assert outbox_deliver_due() == 1
        message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


def test_agents_see_the_outbox_state(commune_alpha):
    with inside(commune_alpha):
        _enqueue("visible")
    agent = make_user(commune_alpha, role="agent")
    response = logged_in_client(commune_alpha, agent).get("/gestion/envois/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Menu de la semaine" in body and "En attente" in body


def test_outbox_rows_stay_in_their_commune(commune_alpha, commune_beta):
    with inside(commune_alpha):
        _enqueue("alpha-only")
    with inside(commune_beta):
        assert not OutboxMessage.objects.filter(idempotency_key="alpha-only").exists()
