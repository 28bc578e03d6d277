"""The per-commune tick of caterer orders (a Celery task runs it every minute).

Each tick, under a per-commune lock:
1. lists the orders whose cut-off passed since the last recorded run (after an outage:
   every one missed, oldest first), plus the runs that failed and may be retried;
2. for each due time, claims its `JobRun` row first (unique per commune, kind and due
   time: a due run happens once), computes and sends the orders due then, and records
   the result in the same transaction, or the error;
3. every AMENDMENT_EVERY, compares the orders already sent for days not yet over with
   the bookings, and sends an amendment when they differ (recorded as a run only when
   one was sent or the check failed);
4. publishes the next cut-off, so operators see a run that does not happen on time."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from shared_apps.jobs.models import JobKind
from shared_apps.jobs.services import (
    job_last_due_at,
    job_retry_due_ats,
    job_run_claim,
    job_run_fail,
    job_run_finish,
    job_run_record,
    job_schedule_publish,
)
from tenant_apps.catering import selectors
from tenant_apps.catering.models import Caterer, CatererOrder
from tenant_apps.catering.schedule_rules import (
    CutoffRule,
    DueOrder,
    due_orders,
    next_due,
    open_days,
)
from tenant_apps.catering.services import caterer_order_compute
from tenants.db import SessionAdvisoryLock, current_commune_id, current_schema

logger = logging.getLogger(__name__)
AMENDMENT_EVERY = timedelta(minutes=15)


@dataclass
class TickResult:
    ran: list[datetime] = field(default_factory=list)
    failed: list[datetime] = field(default_factory=list)
    amendments: int = 0
    skipped: bool = False  # another tick of this commune holds the lock


def _run_due(commune_id: int, due_at: datetime, items: list[DueOrder], now: datetime,
             result: TickResult, zone: str) -> None:
    run = job_run_claim(commune_id=commune_id, kind=JobKind.CATERER_ORDER, due_at=due_at,
                        now=now)
    if run is None:
        return
    try:
        with transaction.atomic():
            caterers = {c.pk: c for c in Caterer.objects.filter(
                pk__in={item.caterer_id for item in items})}
            done = []
            for item in items:
                caterer = caterers.get(item.caterer_id)
                if caterer is None:
                    continue
                outcome = caterer_order_compute(caterer=caterer, day=item.day, now=now,
                                                reason="heure limite", zone=zone)
                done.append({"caterer": caterer.name, "day": item.day.isoformat(),
                             "order": outcome.order.pk, "action": outcome.action})
            job_run_finish(run=run, result={"orders": done}, now=now)
        result.ran.append(due_at)
    except Exception as exc:  # recorded on the run, shown to operators, retried later
        logger.exception("caterer order run failed", extra={"due_at": due_at.isoformat()})
        job_run_fail(run=run, error=f"{type(exc).__name__}: {exc}", now=now)
        result.failed.append(due_at)


def _amendment_slot(now: datetime) -> datetime:
    local = timezone.localtime(now)
    minutes = (local.minute // 15) * 15
    return local.replace(minute=minutes, second=0, microsecond=0)


def _check_amendments(commune_id: int, now: datetime, result: TickResult,
                      rules: list[CutoffRule]) -> None:
    """Compare the orders sent for days not yet over with the bookings (once a slot)."""
    wanted = {(rule.caterer_id, day) for rule in rules for day in open_days(rule, now=now)}
    if not wanted:
        return
    stale_before = now - AMENDMENT_EVERY + timedelta(seconds=30)
    orders = [
        o for o in CatererOrder.objects.filter(
            day__in={day for _, day in wanted}, caterer__active=True
        ).select_related("caterer")
        if (o.caterer_id, o.day) in wanted
        and (o.checked_at is None or o.checked_at <= stale_before)
    ]
    if not orders:
        return
    # Recorded only when an amendment was sent or the check failed: a no-op check every
    # 15 minutes in every commune would bury the runs that matter. No claim is needed
    # first: caterer_order_compute is idempotent (versions numbered under a lock, one
    # outbox message per version), and the commune lock keeps ticks in order.
    slot = _amendment_slot(now)
    try:
        with transaction.atomic():
            amended = []
            for order in orders:
                outcome = caterer_order_compute(caterer=order.caterer, day=order.day, now=now,
                                                reason="modification après l'heure limite",
                                                zone=rules[0].zone)
                if outcome.version is not None:
                    amended.append({"caterer": order.caterer.name, "day": order.day.isoformat(),
                                    "version": outcome.version.number})
            if amended:
                job_run_record(commune_id=commune_id, kind=JobKind.CATERER_AMENDMENT,
                               due_at=slot, now=now,
                               result={"checked": len(orders), "amended": amended})
        result.amendments += len(amended)
    except Exception as exc:
        logger.exception("caterer amendment check failed")
        job_run_record(commune_id=commune_id, kind=JobKind.CATERER_AMENDMENT, due_at=slot,
                       now=now, error=f"{type(exc).__name__}: {exc}")


def catering_schedule_publish(now: datetime | None = None,
                              rules: list[CutoffRule] | None = None) -> None:
    """Tell the control plane when this commune's next order is due (no write when the
    published time has not changed: the usual case, every minute)."""
    now = now or timezone.now()
    upcoming = next_due(selectors.cutoff_rules() if rules is None else rules, now=now)
    label = ""
    if upcoming is not None:
        caterer = Caterer.objects.filter(pk=upcoming.caterer_id).first()
        label = f"{caterer.name if caterer else ''} · livraison du {upcoming.day:%d/%m/%Y}"
    job_schedule_publish(
        commune_id=current_commune_id(), kind=JobKind.CATERER_ORDER,
        next_due_at=upcoming.due_at if upcoming else None, label=label,
    )


def catering_tick(*, now: datetime | None = None) -> TickResult:
    """Run what is due for the current commune (see the module's docstring)."""
    now = now or timezone.now()
    commune_id = current_commune_id()
    result = TickResult()
    with SessionAdvisoryLock(f"catering:{current_schema()}") as lock:
        if not lock.held:
            result.skipped = True
            return result
        rules = selectors.cutoff_rules()
        after = job_last_due_at(commune_id=commune_id, kind=JobKind.CATERER_ORDER)
        by_due: dict[datetime, list[DueOrder]] = defaultdict(list)
        for item in due_orders(rules, after=after, now=now):
            by_due[item.due_at].append(item)
        for due_at in job_retry_due_ats(commune_id=commune_id, kind=JobKind.CATERER_ORDER,
                                        now=now):
            window = due_orders(rules, after=due_at - timedelta(microseconds=1), now=due_at)
            by_due[due_at] = [item for item in window if item.due_at == due_at]
        for due_at in sorted(by_due):
            _run_due(commune_id, due_at, by_due[due_at], now, result,
                     zone=rules[0].zone if rules else "")
        if rules:
            _check_amendments(commune_id, now, result, rules)
        catering_schedule_publish(now, rules)
    return result
