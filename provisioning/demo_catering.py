"""Demo commune caterers: one caterer (prestataire de repas) delivering the commune's
schools, with its cut-off, and its last orders already sent, so the pages show data.

Each commune has its own habits: Lannion orders the same day at 09:00, Plouaret two
working days ahead at 10:00, Perros-Guirec the day before at 14:00. The orders of the
last delivery days whose cut-off has passed (today's included) are computed as the
tick would have at their cut-off (with their job runs, for the operators' console), and
marked delivered as if the worker had sent them.

Idempotent: a commune whose caterer exists is left alone."""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

PAST_ORDERS = 5


@dataclass(frozen=True)
class DemoCaterer:
    name: str
    email: str
    until: datetime.time
    days_before: int
    adults_per_site: int


CATERERS = {
    "lannion": DemoCaterer("Cuisine centrale du Trégor", "commandes@cuisine-tregor.demo",
                           datetime.time(9, 0), 0, 3),
    "plouaret": DemoCaterer("Restauration Le Guerlesquin", "cuisine@le-guerlesquin.demo",
                            datetime.time(10, 0), 2, 2),
    "perros-guirec": DemoCaterer("Les Saveurs de la Côte de Granit",
                                 "commandes@saveurs-granit.demo", datetime.time(14, 0), 1, 4),
}
DEFAULT = DemoCaterer("Cuisine centrale", "commandes@cuisine-centrale.demo",
                      datetime.time(9, 30), 0, 2)


def _past_days(rule: Any, *, now: datetime.datetime) -> list[datetime.date]:
    """The last PAST_ORDERS delivery days whose cut-off has passed (within 4 weeks)."""
    from tenant_apps.catering.schedule_rules import cutoff_at, delivers_on

    today = timezone.localdate(now)
    days: list[datetime.date] = []
    day = today + datetime.timedelta(days=rule.days_before * 2 + 7)
    while day >= today - datetime.timedelta(weeks=4) and len(days) < PAST_ORDERS:
        if delivers_on(rule, day) and cutoff_at(rule, day) <= now:
            days.append(day)
        day -= datetime.timedelta(days=1)
    return sorted(days)


def seed_catering(*, slug: str, now: datetime.datetime | None = None) -> int:
    """Create the commune's caterer and its recent orders (in the current schema);
    returns the number of orders created (0 when already seeded)."""
    from shared_apps.jobs.models import JobKind
    from shared_apps.jobs.services import job_run_record
    from tenant_apps.catalog.models import Service, ServiceKind
    from tenant_apps.catering import selectors
    from tenant_apps.catering.models import Caterer
    from tenant_apps.catering.schedule_rules import cutoff_at
    from tenant_apps.catering.services import caterer_order_compute, caterer_save
    from tenant_apps.outbox.models import OutboxMessage, OutboxStatus
    from tenant_apps.schooling.models import School

    now = now or timezone.now()
    commune_id = int(getattr(connection, "tenant").pk)  # noqa: B009 (untyped attribute)
    spec = CATERERS.get(slug, DEFAULT)
    if Caterer.objects.filter(name=spec.name).exists():
        return 0
    schools = list(School.objects.filter(active=True).order_by("name"))
    meals = list(Service.objects.filter(active=True, kind=ServiceKind.MEAL).order_by("name"))
    if not schools or not meals:
        return 0
    actor = SimpleNamespace(pk=None, email=f"reprise-demo@{slug}.demo")
    caterer = caterer_save(
        caterer=None, sites=[(school, spec.adults_per_site) for school in schools],
        services=meals, acting_user=actor, name=spec.name, emails=[spec.email],
        cutoff_time=spec.until, cutoff_days_before=spec.days_before,
        cutoff_day_count="working",
    )
    rule = selectors.rule_of(caterer)
    created = 0
    with transaction.atomic():
        for day in _past_days(rule, now=now):
            at = cutoff_at(rule, day)
            outcome = caterer_order_compute(caterer=caterer, day=day, now=at,
                                            reason="heure limite")
            created += 1
            job_run_record(
                commune_id=commune_id, kind=JobKind.CATERER_ORDER, due_at=at,
                now=at + datetime.timedelta(seconds=30),
                result={"orders": [{"caterer": caterer.name, "day": day.isoformat(),
                                    "order": outcome.order.pk, "action": outcome.action}]},
            )
            if outcome.version is None:
                continue
            keys = outcome.version.dispatches.values_list("outbox_message_id", flat=True)
            OutboxMessage.objects.filter(pk__in=list(keys)).update(
                status=OutboxStatus.SENT, attempts=1,
                sent_at=at + datetime.timedelta(seconds=40))
    return created
