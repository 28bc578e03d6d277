"""The week of cells read for the grid and the API."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from tenant_apps.bookings import selectors, services
from tenant_apps.bookings.models import ClosurePeriod
from tenant_apps.bookings.rules import BOOK_DEADLINE_PASSED, CLOSED
from tests.bookings import support
from tests.bookings.support import AFTER, BEFORE, MONDAY
from tests.conftest import inside
from tests.schooling import support as schooling

pytestmark = pytest.mark.django_db
AGENT = SimpleNamespace(role="agent", pk=None, email="")
FAMILY = SimpleNamespace(role="guardian", pk=None, email="")


def test_week_cells_show_closures_waiting_list_and_locks(commune_alpha):
    with inside(commune_alpha):
        full = support.service(capacity=1)
        other = support.service()
        year = support.school_year()
        klass = schooling.school_class(schooling.school(), year)
        other_class = schooling.school_class(schooling.school(), year)
        _, child = support.registered_child(full, school_class=klass)
        support.registered_child(other)  # not this child's service
        _, rival = support.registered_child(full)
        services.booking_book(child=rival, service=full, day=MONDAY, actor=AGENT, now=BEFORE)
        closure = ClosurePeriod.objects.create(label="Sortie", starts_on=MONDAY + timedelta(1),
                                               ends_on=MONDAY + timedelta(1))
        closure.services.add(full, other)
        closure.classes.add(klass, other_class)
        tuesday_other = ClosurePeriod.objects.create(label="Autre", starts_on=MONDAY,
                                                     ends_on=MONDAY)
        tuesday_other.services.add(full)
        tuesday_other.classes.add(other_class)

        (week,) = selectors.week_cells(child=child, monday=MONDAY, actor=AGENT, now=BEFORE)
        monday, tuesday = week.cells[:2]
        assert week.service == full
        assert monday.status.can_book and monday.status.book_state == "waiting"
        assert not tuesday.status.can_book and tuesday.status.reason == CLOSED

        (late,) = selectors.week_cells(child=child, monday=MONDAY, actor=FAMILY, now=AFTER)
        assert late.cells[0].status.locked
        assert late.cells[0].status.reason == BOOK_DEADLINE_PASSED
        (agent_late,) = selectors.week_cells(child=child, monday=MONDAY, actor=AGENT, now=AFTER)
        assert agent_late.cells[0].status.can_book and agent_late.cells[0].status.past_deadline
