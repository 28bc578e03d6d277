"""Import of households, guardians and children: staging the uploaded file between the
preview and the confirmation, and applying a validated plan in one transaction.

Households and children are matched by the file's references (`external_ref`), guardians
within their household (see `selectors.guardian_match`): importing the same file twice
changes nothing the second time. Nothing is ever deleted by an import."""

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone

from tenant_apps.accounts.models import User
from tenant_apps.exchange.import_rows import (
    CHILD_FIELDS,
    GUARDIAN_FIELDS,
    HOUSEHOLD_FIELDS,
    ImportPlan,
    LineError,
)
from tenant_apps.exchange.selectors import existing_for, guardian_match, import_conflicts
from tenant_apps.families.models import Child, ChildHousehold, CustodyPattern, Guardian, Household
from tenant_apps.history.models import ChangeAction
from tenant_apps.history.services import change_record
from tenants.db import transaction_advisory_lock

STAGE_TTL_S = 3600
RESULT_TTL_S = 24 * 3600
HOUSEHOLD_COLUMNS = list(HOUSEHOLD_FIELDS.values())
GUARDIAN_COLUMNS = list(GUARDIAN_FIELDS.values())
CHILD_COLUMNS = list(CHILD_FIELDS.values())


def _stage_key(token: str) -> str:
    # The cache's key function adds the commune's schema: a token never crosses communes.
    return f"exchange:import:{token}"


def _result_key(token: str) -> str:
    return f"exchange:import-result:{token}"


@dataclass(frozen=True)
class StagedImport:
    token: str
    user_id: int
    name: str
    content: bytes
    uploaded_at: datetime.datetime


def import_stage(*, actor: User, name: str, content: bytes) -> StagedImport:
    """Keep an uploaded file for one hour, for its uploader only, between the preview and
    the confirmation (the confirmation reads and validates it again)."""
    staged = StagedImport(token=secrets.token_urlsafe(18), user_id=actor.pk, name=name[:200],
                          content=content, uploaded_at=timezone.now())
    cache.set(_stage_key(staged.token), staged, STAGE_TTL_S)
    return staged


def import_staged_get(*, actor: User, token: str) -> StagedImport | None:
    """The staged file of `token` if `actor` uploaded it; None otherwise (also expired)."""
    staged = cache.get(_stage_key(token))
    if not isinstance(staged, StagedImport) or staged.user_id != actor.pk:
        return None
    return staged


def import_staged_discard(*, token: str) -> None:
    cache.delete(_stage_key(token))


@dataclass
class ImportSummary:
    file_name: str = ""
    households_created: int = 0
    households_updated: int = 0
    guardians_created: int = 0
    guardians_updated: int = 0
    children_created: int = 0
    children_updated: int = 0
    links_created: int = 0
    links_updated: int = 0
    unchanged: int = 0
    finished_at: datetime.datetime | None = None
    user_id: int | None = None
    new_households: list[tuple[int, str]] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return (self.households_created + self.households_updated + self.guardians_created
                + self.guardians_updated + self.children_created + self.children_updated
                + self.links_created + self.links_updated)


def import_result_get(*, actor: User, token: str) -> ImportSummary | None:
    summary = cache.get(_result_key(token))
    if not isinstance(summary, ImportSummary) or summary.user_id != actor.pk:
        return None
    return summary


