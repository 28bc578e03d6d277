"""Tariffs: saving them (services) and turning rows into pure pricing rules."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from tenant_apps.accounts.access import BILLING_ROLES
from tenant_apps.accounts.models import User
from tenant_apps.billing import pricing
from tenant_apps.billing.models import Tariff, TariffBracket
from tenant_apps.catalog.models import Service

TARIFF_FIELDS = (
    "label", "effective_from", "effective_to", "kind", "amount_cents", "effort_rate_percent",
    "floor_cents", "ceiling_cents", "non_resident_cents", "pai_cents",
    "sibling_discount_percent", "unbooked_presence_penalty_cents",
    "late_cancel_penalty_cents", "bill_unjustified_absence",
)
ROLE_REFUSED = "Votre rôle ne permet pas de modifier les tarifs."


def rule_of(tariff: Tariff, brackets: Sequence[TariffBracket] | None = None) -> pricing.TariffRule:
    """The pure pricing rule of a tariff row (brackets prefetched or given)."""
    rows = list(brackets) if brackets is not None else list(tariff.brackets.all())
    return pricing.TariffRule(
        kind=tariff.kind,
        amount_cents=tariff.amount_cents,
        brackets=tuple(pricing.Bracket(b.qf_max, b.amount_cents) for b in rows),
        effort_rate_percent=Decimal(tariff.effort_rate_percent),
        floor_cents=tariff.floor_cents,
        ceiling_cents=tariff.ceiling_cents,
        non_resident_cents=tariff.non_resident_cents,
        pai_cents=tariff.pai_cents,
        sibling_discount_percent=Decimal(tariff.sibling_discount_percent),
        unbooked_presence_penalty_cents=tariff.unbooked_presence_penalty_cents,
        late_cancel_penalty_cents=tariff.late_cancel_penalty_cents,
        bill_unjustified_absence=tariff.bill_unjustified_absence,
    )


def _overlapping(service: Service, start: date, end: date | None, exclude: int | None) -> bool:
    others = Tariff.objects.filter(service=service)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if end is not None:
        others = others.filter(effective_from__lte=end)
    return others.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start)).exists()


def _check(service: Service, fields: dict[str, Any], brackets: Sequence[pricing.Bracket],
           exclude: int | None) -> None:
    start, end = fields["effective_from"], fields.get("effective_to")
    if end is not None and end < start:
        raise ValidationError({"effective_to": "La date de fin précède la date de début."})
    rule = pricing.TariffRule(
        kind=fields["kind"], amount_cents=fields.get("amount_cents") or 0,
        brackets=tuple(brackets),
        effort_rate_percent=Decimal(fields.get("effort_rate_percent") or 0),
        floor_cents=fields.get("floor_cents") or 0, ceiling_cents=fields.get("ceiling_cents") or 0,
        non_resident_cents=fields.get("non_resident_cents"), pai_cents=fields.get("pai_cents"),
        sibling_discount_percent=Decimal(fields.get("sibling_discount_percent") or 0),
    )
    problems = pricing.tariff_problems(rule)
    if problems:
        raise ValidationError(problems)
    # The service row lock serialises concurrent saves of this service's tariffs.
    Service.objects.select_for_update().get(pk=service.pk)
    if _overlapping(service, start, end, exclude):
        raise ValidationError({"effective_from": (
            "Cette période chevauche un autre tarif de la prestation : terminez d'abord "
            "l'ancien tarif (date de fin) ou choisissez d'autres dates.")})


def _write_brackets(tariff: Tariff, brackets: Sequence[pricing.Bracket]) -> None:
    TariffBracket.objects.filter(tariff=tariff).delete()
    if tariff.kind == pricing.QF_BRACKETS:
        TariffBracket.objects.bulk_create(
            TariffBracket(tariff=tariff, qf_max=b.qf_max, amount_cents=b.amount_cents)
            for b in brackets
        )


def _require_role(acting_user: User) -> None:
    if acting_user.role not in BILLING_ROLES:
        raise ValidationError(ROLE_REFUSED)


@transaction.atomic
def tariff_create(*, service: Service, fields: dict[str, Any],
                  brackets: Sequence[pricing.Bracket] = (), acting_user: User) -> Tariff:
    """Create a tariff for `service`; refuses overlapping periods and invalid amounts."""
    _require_role(acting_user)
    _check(service, fields, brackets, exclude=None)
    tariff = Tariff.objects.create(service=service,
                                   **{k: v for k, v in fields.items() if k in TARIFF_FIELDS})
    _write_brackets(tariff, brackets)
    return tariff


@transaction.atomic
def tariff_update(*, tariff: Tariff, fields: dict[str, Any],
                  brackets: Sequence[pricing.Bracket] = (), acting_user: User) -> Tariff:
    """Change a tariff. Invoices already computed keep their amounts (drafts are
    recomputed by re-running the campaign)."""
    _require_role(acting_user)
    _check(tariff.service, fields, brackets, exclude=tariff.pk)
    for name in TARIFF_FIELDS:
        if name in fields:
            setattr(tariff, name, fields[name])
    tariff.save()
    _write_brackets(tariff, brackets)
    return tariff


def tariff_on(service_id: int, day: date) -> Tariff | None:
    """The tariff of a service in force on `day`, with its brackets."""
    return (
        Tariff.objects.filter(service_id=service_id, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .prefetch_related("brackets").first()
    )


def tariffs_covering(service_ids: Sequence[int], start: date, end: date) -> list[Tariff]:
    """Every tariff of these services in force on at least one day of [start, end]."""
    return list(
        Tariff.objects.filter(service_id__in=service_ids, effective_from__lte=end)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
        .prefetch_related("brackets")
    )
