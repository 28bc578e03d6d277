"""Reads of online payments: settings, operations for agents and for a guardian."""

from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tenant_apps.accounts.models import User
from tenant_apps.billing.selectors import guardian_households
from tenant_apps.payments import rules
from tenant_apps.payments.models import OperationStatus, PayfipOperation, PayfipSettings

# What an agent should do about each state (shown next to the operation).
WHAT_TO_DO = {
    rules.PENDING: "Rien : PayFiP est interrogé automatiquement toutes les 5 minutes.",
    rules.PAID: "Rien : le paiement est enregistré sur la facture.",
    rules.REFUSED: "Rien : la facture reste à payer ; la famille peut réessayer.",
    rules.ABANDONED: "Rien : la famille a abandonné ; la facture reste à payer.",
    rules.EXPIRED: "Rien : la tentative n'a pas abouti ; la facture reste à payer.",
    rules.ANOMALY: "Vérifier dans l'espace PayFiP de la DGFiP, puis enregistrer le "
                   "paiement à la main, rembourser la famille ou le garder en avoir ; "
                   "marquer ensuite l'anomalie comme traitée.",
}


def payfip_settings_get() -> PayfipSettings:
    row, _ = PayfipSettings.objects.get_or_create(singleton=True)
    return row


def online_payment_available() -> bool:
    row = PayfipSettings.objects.filter(singleton=True).first()
    return bool(row and row.enabled and rules.NUMCLI_RE.match(row.client_number))


def operations_list(*, status: str = "", open_anomalies: bool = False
                    ) -> QuerySet[PayfipOperation]:
    qs = PayfipOperation.objects.select_related("household", "invoice", "payment")
    if status:
        qs = qs.filter(status=status)
    if open_anomalies:
        qs = qs.filter(status=OperationStatus.ANOMALY, resolved_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def operations_counts() -> dict[str, int]:
    counts = dict(PayfipOperation.objects.values_list("status").annotate(n=Count("id"))
                  .values_list("status", "n"))
    counts["open_anomalies"] = PayfipOperation.objects.filter(
        status=OperationStatus.ANOMALY, resolved_at__isnull=True).count()
    counts["stale"] = PayfipOperation.objects.filter(
        status=OperationStatus.PENDING,
        created_at__lt=timezone.now() - rules.STALE_ALERT).count()
    return counts


def operation_get(*, pk: int) -> PayfipOperation:
    operation = PayfipOperation.objects.select_related(
        "household", "invoice", "payment").filter(pk=pk).first()
    if operation is None:
        raise Http404
    return operation


def operation_by_id_op(id_op: str) -> PayfipOperation | None:
    if not id_op or not rules.IDOP_RE.match(id_op):
        return None
    return PayfipOperation.objects.filter(id_op=id_op).first()


def guardian_operation(user: Any, id_op: str) -> PayfipOperation | None:
    """The operation if it belongs to one of the signed-in guardian's households."""
    operation = operation_by_id_op(id_op)
    if operation is None or not isinstance(user, User) or not user.is_authenticated:
        return None
    if operation.household_id not in guardian_households(user):
        return None
    return operation


def operations_to_reconcile(*, checked_before: Any, limit: int = 500
                            ) -> list[PayfipOperation]:
    """Pending operations not checked since `checked_before` (oldest checks first), and
    abandoned ones still young enough for a late payment (§2.7)."""
    young = timezone.now() - rules.ATTEMPT_LIFETIME
    qs = PayfipOperation.objects.filter(
        Q(status=OperationStatus.PENDING)
        | Q(status=OperationStatus.ABANDONED, created_at__gte=young),
    ).filter(Q(checked_at__isnull=True) | Q(checked_at__lt=checked_before))
    return list(qs.order_by(F("checked_at").asc(nulls_first=True), "id")[:limit])
