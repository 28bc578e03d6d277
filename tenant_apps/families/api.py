"""Families API (/api/v1/foyers/, /api/v1/enfants/): agents read, editors write.

Fields the caller may not see (medical data, household finances: see
tenant_apps.families.access) are left out of every answer, not blanked."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.accounts.access import acting_user
from tenant_apps.families import selectors, services
from tenant_apps.families.access import family_access
from tenant_apps.families.models import Child, CustodyPattern, Guardian, Household

NOT_FOUND = "Introuvable."


class FamilyPermission(BasePermission):
    """Reading needs a back-office role; writing needs an editor role (family_access)."""

    message = "Votre rôle ne permet pas cette action."

    def has_permission(self, request: Request, view: Any) -> bool:
        access = family_access(request.user)
        return access.edit if request.method not in SAFE_METHODS else access.view


class AccessFilteredSerializer(serializers.ModelSerializer):
    """Drops the fields the requesting user may not see."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        hidden = family_access(getattr(request, "user", None)).hidden_fields()
        return {name: f for name, f in fields.items() if name not in hidden}


class GuardianSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guardian
        fields = ["id", "civility", "last_name", "first_name", "relationship", "email",
                  "phone_mobile", "phone_home", "phone_work"]


class MembershipChildSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="child.id")
    first_name = serializers.CharField(source="child.first_name")
    last_name = serializers.CharField(source="child.last_name")
    birth_date = serializers.DateField(source="child.birth_date")
    custody = serializers.CharField()


class HouseholdSerializer(AccessFilteredSerializer):
    guardians = GuardianSerializer(many=True, read_only=True)
    children = MembershipChildSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Household
        fields = ["id", "name", "address", "postcode", "city", "is_resident",
                  "allowance_scheme", "allowance_number", "quotient_familial",
                  "qf_valid_from", "qf_valid_until", "billing_guardian", "notes",
                  "guardians", "children", "updated_at"]
        read_only_fields = ["billing_guardian", "updated_at"]


class HouseholdWriteSerializer(AccessFilteredSerializer):
    class Meta:
        model = Household
        fields = [f for f in services.HOUSEHOLD_FIELDS if f != "billing_guardian"]


class MembershipSerializer(serializers.Serializer):
    household = serializers.IntegerField(source="household_id")
    household_name = serializers.CharField(source="household.name")
    custody = serializers.CharField()


CHILD_READ_FIELDS = ["id", *services.CHILD_FIELDS, "households", "updated_at"]


class ChildSerializer(AccessFilteredSerializer):
    households = MembershipSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Child
        fields = CHILD_READ_FIELDS


class ChildWriteSerializer(AccessFilteredSerializer):
    class Meta:
        model = Child
        fields = services.CHILD_FIELDS


class ChildCreateSerializer(ChildWriteSerializer):
    household = serializers.IntegerField(write_only=True)
    custody = serializers.ChoiceField(choices=CustodyPattern.choices,
                                      default=CustodyPattern.FULL, write_only=True)

    class Meta(ChildWriteSerializer.Meta):
        fields = [*services.CHILD_FIELDS, "household", "custody"]



def _service_errors(error: DjangoValidationError) -> DRFValidationError:
    """A service's French errors, per field when it names one."""
    if hasattr(error, "error_dict"):
        return DRFValidationError(error.message_dict)
    return DRFValidationError({"detail": error.messages})


def _page(request: Request, view: APIView, queryset: Any, serializer: type) -> Response:
    paginator = LimitOffsetPagination()
    rows = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(
        serializer(rows, many=True, context={"request": request}).data
    )


SEARCH_PARAMS = [
    OpenApiParameter("q", str, description="Nom (sans tenir compte des accents), courriel, "
                                           "téléphone"),
    OpenApiParameter("ecole", int, description="Identifiant d'école (année en cours)"),
    OpenApiParameter("classe", int, description="Identifiant de classe"),
    OpenApiParameter("prestation", int, description="Inscrits à cette prestation"),
]


