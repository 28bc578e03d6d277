"""Bookings API (/api/v1/reservations/): a child's week of cells, book and cancel.

Back-office roles read; editors (administrator, agent) book and cancel, also past the
deadline (then logged). Guardians will use it with the portal. Every refusal is a
French 4xx JSON answer."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.accounts.access import EDITOR_ROLES, acting_user
from tenant_apps.accounts.models import AGENT_ROLES
from tenant_apps.bookings import selectors, services
from tenant_apps.bookings.models import Booking
from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Child

NOT_FOUND = "Introuvable."


class BookingPermission(BasePermission):
    """Reading needs a back-office role; booking and cancelling an editor role."""

    message = "Votre rôle ne permet pas cette action."

    def has_permission(self, request: Request, view: Any) -> bool:
        role = getattr(request.user, "role", None)
        return role in (AGENT_ROLES if request.method in SAFE_METHODS else EDITOR_ROLES)


class WeekQuerySerializer(serializers.Serializer):
    enfant = serializers.IntegerField(min_value=1)
    semaine = serializers.DateField()


class CellSerializer(serializers.Serializer):
    day = serializers.DateField()
    state = serializers.CharField(source="status.state")
    can_book = serializers.BooleanField(source="status.can_book")
    can_cancel = serializers.BooleanField(source="status.can_cancel")
    book_state = serializers.CharField(source="status.book_state")
    locked = serializers.BooleanField(source="status.locked")
    past_deadline = serializers.BooleanField(source="status.past_deadline")
    reason = serializers.CharField(source="status.reason")


class ServiceWeekSerializer(serializers.Serializer):
    service = serializers.IntegerField(source="service.pk")
    name = serializers.CharField(source="service.name")
    booking_deadline = serializers.CharField(source="service.booking_deadline_label")
    cancel_deadline = serializers.CharField(source="service.cancel_deadline_label")
    household = serializers.IntegerField(source="household_id")
    cells = CellSerializer(many=True)


class WeekSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    week = serializers.DateField()
    services = ServiceWeekSerializer(many=True)


class CellRequestSerializer(serializers.Serializer):
    enfant = serializers.IntegerField(min_value=1)
    prestation = serializers.IntegerField(min_value=1)
    jour = serializers.DateField()


class BookingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Booking
        fields = ["id", "child", "service", "household", "day", "state", "waiting_since",
                  "invoiced", "updated_at"]


def _child(child_id: int) -> Child:
    child = Child.objects.filter(pk=child_id).first()
    if child is None:
        raise NotFound(NOT_FOUND)
    return child


class WeekApi(APIView):
    permission_classes = [BookingPermission]

    @extend_schema(
        summary="Semaine de réservations d'un enfant",
        parameters=[
            OpenApiParameter("enfant", int, required=True, description="Identifiant de l'enfant"),
            OpenApiParameter("semaine", OpenApiTypes.DATE, required=True,
                             description="Un jour de la semaine (AAAA-MM-JJ)"),
        ],
        responses=WeekSerializer,
    )
    def get(self, request: Request) -> Response:
        query = WeekQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        child = _child(query.validated_data["enfant"])
        day = query.validated_data["semaine"]
        monday = day - timedelta(days=day.isoweekday() - 1)
        weeks = selectors.week_cells(child=child, monday=monday, actor=request.user)
        return Response(WeekSerializer({"child": child.pk, "week": monday,
                                        "services": weeks}).data)


class _CellActionApi(APIView):
    permission_classes = [BookingPermission]

    def _act(self, request: Request, *, cancel: bool) -> Response:
        data = CellRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        child = _child(data.validated_data["enfant"])
        service = Service.objects.filter(pk=data.validated_data["prestation"]).first()
        if service is None:
            raise NotFound(NOT_FOUND)
        action = services.booking_cancel if cancel else services.booking_book
        try:
            booking = action(child=child, service=service, day=data.validated_data["jour"],
                             actor=acting_user(request))
        except DjangoValidationError as error:
            raise DRFValidationError({"detail": error.messages}) from error
        return Response(BookingSerializer(booking).data)


class BookApi(_CellActionApi):
    @extend_schema(summary="Réserver une case (liste d'attente si complet)",
                   request=CellRequestSerializer, responses=BookingSerializer)
    def post(self, request: Request) -> Response:
        return self._act(request, cancel=False)


class CancelApi(_CellActionApi):
    @extend_schema(summary="Annuler une réservation", request=CellRequestSerializer,
                   responses=BookingSerializer)
    def post(self, request: Request) -> Response:
        return self._act(request, cancel=True)
