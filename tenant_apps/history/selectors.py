from django.db.models import QuerySet

from tenant_apps.history.models import ChangeRecord


def history_for(*, entity: str, entity_id: int, limit: int = 100) -> QuerySet[ChangeRecord]:
    return ChangeRecord.objects.filter(entity=entity, entity_id=entity_id)[:limit]