def _filters(request: Request) -> selectors.ListFilters:
    def number(name: str) -> int | None:
        value = request.query_params.get(name, "")
        return int(value) if value.isdigit() else None

    return selectors.ListFilters(
        search=request.query_params.get("q", "").strip()[:100],
        school_id=number("ecole"), class_id=number("classe"),
        service_id=number("prestation"),
        qf=request.query_params.get("qf", ""),
    )


class HouseholdListApi(APIView):
    permission_classes = [FamilyPermission]

    @extend_schema(summary="Foyers (recherche, filtres)", parameters=[
        *SEARCH_PARAMS, OpenApiParameter("qf", str, enum=list(selectors.QF_FILTERS))],
        responses=HouseholdSerializer(many=True))
    def get(self, request: Request) -> Response:
        access = family_access(request.user)
        households = selectors.household_list(access=access, filters=_filters(request))
        return _page(request, self, households, HouseholdSerializer)

    @extend_schema(summary="Créer un foyer", request=HouseholdWriteSerializer,
                   responses={201: HouseholdSerializer})
    def post(self, request: Request) -> Response:
        data = HouseholdWriteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            household = services.household_create(actor=acting_user(request), **data.validated_data)
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        return Response(HouseholdSerializer(household, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class HouseholdDetailApi(APIView):
    permission_classes = [FamilyPermission]

    def _get(self, household_id: int) -> Household:
        detail = selectors.household_detail(household_id=household_id)
        if detail is None:
            raise NotFound(NOT_FOUND)
        return detail.household

    @extend_schema(summary="Un foyer", responses=HouseholdSerializer)
    def get(self, request: Request, household_id: int) -> Response:
        return Response(HouseholdSerializer(self._get(household_id),
                                            context={"request": request}).data)

    @extend_schema(summary="Modifier un foyer", request=HouseholdWriteSerializer,
                   responses=HouseholdSerializer)
    def patch(self, request: Request, household_id: int) -> Response:
        household = self._get(household_id)
        data = HouseholdWriteSerializer(household, data=request.data, partial=True,
                                        context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            services.household_update(actor=acting_user(request), household=household,
                                      **data.validated_data)
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        return Response(HouseholdSerializer(self._get(household_id),
                                            context={"request": request}).data)


class ChildListApi(APIView):
    permission_classes = [FamilyPermission]

    @extend_schema(summary="Enfants (recherche, filtres)", parameters=SEARCH_PARAMS,
                   responses=ChildSerializer(many=True))
    def get(self, request: Request) -> Response:
        access = family_access(request.user)
        children = selectors.child_list(access=access, filters=_filters(request))
        return _page(request, self, children, ChildSerializer)

    @extend_schema(summary="Créer un enfant dans un foyer", request=ChildCreateSerializer,
                   responses={201: ChildSerializer})
    def post(self, request: Request) -> Response:
        data = ChildCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        household = Household.objects.filter(pk=fields.pop("household")).first()
        if household is None:
            raise DRFValidationError({"household": ["Foyer introuvable."]})
        try:
            child = services.child_create(actor=acting_user(request), household=household,
                                          **fields)
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        return Response(ChildDetailApi.read(request, child.pk), status=status.HTTP_201_CREATED)


class ChildDetailApi(APIView):
    permission_classes = [FamilyPermission]

    @staticmethod
    def read(request: Request, child_id: int) -> dict[str, Any]:
        detail = selectors.child_detail(child_id=child_id, access=family_access(request.user))
        if detail is None:
            raise NotFound(NOT_FOUND)
        return dict(ChildSerializer(detail.child, context={"request": request}).data)

    @extend_schema(summary="Un enfant", responses=ChildSerializer)
    def get(self, request: Request, child_id: int) -> Response:
        return Response(self.read(request, child_id))

    @extend_schema(summary="Modifier un enfant", request=ChildWriteSerializer,
                   responses=ChildSerializer)
    def patch(self, request: Request, child_id: int) -> Response:
        child = Child.objects.filter(pk=child_id).first()
        if child is None:
            raise NotFound(NOT_FOUND)
        data = ChildWriteSerializer(child, data=request.data, partial=True,
                                    context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            services.child_update(actor=acting_user(request), child=child, **data.validated_data)
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        return Response(self.read(request, child_id))
