"""The per-commune tick of booking reminders (the catering beat fan-out runs it every
minute, as its own task, next to the caterer orders' tick).

Each tick, under a per-commune lock:
1. lists, per active reminder, its LAST due time since the last recorded run, if the
   week it announces has not started (after an outage: one reminder, never several
   weeks of them), plus the runs that failed and may be retried;
2. for each due time, claims its `JobRun` row first (unique per commune, kind and due
   time: a due run happens once), writes the emails to the outbox and records the
   result in the same transaction, or the error;
3. publishes the next due time, so operators see a run that does not happen on time."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from shared_apps.jobs.models import JobKind
from shared_apps.jobs.services import (
    job_last_due_at,
    job_retry_due_ats,
    job_run_claim,
    job_run_fail,
    job_run_finish,
    job_schedule_publish,
)
from tenant_apps.reminders import selectors
from tenant_apps.reminders.models import BookingReminder
from tenant_apps.reminders.rules import (
    ReminderRule,
    due_reminders,
    last_occurrence,
    next_due,
    still_useful,
)
from tenant_apps.reminders.services import reminder_send
from tenants.db import SessionAdvisoryLock, current_commune_id, current_schema

logger = logging.getLogger(__name__)
KIND = JobKind.BOOKING_REMINDER


@dataclass
class ReminderTickResult:
    ran: list[datetime] = field(default_factory=list)
    failed: list[datetime] = field(default_factory=list)
    households: int = 0
    skipped: bool = False  # another tick of this commune holds the lock


def _run_due(commune_id: int, due_at: datetime, reminder_ids: list[int], now: datetime,
             result: ReminderTickResult) -> None:
    run = job_run_claim(commune_id=commune_id, kind=KIND, due_at=due_at, now=now)
    if run is None:
        return
    try:
        with transaction.atomic():
            sent = []
            for reminder in BookingReminder.objects.filter(pk__in=reminder_ids, active=True):
                outcome = reminder_send(reminder=reminder, due_at=due_at)
                sent.append({"reminder": reminder.pk, "subject": reminder.subject,
                             "households": outcome.households})
                result.households += outcome.households
            job_run_finish(run=run, result={"reminders": sent}, now=now)
        result.ran.append(due_at)
    except Exception as exc:  # recorded on the run, shown to operators, retried later
        logger.exception("booking reminder run failed", extra={"due_at": due_at.isoformat()})
        job_run_fail(run=run, error=f"{type(exc).__name__}: {exc}", now=now)
        result.failed.append(due_at)


def _retry_ids(rules: list[ReminderRule], due_at: datetime) -> list[int]:
    """The reminders a failed run at `due_at` was for (those due exactly then)."""
    return [r.reminder_id for r in rules
            if r.not_before < due_at and last_occurrence(r, now=due_at) == due_at]


def reminders_schedule_publish(now: datetime | None = None,
                               rules: list[ReminderRule] | None = None) -> None:
    """Tell the control plane when this commune's next reminder is due (no write when
    the published time has not changed)."""
    now = now or timezone.now()
    upcoming = next_due(selectors.reminder_rules() if rules is None else rules, now=now)
    label = ""
    if upcoming is not None:
        reminder = BookingReminder.objects.filter(pk=upcoming.reminder_id).first()
        label = f"Rappel · {reminder.subject if reminder else ''}"
    job_schedule_publish(commune_id=current_commune_id(), kind=KIND,
                         next_due_at=upcoming.due_at if upcoming else None, label=label)


def reminders_tick(*, now: datetime | None = None) -> ReminderTickResult:
    """Send the reminders due for the current commune (see the module's docstring)."""
    now = now or timezone.now()
    commune_id = current_commune_id()
    result = ReminderTickResult()
    with SessionAdvisoryLock(f"reminders:{current_schema()}") as lock:
        if not lock.held:
            result.skipped = True
            return result
        rules = selectors.reminder_rules()
        after = job_last_due_at(commune_id=commune_id, kind=KIND)
        by_due: dict[datetime, list[int]] = defaultdict(list)
        for item in due_reminders(rules, after=after, now=now):
            by_due[item.due_at].append(item.reminder_id)
        for due_at in job_retry_due_ats(commune_id=commune_id, kind=KIND, now=now):
            if still_useful(due_at, now=now):
                by_due[due_at] = _retry_ids(rules, due_at)
        for due_at in sorted(by_due):
            _run_due(commune_id, due_at, by_due[due_at], now, result)
        reminders_schedule_publish(now, rules)
    return result
