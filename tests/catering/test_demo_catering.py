"""The demo's caterer: it delivers the commune's schools with the commune's cut-off, its
last orders are there and delivered, the tick does not send them again, re-seeding
changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from provisioning.demo_bookings import seed_bookings
from provisioning.demo_catering import CATERERS, PAST_ORDERS, seed_catering
from provisioning.demo_families import DemoHousehold, seed_families
from shared_apps.jobs.models import JobKind, JobRun, JobRunStatus
from tenant_apps.catalog.models import Service, ServiceKind
from tenant_apps.catering import selectors
from tenant_apps.catering.models import Caterer, CatererOrder
from tenant_apps.catering.schedule_rules import cutoff_at, delivers_on
from tenant_apps.catering.scheduling import catering_tick
from tenant_apps.outbox.models import OutboxMessage, OutboxStatus
from tenant_apps.schooling.models import School
from tests.conftest import inside

pytestmark = pytest.mark.django_db


def test_demo_caterer_orders_sent_and_idempotent(commune_alpha):
    households = [DemoHousehold(n, "Le Gall", (("Erwan", f"erwan{n}@alpha.demo"),))
                  for n in range(20)]
    now = timezone.now()
    with inside(commune_alpha):
        seed_families(slug="alpha", town="Alphaville", households=households)
        seed_bookings(slug="alpha", today=timezone.localdate(now))
        created = seed_catering(slug="plouaret", now=now)
        assert created == PAST_ORDERS
        spec = CATERERS["plouaret"]
        caterer = Caterer.objects.get(name=spec.name)
        assert (caterer.cutoff_time, caterer.cutoff_days_before) == (spec.until, 2)
        assert caterer.cutoff_label == "J-2 à 10:00 (jours ouvrés)"
        assert {link.school_id for link in caterer.site_links.all()} == set(
            School.objects.filter(active=True).values_list("pk", flat=True))
        # Every active meal service of the commune (other tests may have left some).
        meals = {s.name for s in caterer.services.all()}
        assert "Repas enfant" in meals
        assert meals == set(Service.objects.filter(active=True, kind=ServiceKind.MEAL)
                            .values_list("name", flat=True))
        rule = selectors.rule_of(caterer)
        orders = list(CatererOrder.objects.filter(caterer=caterer).order_by("day"))
        assert len(orders) == PAST_ORDERS
        for order in orders:
            assert delivers_on(rule, order.day) and cutoff_at(rule, order.day) <= now
            (version,) = order.versions.all()
            assert version.total > 0 and version.computed_at == cutoff_at(rule, order.day)
        assert orders[0].day >= timezone.localdate(now) - timedelta(weeks=4)
        messages = OutboxMessage.objects.filter(idempotency_key__startswith="catering:")
        assert messages.count() == PAST_ORDERS
        assert set(messages.values_list("status", flat=True)) == {OutboxStatus.SENT}
        assert {tuple(r) for r in messages.values_list("recipients", flat=True)} == {
            (spec.email,)}
        # Seeded orders are history: the tick neither re-sends nor amends them.
        tick = catering_tick(now=timezone.now() + timedelta(minutes=1))
        assert tick.ran == [] and tick.amendments == 0
        assert messages.count() == PAST_ORDERS
        assert seed_catering(slug="plouaret", now=now) == 0
        assert Caterer.objects.count() == 1
    runs = JobRun.objects.filter(commune=commune_alpha, kind=JobKind.CATERER_ORDER)
    assert sorted(r.due_at for r in runs) == [o.cutoff_at for o in orders]
    assert {r.status for r in runs} == {JobRunStatus.SUCCEEDED}
