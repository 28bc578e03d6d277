"""Billing API (/api/v1/facturation/): price preview, invoices (read only).

Back-office billing readers see every invoice; a guardian sees the price preview for
their own children and their own households' issued invoices. Other children, invoices
and communes answer 404 (missing and forbidden alike)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.accounts.access import acting_user
from tenant_apps.accounts.models import AGENT_ROLES, Role
from tenant_apps.billing import selectors
from tenant_apps.billing.models import Invoice, InvoiceStatus
from tenant_apps.catalog.models import Service
from tenant_apps.families.access import FINANCE_READER_ROLES
from tenant_apps.families.models import Child, ChildHousehold

NOT_FOUND = "Introuvable."


class PreviewPermission(BasePermission):
    message = "Votre rôle ne permet pas cette action."

    def has_permission(self, request: Request, view: Any) -> bool:
        return getattr(request.user, "role", None) in AGENT_ROLES | {Role.GUARDIAN}


class InvoiceReadPermission(BasePermission):
    message = "Votre rôle ne permet pas cette action."

    def has_permission(self, request: Request, view: Any) -> bool:
        return getattr(request.user, "role", None) in FINANCE_READER_ROLES | {Role.GUARDIAN}


class PreviewQuerySerializer(serializers.Serializer):
    enfant = serializers.IntegerField(min_value=1)
    prestation = serializers.IntegerField(min_value=1)
    jour = serializers.DateField()


class PreviewSerializer(serializers.Serializer):
    unit_cents = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    reasons = serializers.ListField(child=serializers.CharField())


class LineSerializer(serializers.Serializer):
    child = serializers.IntegerField(source="child_id", allow_null=True)
    service = serializers.IntegerField(source="service_id", allow_null=True)
    day = serializers.DateField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    quantity = serializers.IntegerField()
    unit_cents = serializers.IntegerField()
    total_cents = serializers.IntegerField()


class InvoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    status = serializers.CharField()
    household = serializers.IntegerField(source="household_id")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    total_cents = serializers.IntegerField()
    paid_cents = serializers.IntegerField()
    due_cents = serializers.IntegerField()
    parent_status = serializers.CharField()
    parent_status_label = serializers.CharField()
    issued_at = serializers.DateTimeField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = LineSerializer(many=True, source="lines.all")


def _visible_invoices(request: Request) -> Any:
    user = acting_user(request)
    qs = Invoice.objects.all()
    if user.role == Role.GUARDIAN:
        qs = qs.filter(household_id__in=selectors.guardian_households(user),
                       status=InvoiceStatus.ISSUED)
    return selectors.with_amounts(qs)


class PricePreviewApi(APIView):
    permission_classes = [PreviewPermission]

    @extend_schema(
        summary="Prix d'une réservation avant de la faire",
        parameters=[
            OpenApiParameter("enfant", int, required=True),
            OpenApiParameter("prestation", int, required=True),
            OpenApiParameter("jour", OpenApiTypes.DATE, required=True),
        ],
        responses=PreviewSerializer,
    )
    def get(self, request: Request) -> Response:
        query = PreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = acting_user(request)
        children = Child.objects.all()
        if user.role == Role.GUARDIAN:
            children = children.filter(pk__in=ChildHousehold.objects.filter(
                household_id__in=selectors.guardian_households(user)).values("child_id"))
        child = children.filter(pk=query.validated_data["enfant"]).first()
        if child is None or not Service.objects.filter(
                pk=query.validated_data["prestation"]).exists():
            raise NotFound(NOT_FOUND)
        preview = selectors.price_preview(child, query.validated_data["prestation"],
                                          query.validated_data["jour"])
        return Response(PreviewSerializer({"unit_cents": preview.unit_cents,
                                           "label": preview.label,
                                           "reasons": list(preview.reasons)}).data)


class InvoiceListApi(APIView):
    permission_classes = [InvoiceReadPermission]

    @extend_schema(summary="Factures (200 dernières)",
                   parameters=[OpenApiParameter("statut", str, required=False)],
                   responses=InvoiceSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs = _visible_invoices(request)
        status = request.query_params.get("statut", "")
        if status in InvoiceStatus.values:
            qs = qs.filter(status=status)
        invoices = selectors.decorate(list(qs.order_by("-period_start", "-id")[:200]))
        return Response(InvoiceSerializer(invoices, many=True).data)


class InvoiceDetailApi(APIView):
    permission_classes = [InvoiceReadPermission]

    @extend_schema(summary="Une facture et ses lignes", responses=InvoiceDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        invoice = _visible_invoices(request).filter(pk=pk).first()
        if invoice is None:
            raise NotFound(NOT_FOUND)
        selectors.decorate([invoice])
        return Response(InvoiceDetailSerializer(invoice).data)
