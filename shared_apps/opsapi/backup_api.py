"""Ops API for backups and restores: list and trigger backups, request a restore (202),
follow it. Thin edges over backups' services, like the console."""

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from backups import selectors as backup_selectors
from backups.restore import restore_request
from backups.services import backup_request
from shared_apps.opsapi.api import OpsView, _commune_or_404
from shared_apps.opsapi.serializers import (
    BackupSerializer,
    QueuedSerializer,
    RestoreRequestSerializer,
    RestoreSerializer,
)


class BackupListView(OpsView):
    serializer_class = BackupSerializer
    pagination_class = None

    def get(self, request: Request, slug: str) -> Response:
        """The commune's latest 50 backup attempts, newest first."""
        commune = _commune_or_404(slug)
        return Response(BackupSerializer(backup_selectors.backups_for(commune), many=True).data)

    @extend_schema(request=None, responses={202: QueuedSerializer})
    def post(self, request: Request, slug: str) -> Response:
        """Back up the commune now (a worker takes it; it then appears in the list)."""
        backup_request(actor=request.user, commune=_commune_or_404(slug))
        return Response({"detail": "Sauvegarde demandée."}, status=status.HTTP_202_ACCEPTED)


class RestoreCreateView(OpsView):
    serializer_class = RestoreSerializer

    @extend_schema(request=RestoreRequestSerializer, responses={202: RestoreSerializer})
    def post(self, request: Request, slug: str) -> Response:
        """Restore the commune from `backup_id` (or the latest before `at`, or the latest),
        replacing it, or as the separate commune `new_slug`; `confirmation` repeats the
        slug. Follow it at /restaurations/{id}/."""
        commune = _commune_or_404(slug)
        serializer = RestoreRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        if data["confirmation"].strip() != commune.slug:
            raise ValidationError(f"Tapez « {commune.slug} » dans « confirmation » pour confirmer.")
        record = restore_request(
            actor=request.user,
            commune=commune,
            backup_id=data.get("backup_id"),
            at=data.get("at"),
            new_slug=data.get("new_slug", "").strip(),
            drop_previous=data.get("drop_previous", False),
        )
        return Response(RestoreSerializer(record).data, status=status.HTTP_202_ACCEPTED)


class RestoreDetailView(OpsView):
    serializer_class = RestoreSerializer

    def get(self, request: Request, restore_id: int) -> Response:
        record = backup_selectors.restore_get(record_id=restore_id)
        if record is None:
            raise NotFound("Restauration inconnue.")
        return Response(RestoreSerializer(record).data)
