"""Shapes of the ops API: input is only type-checked here, rules live in the services."""

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backups.models import BackupRecord, RestoreRecord
from provisioning.models import ProvisioningJob
from shared_apps.announcements.models import Announcement, AnnouncementKind
from shared_apps.audit.models import OperatorAction
from tenants.models import Commune, Domain
from tenants.selectors import commune_url


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["id", "domain", "is_primary"]
        read_only_fields = fields


class DomainAddSerializer(serializers.Serializer):
    hostname = serializers.CharField(max_length=253)


class CommuneSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    domains = DomainSerializer(many=True, read_only=True)

    class Meta:
        model = Commune
        fields = [
            "slug",
            "name",
            "insee_code",
            "address",
            "contact_name",
            "contact_email",
            "contact_phone",
            "billing_mode",
            "payment_modes",
            "modules",
            "brand_colour",
            "status",
            "status_label",
            "status_changed_at",
            "created_at",
            "schema_name",
            "domains",
        ]
        read_only_fields = fields


class FiguresSerializer(serializers.Serializer):
    agents = serializers.IntegerField()
    families = serializers.IntegerField()
    outbox_failed = serializers.IntegerField()
    storage_bytes = serializers.IntegerField()


class JobSerializer(serializers.ModelSerializer):
    commune = serializers.CharField(source="commune.slug", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ProvisioningJob
        fields = [
            "id",
            "commune",
            "status",
            "status_label",
            "step",
            "progress",
            "error",
            "admin_email",
            "created_at",
            "started_at",
            "finished_at",
            "duration_s",
        ]
        read_only_fields = fields


class CommuneDetailSerializer(CommuneSerializer):
    """One commune with what the console's page shows; the figures come from the
    selector's CommuneDetail passed in the context as "detail"."""

    figures = serializers.SerializerMethodField()
    last_backup_at = serializers.SerializerMethodField()
    portal_url = serializers.SerializerMethodField()
    backoffice_url = serializers.SerializerMethodField()
    recent_jobs = serializers.SerializerMethodField()

    class Meta(CommuneSerializer.Meta):
        fields = [
            *CommuneSerializer.Meta.fields,
            "figures",
            "last_backup_at",
            "portal_url",
            "backoffice_url",
            "recent_jobs",
        ]
        read_only_fields = fields

    @extend_schema_field(FiguresSerializer(allow_null=True))
    def get_figures(self, commune: Commune) -> dict[str, int] | None:
        figures = self.context["detail"].figures
        return None if figures is None else asdict(figures)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_last_backup_at(self, commune: Commune) -> str | None:
        record = self.context["detail"].last_backup
        return serializers.DateTimeField().to_representation(record.finished_at) if record else None

    def get_portal_url(self, commune: Commune) -> str:
        return commune_url(commune, "/")

    def get_backoffice_url(self, commune: Commune) -> str:
        return commune_url(commune, "/gestion/")

    @extend_schema_field(JobSerializer(many=True))
    def get_recent_jobs(self, commune: Commune) -> list[dict[str, Any]]:
        return list(JobSerializer(self.context["detail"].jobs, many=True).data)


class CommuneCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.CharField(max_length=40)
    insee_code = serializers.CharField(max_length=5)
    address = serializers.CharField(required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    contact_email = serializers.EmailField()
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    billing_mode = serializers.CharField(required=False, help_text="regie, perception, prepaid")
    payment_modes = serializers.ListField(child=serializers.CharField(), required=False)
    modules = serializers.ListField(child=serializers.CharField(), required=False)
    brand_colour = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)
    admin_email = serializers.EmailField()
    admin_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class CommuneDeleteSerializer(serializers.Serializer):
    confirmation = serializers.CharField(
        help_text="L'identifiant (slug) de la commune, retapé pour confirmer."
    )


class AnnouncementSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=AnnouncementKind.choices)
    communes = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Commune.objects.all(), required=False
    )

    class Meta:
        model = Announcement
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "all_communes",
            "communes",
            "show_on_portal",
            "starts_at",
            "ends_at",
            "created_by_email",
            "created_at",
        ]
        read_only_fields = ["id", "created_by_email", "created_at"]
        # The service checks the period; the table constraint must not answer first.
        validators: list[Any] = []


class OperatorActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = OperatorAction
        fields = ["id", "at", "actor_email", "action", "commune_slug", "detail"]
        read_only_fields = fields


class BackupSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = BackupRecord
        fields = [
            "id",
            "commune_slug",
            "reason",
            "status",
            "status_label",
            "started_at",
            "finished_at",
            "size_bytes",
            "sha256",
            "key_id",
            "object_key",
            "error",
        ]
        read_only_fields = fields


class RestoreSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    backup_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = RestoreRecord
        fields = [
            "id",
            "kind",
            "commune_slug",
            "backup_id",
            "target_slug",
            "status",
            "status_label",
            "step",
            "progress",
            "created_at",
            "started_at",
            "finished_at",
            "duration_s",
            "previous_schema",
            "checks",
            "error",
        ]
        read_only_fields = fields


class RestoreRequestSerializer(serializers.Serializer):
    backup_id = serializers.IntegerField(required=False, allow_null=True)
    at = serializers.DateTimeField(required=False, allow_null=True)
    new_slug = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    drop_previous = serializers.BooleanField(required=False, default=False)
    confirmation = serializers.CharField(max_length=40)


class QueuedSerializer(serializers.Serializer):
    detail = serializers.CharField()
