"""Schooling API: school years, schools, classes (agents read, editors write)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tenant_apps.backoffice.api_support import AgentReadEditorWrite, through_service
from tenant_apps.schooling import services
from tenant_apps.schooling.models import Level, School, SchoolClass, SchoolYear


class SchoolYearSerializer(serializers.ModelSerializer):
    make_current = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text="En faire l'année en cours (la première année créée l'est toujours).",
    )

    class Meta:
        model = SchoolYear
        fields = ["id", "label", "starts_on", "ends_on", "is_current", "make_current"]
        read_only_fields = ["is_current"]
        # The service checks uniqueness, with a French message.
        extra_kwargs: dict[str, Any] = {"label": {"validators": []}}


class SchoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = ["id", "name", "kind", "address", "active"]
        extra_kwargs: dict[str, Any] = {"name": {"validators": []}}


class SchoolClassSerializer(serializers.ModelSerializer):
    levels = serializers.ListField(
        child=serializers.ChoiceField(choices=Level.choices), required=False, default=list
    )

    class Meta:
        model = SchoolClass
        fields = ["id", "school", "school_year", "name", "levels"]
        validators: list[Any] = []  # uniqueness is the service's, with a French message

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if self.instance is not None:  # a class never changes school or year
            fields["school"].read_only = True
            fields["school_year"].read_only = True
        return fields


class _Base(viewsets.GenericViewSet):
    permission_classes = [AgentReadEditorWrite]


@extend_schema_view(
    list=extend_schema(summary="Années scolaires"),
    create=extend_schema(summary="Créer une année scolaire"),
)
class SchoolYearViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _Base
):
    serializer_class = SchoolYearSerializer
    queryset = SchoolYear.objects.order_by("-starts_on")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = through_service(
            services.school_year_create, **serializer.validated_data, actor=self.request.user
        )

    @extend_schema(request=None, responses=SchoolYearSerializer,
                   summary="En faire l'année en cours")
    @action(detail=True, methods=["post"], url_path="courante")
    def make_current(self, request: Request, pk: str | None = None) -> Response:
        year = services.school_year_set_current(school_year=self.get_object(),
                                                actor=request.user)
        return Response(SchoolYearSerializer(year).data)


class SchoolViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, _Base,
):
    """Schools; deactivate one with PATCH {"active": false}."""

    serializer_class = SchoolSerializer
    queryset = School.objects.order_by("name")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("active", None)
        serializer.instance = through_service(
            services.school_create, **data, actor=self.request.user
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        school = serializer.instance
        fields = {f: getattr(school, f) for f in services.SCHOOL_FIELDS}
        fields.update(serializer.validated_data)
        serializer.instance = through_service(
            services.school_update, school=school, **fields, actor=self.request.user
        )


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("ecole", int, description="Identifiant de l'école"),
    OpenApiParameter("annee", int, description="Identifiant de l'année scolaire"),
]))
class SchoolClassViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, _Base,
):
    serializer_class = SchoolClassSerializer

    def get_queryset(self) -> QuerySet[SchoolClass]:
        classes = SchoolClass.objects.order_by("school__name", "name")
        for param, field in (("ecole", "school_id"), ("annee", "school_year_id")):
            raw = self.request.query_params.get(param)
            if raw:
                if not raw.isdigit():
                    raise serializers.ValidationError({param: "Identifiant invalide."})
                classes = classes.filter(**{field: int(raw)})
        return classes

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = through_service(
            services.school_class_create, **serializer.validated_data, actor=self.request.user
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        school_class = serializer.instance
        assert isinstance(school_class, SchoolClass)  # noqa: S101 (an update has an instance)
        data = serializer.validated_data
        serializer.instance = through_service(
            services.school_class_update, school_class=school_class,
            name=data.get("name", school_class.name),
            levels=data.get("levels", school_class.levels), actor=self.request.user,
        )
