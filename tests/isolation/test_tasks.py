"""(g) Celery messages carry the schema they belong to, and the fan-out sends one message
per active commune, read back from the real Redis broker."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from config.celery import app
from tenant_apps.accounts.models import Role, User
from tenants.fanout import fan_out
from tenants.models import Commune, CommuneStatus
from tests.conftest import inside, make_user
from tests.isolation.support import unique_email

pytestmark = pytest.mark.django_db


def _probe(**kwargs: Any) -> dict[str, Any]:
    """What a task sees when it runs: its schema and the accounts it can read."""
    return {
        "schema": connection.schema_name,
        "emails": sorted(User.objects.values_list("email", flat=True)),
        "kwargs": kwargs,
    }


@pytest.fixture
def probe() -> Iterator[Any]:
    """A task bound to a queue of its own, read back with kombu then deleted."""
    queue = f"isolation-{uuid.uuid4().hex[:12]}"
    task = app.task(name=f"tests.isolation.probe_{queue}", queue=queue, acks_late=True)(_probe)
    with app.connection_for_write() as conn:
        simple = conn.SimpleQueue(queue)  # declares the queue and its binding first
        simple.clear()
        task.simple_queue = simple
        try:
            yield task
        finally:
            simple.clear()
            conn.default_channel.queue_delete(queue)
            simple.close()
            app.tasks.unregister(task.name)


def _drain(task: Any) -> list[Any]:
    messages = []
    while True:
        try:
            message = task.simple_queue.get(timeout=0.5)
        except task.simple_queue.Empty:
            return messages
        message.ack()
        messages.append(message)


def test_task_sent_inside_a_commune_carries_its_schema(commune_alpha, commune_beta, probe):
    with inside(commune_alpha):
        probe.apply_async()
    with inside(commune_beta):
        probe.apply_async()
    probe.apply_async()  # from the control plane
    headers = [m.headers["_schema_name"] for m in _drain(probe)]
    assert headers == ["c_alpha", "c_beta", "public"]


def test_fan_out_sends_one_message_per_active_commune(commune_alpha, commune_beta, probe):
    # A suspended commune (no schema needed: it must never be reached).
    Commune.objects.create(
        name="Sommeilville", slug="sommeil", schema_name="c_sommeil", insee_code="35238",
        contact_email="mairie@sommeil.example", status=CommuneStatus.SUSPENDED,
    )
    active = set(Commune.objects.filter(status=CommuneStatus.ACTIVE)
                 .values_list("schema_name", flat=True))
    assert {"c_alpha", "c_beta"} <= active

    with inside(commune_alpha):  # a fan-out started from inside a commune changes nothing
        count = fan_out(probe, day="2024-09-02")
    messages = _drain(probe)
    headers = [m.headers["_schema_name"] for m in messages]
    assert count == len(messages) == len(active)
    assert sorted(headers) == sorted(active)
    assert "c_sommeil" not in headers
    assert all(m.headers["task"] == probe.name for m in messages)
    assert all(m.payload[1] == {"day": "2024-09-02"} for m in messages)


def test_message_runs_in_the_schema_its_header_names(commune_alpha, commune_beta, probe):
    """Executing the messages read back (as a worker would, through tenant-schemas-celery's
    schema switch) shows each task only its own commune's accounts."""
    alpha_email, beta_email = unique_email("alpha-task"), unique_email("beta-task")
    make_user(commune_alpha, role=Role.AGENT, email=alpha_email)
    make_user(commune_beta, role=Role.AGENT, email=beta_email)
    fan_out(probe)
    seen = {}
    for message in _drain(probe):
        args, kwargs, _ = message.payload
        result = probe.apply(args=args, kwargs=kwargs, headers=message.headers).get()
        seen[message.headers["_schema_name"]] = result
        assert connection.schema_name == "public"  # switched back after the task
    assert seen["c_alpha"]["schema"] == "c_alpha"
    assert alpha_email in seen["c_alpha"]["emails"]
    assert beta_email not in seen["c_alpha"]["emails"]
    assert seen["c_beta"]["schema"] == "c_beta"
    assert beta_email in seen["c_beta"]["emails"]
    assert alpha_email not in seen["c_beta"]["emails"]