class ImportRejected(Exception):
    """The plan conflicts with the commune's data; nothing was written."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} conflit(s)")
        self.errors = errors


def _display(instance: models.Model, name: str) -> str:
    """A field's value as the families' history shows it."""
    value = getattr(instance, name)
    if value is None or value == "":
        return ""
    if getattr(instance._meta.get_field(name), "choices", None):
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _snapshot(instance: models.Model, names: list[str]) -> dict[str, str]:
    return {name: _display(instance, name) for name in names}


def _assign(instance: models.Model, fields: dict[str, Any], names: list[str]
            ) -> tuple[dict[str, str], dict[str, str]] | None:
    """Set `fields` on `instance`; the before and after snapshots if anything changed."""
    before = _snapshot(instance, names)
    for name, value in fields.items():
        setattr(instance, name, value)
    after = _snapshot(instance, names)
    return (before, after) if before != after else None


def _upsert_by_ref(
    *,
    model: Any,
    rows: dict[str, dict[str, Any]],
    existing: dict[str, Any],
    columns: list[str],
    entity: str,
    now: Any,
    history: list[dict[str, Any]],
    created: Callable[[Any], str],
    changed: Callable[[Any], str],
) -> tuple[dict[str, Any], list[Any], list[Any]]:
    """Create the rows whose import reference is new, update the others, in two bulk
    statements, appending a history entry for each creation and each real change."""
    by_ref: dict[str, Any] = {}
    new: list[Any] = []
    updated: list[Any] = []
    for ref, fields in rows.items():
        instance = existing.get(ref)
        if instance is None:
            instance = model(external_ref=ref, **fields)
            new.append(instance)
        else:
            diff = _assign(instance, fields, columns)
            if diff:
                instance.updated_at = now
                updated.append(instance)
                history.append(dict(entity=entity, entity_id=instance.pk,
                                    action=ChangeAction.UPDATE, before=diff[0], after=diff[1],
                                    summary=changed(instance)))
        by_ref[ref] = instance
    model.objects.bulk_create(new)
    model.objects.bulk_update(updated, [*columns, "updated_at"])
    for instance in new:
        history.append(dict(entity=entity, entity_id=instance.pk, action=ChangeAction.CREATE,
                            after=_snapshot(instance, columns), summary=created(instance)))
    return by_ref, new, updated


def _lock_imports() -> None:
    """One import at a time per commune (a second confirmation waits, then finds nothing
    left to do)."""
    transaction_advisory_lock("exchange-import")


@transaction.atomic
def import_apply(*, actor: User, plan: ImportPlan, file_name: str = "") -> ImportSummary:
    """Create or update the plan's households, guardians, children and their links, all
    or nothing; one history row per created or changed record (guardian rows on their
    household, links on the child and the household, as the families' services do).
    Raises ImportRejected, having written nothing, if the plan conflicts with the data."""
    _lock_imports()
    conflicts = import_conflicts(plan=plan)
    if conflicts:
        raise ImportRejected(conflicts)
    existing = existing_for(plan)
    now = timezone.now()
    summary = ImportSummary(file_name=file_name, user_id=actor.pk)
    history: list[dict[str, Any]] = []

    households, new_households, changed_households = _upsert_by_ref(
        model=Household, rows={ref: row.fields for ref, row in plan.households.items()},
        existing=existing.households, columns=HOUSEHOLD_COLUMNS, entity="household",
        now=now, history=history,
        created=lambda h: f"Foyer créé par import : {h.name}",
        changed=lambda h: "Foyer modifié par import",
    )
    summary.households_created, summary.households_updated = (len(new_households),
                                                              len(changed_households))
    summary.new_households = [(h.pk, h.name) for h in new_households[:50]]

    new_guardians: list[Guardian] = []
    changed_guardians: list[Guardian] = []
    first_guardian: dict[str, Guardian] = {}
    for ref, row in plan.households.items():
        household = households[ref]
        pool = list(existing.guardians.get(household.pk, [])) if household.pk else []
        for g_row in row.guardians:
            guardian = guardian_match(pool, g_row)
            if guardian is None:
                guardian = Guardian(household=household, **g_row.fields)
                new_guardians.append(guardian)
            else:
                pool.remove(guardian)
                diff = _assign(guardian, g_row.fields, GUARDIAN_COLUMNS)
                if diff:
                    changed_guardians.append(guardian)
                    history.append(dict(entity="household", entity_id=household.pk,
                                        action=ChangeAction.UPDATE, before=diff[0],
                                        after=diff[1], summary="Responsable légal modifié par "
                                        f"import : {guardian.first_name} {guardian.last_name}"))
            first_guardian.setdefault(ref, guardian)
    Guardian.objects.bulk_create(new_guardians)
    Guardian.objects.bulk_update(changed_guardians, GUARDIAN_COLUMNS)
    for guardian in new_guardians:
        history.append(dict(entity="household", entity_id=guardian.household.pk,
                            action=ChangeAction.CREATE,
                            after=_snapshot(guardian, GUARDIAN_COLUMNS),
                            summary="Responsable légal ajouté par import : "
                            f"{guardian.first_name} {guardian.last_name}"))
    billed = []
    for ref, guardian in first_guardian.items():
        household = households[ref]
        if household.billing_guardian_id is None:
            household.billing_guardian = guardian
            billed.append(household)
    Household.objects.bulk_update(billed, ["billing_guardian"])
    summary.guardians_created, summary.guardians_updated = (len(new_guardians),
                                                            len(changed_guardians))

    children, new_children, changed_children = _upsert_by_ref(
        model=Child, rows={ref: c_row.fields for ref, c_row in plan.children.items()},
        existing=existing.children, columns=CHILD_COLUMNS, entity="child",
        now=now, history=history,
        created=lambda c: f"Enfant créé par import : {c.first_name} {c.last_name.upper()}",
        changed=lambda c: f"Fiche modifiée par import : {c.first_name} {c.last_name.upper()}",
    )
    summary.children_created, summary.children_updated = (len(new_children),
                                                          len(changed_children))

    new_links: list[ChildHousehold] = []
    changed_links: list[tuple[ChildHousehold, str]] = []
    for m in plan.memberships:
        child, household = children[m.child_ref], households[m.household_ref]
        link = existing.links.get((child.pk, household.pk))
        if link is None:
            new_links.append(ChildHousehold(child=child, household=household,
                                            custody=m.custody or CustodyPattern.FULL))
        elif m.custody is not None and link.custody != m.custody:
            before = link.get_custody_display()
            link.custody = m.custody
            changed_links.append((link, before))
    ChildHousehold.objects.bulk_create(new_links)
    ChildHousehold.objects.bulk_update([link for link, _ in changed_links], ["custody"])
    for link in new_links:
        text = f"{link.child.first_name} {link.child.last_name.upper()} rattaché au foyer " \
               f"{link.household.name} par import"
        for entity, entity_id in (("child", link.child.pk), ("household", link.household.pk)):
            history.append(dict(entity=entity, entity_id=entity_id, action=ChangeAction.CREATE,
                                before={"custody": ""},
                                after={"custody": link.get_custody_display()}, summary=text))
    for link, before in changed_links:
        history.append(dict(entity="child", entity_id=link.child_id, action=ChangeAction.UPDATE,
                            before={"custody": before},
                            after={"custody": link.get_custody_display()},
                            summary=f"Garde modifiée par import ({link.household.name})"))
    summary.links_created, summary.links_updated = len(new_links), len(changed_links)

    for record in history:
        change_record(actor=actor, **record)
    summary.unchanged = (len(plan.households) - summary.households_created
                         - summary.households_updated + len(plan.children)
                         - summary.children_created - summary.children_updated)
    summary.finished_at = timezone.now()
    return summary


def import_result_keep(*, token: str, summary: ImportSummary) -> None:
    """Keep the summary for the result page (a day), then forget the staged file."""
    cache.set(_result_key(token), summary, RESULT_TTL_S)
    import_staged_discard(token=token)
