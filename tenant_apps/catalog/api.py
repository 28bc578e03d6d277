"""Catalog API: services (prestations) and registrations (inscriptions)."""

from typing import Any

from django.db.models import F, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from tenant_apps.backoffice.api_support import AgentReadEditorWrite, through_service
from tenant_apps.catalog import services
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.catalog.weekdays import WEEKDAY_SHORT
from tenant_apps.schooling.models import School, SchoolYear
from tenant_apps.schooling.selectors import school_year_current


class ServiceSerializer(serializers.ModelSerializer):
    weekdays = serializers.ListField(
        child=serializers.ChoiceField(choices=list(WEEKDAY_SHORT.items())), allow_empty=False,
        help_text="Jours ISO : 1 = lundi … 7 = dimanche.",
    )
    schools = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=School.objects.all()
    )
    booking_deadline_label = serializers.CharField(read_only=True)
    cancel_deadline_label = serializers.CharField(read_only=True)
    book_days_before = serializers.IntegerField(min_value=0, max_value=services.MAX_DAYS_BEFORE)
    cancel_days_before = serializers.IntegerField(
        min_value=0, max_value=services.MAX_DAYS_BEFORE
    )

    class Meta:
        model = Service
        fields = ["id", *services.SERVICE_FIELDS, "schools",
                  "booking_deadline_label", "cancel_deadline_label"]
        extra_kwargs: dict[str, Any] = {"name": {"validators": []}}


class RegistrationSerializer(serializers.ModelSerializer):
    school_year = serializers.PrimaryKeyRelatedField(
        queryset=SchoolYear.objects.all(), required=False,
        help_text="Par défaut, l'année scolaire en cours.",
    )

    class Meta:
        model = Registration
        fields = ["id", "child", "service", "school_year", "household", "created_at"]
        read_only_fields = ["created_at"]
        validators: list[Any] = []  # duplicates are refused by the service, in French


class RegistrationFilter(serializers.Serializer):
    prestation = serializers.IntegerField(required=False, min_value=1)
    annee = serializers.IntegerField(required=False, min_value=1)
    enfant = serializers.IntegerField(required=False, min_value=1)
    foyer = serializers.IntegerField(required=False, min_value=1)
    ecole = serializers.IntegerField(required=False, min_value=1)
    classe = serializers.IntegerField(required=False, min_value=1)


class _Base(viewsets.GenericViewSet):
    permission_classes = [AgentReadEditorWrite]


class ServiceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, _Base,
):
    """Services with their deadline rules; the labels are what parents read."""

    serializer_class = ServiceSerializer
    queryset = Service.objects.prefetch_related("schools").order_by("kind", "name")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = through_service(
            services.service_create, **serializer.validated_data, actor=self.request.user
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = through_service(
            services.service_update, service=serializer.instance,
            **serializer.validated_data, actor=self.request.user,
        )


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter(name, int, description=text) for name, text in (
        ("prestation", "Identifiant de la prestation"),
        ("annee", "Identifiant de l'année scolaire"),
        ("enfant", "Identifiant de l'enfant"),
        ("foyer", "Identifiant du foyer qui inscrit"),
        ("ecole", "École de l'enfant cette année-là"),
        ("classe", "Classe de l'enfant cette année-là"),
    )
]))
class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.DestroyModelMixin, _Base,
):
    """Registrations of children to services, per school year and paying household."""

    serializer_class = RegistrationSerializer

    def get_queryset(self) -> QuerySet[Registration]:
        rows = Registration.objects.order_by("service_id", "child__last_name", "child_id", "pk")
        if self.action != "list":
            return rows
        wanted = RegistrationFilter(data=self.request.query_params)
        wanted.is_valid(raise_exception=True)
        f = wanted.validated_data
        for param, field in (("prestation", "service_id"), ("annee", "school_year_id"),
                             ("enfant", "child_id"), ("foyer", "household_id")):
            if param in f:
                rows = rows.filter(**{field: f[param]})
        if "ecole" in f or "classe" in f:
            year_filter: dict[str, Any] = {}
            if "ecole" in f:
                year_filter["child__enrolments__school_class__school_id"] = f["ecole"]
            if "classe" in f:
                year_filter["child__enrolments__school_class_id"] = f["classe"]
            rows = rows.filter(
                child__enrolments__school_year_id=F("school_year_id"), **year_filter
            )
        return rows

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        year = data.pop("school_year", None) or school_year_current()
        if year is None:
            raise serializers.ValidationError(
                {"school_year": "Aucune année scolaire en cours : précisez-la."}
            )
        serializer.instance = through_service(
            services.registration_create, **data, school_year=year, actor=self.request.user
        )

    def perform_destroy(self, instance: Registration) -> None:
        services.registration_delete(registration=instance, actor=self.request.user)
