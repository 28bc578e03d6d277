from typing import Any

from shared_apps.audit.models import OperatorAction


def operator_action_record(
    *, actor: Any, action: str, commune_slug: str = "", detail: dict[str, Any] | None = None
) -> OperatorAction:
    """Append one audit row; called inside the transaction of the action it records."""
    return OperatorAction.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_email=getattr(actor, "email", "") or "system@localhost",
        action=action,
        commune_slug=commune_slug,
        detail=detail or {},
    )
