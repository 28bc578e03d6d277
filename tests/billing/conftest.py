"""Billing test fixtures."""

from collections.abc import Iterator

import pytest

from config.celery import app


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Tasks queued with apply_async run inline (errors propagate), in the same schema."""
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
