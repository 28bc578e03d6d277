"""Sending a mailing: one outbox row per recipient, never twice, status read back from
the outbox; large audiences fanned out by a task in the commune's schema."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tenant_apps.accounts.models import Role
from tenant_apps.mailings import services
from tenant_apps.mailings.models import AudienceKind, Mailing, MailingStatus
from tenant_apps.mailings.selectors import mailing_delivery_counts, mailing_list
from tenant_apps.mailings.services import mailing_create, mailing_outbox_fill, mailing_send
from tenant_apps.mailings.tasks import mailing_fan_out
from tenant_apps.outbox.models import OutboxMessage, OutboxStatus
from tenant_apps.outbox.services import outbox_deliver_due
from tests.conftest import inside, make_user
from tests.mailings import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def cp_class(commune_alpha):
    """A class of the current year with three reachable guardians and one without email."""
    with inside(commune_alpha):
        cls = b.school_class(b.school(), b.current_year(), "CP")
        martin = b.household("Martin", ("Claire", "claire@exemple.fr"), ("Hugo", ""))
        durand = b.household("Durand", ("Luc", "luc@exemple.fr"), ("Inès", "ines@exemple.fr"))
        b.enrol(b.child("Léo", martin), cls)
        b.enrol(b.child("Lina", durand), cls)
        OutboxMessage.objects.update(status=OutboxStatus.SENT)  # earlier rows aside (rolled back)
        yield cls


@pytest.fixture
def agent(commune_alpha):
    return make_user(commune_alpha, role=Role.AGENT)


def _draft(agent, cls, body='<p>Sortie au musée <a href="https://musee.example/">jeudi</a>.'
                            '<script>x()</script></p>'):
    return mailing_create(actor=agent, subject="Sortie scolaire", body_html=body,
                          audience_kind=AudienceKind.SCHOOL_CLASS, school_class=cls)


def test_send_writes_one_outbox_message_per_recipient(commune_alpha, cp_class, agent):
    with inside(commune_alpha):
        mailing = _draft(agent, cp_class)
        assert "<script" not in mailing.body_html
        mailing = mailing_send(actor=agent, mailing=mailing)
        rows = OutboxMessage.objects.filter(idempotency_key__startswith=f"mailing:{mailing.pk}:")
        assert sorted(r.recipients[0] for r in rows) == [
            "claire@exemple.fr", "ines@exemple.fr", "luc@exemple.fr"]
        guardian_ids = sorted(mailing.recipients.values_list("guardian_id", flat=True))
        assert sorted(r.idempotency_key for r in rows) == sorted(
            f"mailing:{mailing.pk}:{gid}" for gid in guardian_ids)
        assert (mailing.status, mailing.household_count, mailing.recipient_count,
                mailing.skipped_count) == (MailingStatus.SENT, 2, 3, 1)
        html, text = rows[0].body_html, rows[0].body_text
    assert '<a href="https://musee.example/" rel="noopener noreferrer">jeudi</a>' in html
    assert "Sortie au musée jeudi (https://musee.example/)." in text
    assert "Alphaville" in text or "c_alpha" in text


def test_sending_twice_never_duplicates(commune_alpha, cp_class, agent):
    with inside(commune_alpha):
        mailing = _draft(agent, cp_class)
        mailing_send(actor=agent, mailing=mailing)
        mailing_send(actor=agent, mailing=mailing)  # double click
        mailing_outbox_fill(mailing_id=mailing.pk)  # replayed task
        Mailing.objects.filter(pk=mailing.pk).update(status=MailingStatus.SENDING)
        assert mailing_outbox_fill(mailing_id=mailing.pk) == 0  # resumed: nothing left
        assert OutboxMessage.objects.filter(
            idempotency_key__startswith=f"mailing:{mailing.pk}:").count() == 3
        assert mailing.recipients.count() == 3


def test_a_mailing_reaching_nobody_is_refused(commune_alpha, agent):
    with inside(commune_alpha):
        empty = b.school_class(b.school(), b.current_year(), "CE2")
        mailing = _draft(agent, empty)
        with pytest.raises(ValidationError, match="Aucun destinataire"):
            mailing_send(actor=agent, mailing=mailing)
        mailing.refresh_from_db()
        assert mailing.status == MailingStatus.DRAFT


def test_large_audience_is_fanned_out_by_a_task_in_the_commune_schema(
        commune_alpha, cp_class, agent, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "INLINE_FANOUT_MAX", 1)
    dispatched = []
    monkeypatch.setattr(mailing_fan_out, "apply_async",
                        lambda args, headers: dispatched.append((args, headers)))
    with inside(commune_alpha):
        mailing = _draft(agent, cp_class)
        with django_capture_on_commit_callbacks(execute=True):
            mailing = mailing_send(actor=agent, mailing=mailing)
        assert mailing.status == MailingStatus.SENDING
        assert mailing_delivery_counts(mailing=mailing).preparing == 3
        assert dispatched == [([mailing.pk], {"_schema_name": "c_alpha"})]
        # What the worker runs, in batches of two: everything written, mailing sent.
        assert mailing_outbox_fill(mailing_id=mailing.pk, batch_size=2) == 3
        mailing.refresh_from_db()
        assert mailing.status == MailingStatus.SENT
        assert mailing_delivery_counts(mailing=mailing).queued == 3


def test_delivery_status_reflects_the_outbox(commune_alpha, cp_class, agent):
    with inside(commune_alpha):
        mailing = mailing_send(actor=agent, mailing=_draft(agent, cp_class))
        counts = mailing_delivery_counts(mailing=mailing)
        assert (counts.total, counts.pending, counts.sent, counts.failed) == (3, 3, 0, 0)
        assert outbox_deliver_due() >= 3
        failed = mailing.recipients.get(email="luc@exemple.fr").outbox_message
        failed.status = OutboxStatus.FAILED
        failed.save()
        counts = mailing_delivery_counts(mailing=mailing)
        assert (counts.pending, counts.sent, counts.failed) == (0, 2, 1)
        listed = mailing_list().get(pk=mailing.pk)
        assert (listed.n_recipients, listed.n_sent, listed.n_failed) == (3, 2, 1)
    assert {"claire@exemple.fr", "luc@exemple.fr", "ines@exemple.fr"} <= {
        m.to[0] for m in mail.outbox}
    assert all(m.subject == "Sortie scolaire" for m in mail.outbox if m.to[0] == "luc@exemple.fr")
