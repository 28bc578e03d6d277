"""Recording changes; called by each app's services inside their transaction."""

from typing import Any

from django.db import models

from tenant_apps.history.models import ChangeAction, ChangeRecord


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, str]:
    """Displayable values of `fields` of `instance`, to diff before and after a change."""
    return {name: _display(getattr(instance, name)) for name in fields}


def change_record(
    *,
    actor: Any,
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, str] | None = None,
    after: dict[str, str] | None = None,
    summary: str = "",
) -> ChangeRecord | None:
    """Append a history row with the fields whose value changed; nothing if none did."""
    before, after = before or {}, after or {}
    changes = {
        name: [before.get(name, ""), after.get(name, "")]
        for name in sorted(set(before) | set(after))
        if before.get(name, "") != after.get(name, "")
    }
    if action == ChangeAction.UPDATE and not changes:
        return None
    return ChangeRecord.objects.create(
        entity=entity,
        entity_id=entity_id,
        action=action,
        changes=changes,
        summary=summary[:250],
        actor_id=getattr(actor, "pk", None),
        actor_email=getattr(actor, "email", "") or "",
    )
