"""A real Celery worker on the real Redis broker: provisioning runs as a job in the public
schema, and the invitation email it writes is delivered by a task in the commune's schema."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from config.celery import app
from provisioning.models import JobStatus, ProvisioningJob
from provisioning.schemas import schema_drop
from provisioning.services import commune_create
from tenant_apps.outbox.models import OutboxMessage, OutboxStatus
from tenants.models import Commune, CommuneStatus
from tests.conftest import inside


@pytest.fixture
def private_queue():
    """Route every task to a queue only this test's worker reads: xdist workers share Redis."""
    queue = f"test-{uuid.uuid4().hex[:10]}"
    previous = app.conf.task_routes

    def reroute(routes):
        app.conf.task_routes = routes
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)  # a cached_property built from the old routes

    reroute({"*": {"queue": queue}})
    yield queue
    reroute(previous)


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


pytestmark = pytest.mark.django_db


def test_provisioning_job_and_invitation_through_a_real_worker(private_queue):
    slug = f"job-{uuid.uuid4().hex[:6]}"
    try:
        with start_worker(app, queues=[private_queue], perform_ping_check=False):
            job = commune_create(
                actor=None,
                name="Saint-Quay",
                slug=slug,
                insee_code="22325",
                contact_email="mairie@example.test",
                admin_email="dgs@example.test",
            )
            assert _wait_for(
                lambda: ProvisioningJob.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
            ), ProvisioningJob.objects.get(pk=job.pk).error
            commune = Commune.objects.get(slug=slug)
            assert commune.status == CommuneStatus.ACTIVE

            def invitation_sent() -> bool:
                with inside(commune):
                    return OutboxMessage.objects.filter(status=OutboxStatus.SENT).exists()

            assert _wait_for(invitation_sent)
        sent = [m for m in mail.outbox if m.to == ["dgs@example.test"]]
        assert len(sent) == 1
        assert "créez votre mot de passe" in sent[0].subject
        assert f"http://{slug}.localhost:8000/compte/mot-de-passe/" in sent[0].body
    finally:
        commune = Commune.objects.filter(slug=slug).first()
        if commune:
            schema_drop(commune.schema_name)
            commune.delete()
