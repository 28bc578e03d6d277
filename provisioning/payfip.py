"""A commune's PayFiP settings read and written from the control plane (issue 8).

The only way the console and the ops API reach PayfipSettings: enter the commune's schema,
validate with the back office's own form (same French messages), save, come back to public
and record the operator's action in the audit log."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django_tenants.utils import schema_exists

from shared_apps.audit.services import operator_action_record
from tenant_apps.payments.forms import PayfipSettingsForm
from tenant_apps.payments.models import PayfipMode, PayfipSettings
from tenants.db import use_commune, use_public
from tenants.models import Commune

MODE_CHOICES: list[tuple[str, str]] = [(str(v), str(label)) for v, label in PayfipMode.choices]
FIELDS = ("enabled", "client_number", "mode", "label_prefix")


@dataclass(frozen=True)
class PayfipState:
    """What the control plane shows of a commune's PayFiP contract."""

    enabled: bool
    client_number: str
    mode: str
    mode_label: str

    @classmethod
    def of(cls, row: PayfipSettings) -> "PayfipState":
        return cls(
            enabled=row.enabled,
            client_number=row.client_number,
            mode=row.mode,
            mode_label=str(row.get_mode_display()),
        )


def _row() -> PayfipSettings:
    row, _ = PayfipSettings.objects.get_or_create(singleton=True)
    return row


def commune_payfip_get(*, commune: Commune) -> PayfipState | None:
    """The commune's PayFiP settings, or None while its schema does not exist yet."""
    if not schema_exists(commune.schema_name):
        return None
    try:
        use_commune(commune)
        return PayfipState.of(_row())
    finally:
        use_public()


def commune_payfip_set(
    *, commune: Commune, client_number: str, mode: str, actor: Any, enabled: bool | None = None
) -> PayfipState:
    """Change the commune's PayFiP client number, mode and (optionally) activation.

    Validated by the back office's PayfipSettingsForm; a ValidationError (French, keyed by
    field) leaves everything unchanged. Audited as "payfip.update"."""
    if not schema_exists(commune.schema_name):
        raise ValidationError("La commune n'est pas encore créée : réessayez plus tard.")
    with transaction.atomic():
        try:
            use_commune(commune)
            row = PayfipSettings.objects.select_for_update().filter(singleton=True).first()
            row = row or _row()
            before = PayfipState.of(row)
            data: dict[str, Any] = model_to_dict(row, fields=FIELDS)
            data.update(client_number=client_number, mode=mode)
            if enabled is not None:
                data["enabled"] = enabled
            form = PayfipSettingsForm(data=data, instance=row)
            if not form.is_valid():
                raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
            saved = form.save(commit=False)
            saved.updated_by = None  # an operator has no account in the commune's schema
            saved.save()
            after = PayfipState.of(saved)
        finally:
            use_public()
        operator_action_record(
            actor=actor,
            action="payfip.update",
            commune_slug=commune.slug,
            detail={
                "numéro client": f"{before.client_number or '—'} → {after.client_number or '—'}",
                "mode": f"{before.mode} → {after.mode}",
                "activé": f"{'oui' if before.enabled else 'non'} → "
                f"{'oui' if after.enabled else 'non'}",
            },
        )
    return after
