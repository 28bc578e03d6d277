from django.db.models import Count, QuerySet

from tenant_apps.outbox.models import OutboxMessage, OutboxStatus


def outbox_recent(*, limit: int = 100) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.order_by("-created_at")[:limit]


def outbox_counts() -> dict[str, int]:
    rows = OutboxMessage.objects.values("status").annotate(n=Count("pk"))
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
