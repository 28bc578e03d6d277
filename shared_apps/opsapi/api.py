"""Ops API (ops host, /api/v1/): operators only, thin endpoints over the same services as
the console. A service's ValidationError becomes a 400 {"detail": [...]} (config.api_errors)."""

from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from provisioning.services import (
    commune_archive,
    commune_create,
    commune_delete,
    commune_reactivate,
    commune_suspend,
    domain_add,
    domain_remove,
    provisioning_job_retry,
)
from shared_apps.announcements.models import Announcement
from shared_apps.announcements.services import announcement_create, announcement_end
from shared_apps.audit.models import OperatorAction
from shared_apps.console import selectors
from shared_apps.opsapi.serializers import (
    AnnouncementSerializer,
    CommuneCreateSerializer,
    CommuneDeleteSerializer,
    CommuneDetailSerializer,
    CommuneSerializer,
    DomainAddSerializer,
    DomainSerializer,
    JobSerializer,
    OperatorActionSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from tenant_apps.accounts.models import Role
from tenant_apps.accounts.throttle import login_allowed, login_failed, login_succeeded
from tenant_apps.accounts.views import BAD_CREDENTIALS, THROTTLED
from tenants.models import Commune, CommuneStatus


class IsOperator(BasePermission):
    message = "Cette API est réservée aux opérateurs de la plateforme."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "role", None) == Role.OPERATOR)


class OpsView(GenericAPIView):
    permission_classes = [IsOperator]


class OpsListView(ListAPIView):
    permission_classes = [IsOperator]


def _commune_or_404(slug: str) -> Commune:
    commune = selectors.commune_get(slug=slug)
    if commune is None:
        raise NotFound("Commune inconnue.")
    return commune


def _job_or_404(job_id: int) -> Any:
    job = selectors.provisioning_job_get(job_id=job_id)
    if job is None:
        raise NotFound("Création inconnue.")
    return job


# --- authentication ---------------------------------------------------------------------


class TokenObtainView(GenericAPIView):
    """Exchange an operator's email and password for an API token (throttled like the
    login page: the same answer for unknown accounts, wrong passwords and wrong roles)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = TokenRequestSerializer

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"].lower()
        ip = request.META.get("REMOTE_ADDR", "") or "unknown"
        if not login_allowed(email, ip):
            return Response({"detail": THROTTLED}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        user = authenticate(
            request._request, email=email, password=serializer.validated_data["password"]
        )
        if user is None or getattr(user, "role", None) != Role.OPERATOR:
            login_failed(email, ip)
            return Response({"detail": BAD_CREDENTIALS}, status=status.HTTP_400_BAD_REQUEST)
        login_succeeded(email)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# --- communes ---------------------------------------------------------------------------


class CommuneListView(OpsListView):
    serializer_class = CommuneSerializer

    def get_queryset(self) -> QuerySet[Commune]:
        status_filter = self.request.query_params.get("status", "")
        if status_filter not in CommuneStatus.values:
            status_filter = ""
        search = self.request.query_params.get("search", "")[:100]
        return selectors.communes_search(search=search, status=status_filter).prefetch_related(
            "domains"
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=CommuneStatus.values),
            OpenApiParameter("search", OpenApiTypes.STR, description="Nom, identifiant ou INSEE"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(request=CommuneCreateSerializer, responses={202: JobSerializer})
    def post(self, request: Request) -> Response:
        """Register the commune and start its provisioning job; follow it at /creations/{id}/."""
        serializer = CommuneCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = commune_create(actor=request.user, **serializer.validated_data)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class CommuneDetailView(OpsView):
    serializer_class = CommuneDetailSerializer

    def get(self, request: Request, slug: str) -> Response:
        commune = _commune_or_404(slug)
        detail = selectors.commune_detail(commune=commune)
        return Response(CommuneDetailSerializer(commune, context={"detail": detail}).data)


class _CommuneTransitionView(OpsView):
    serializer_class = CommuneSerializer
    service: Any = None

    @extend_schema(request=None, responses={200: CommuneSerializer})
    def post(self, request: Request, slug: str) -> Response:
        commune = type(self).service(actor=request.user, commune=_commune_or_404(slug))
        return Response(CommuneSerializer(commune).data)


class CommuneSuspendView(_CommuneTransitionView):
    """Close the commune to its families and agents (they see a maintenance page)."""

    service = staticmethod(commune_suspend)


class CommuneReactivateView(_CommuneTransitionView):
    service = staticmethod(commune_reactivate)


class CommuneArchiveView(_CommuneTransitionView):
    """Take a final backup, then archive; a failed backup leaves the commune unchanged."""

    service = staticmethod(commune_archive)


class CommuneDeleteView(OpsView):
    serializer_class = CommuneDeleteSerializer

    @extend_schema(request=CommuneDeleteSerializer, responses={204: None})
    def post(self, request: Request, slug: str) -> Response:
        """Drop an archived commune's data; `confirmation` must repeat its slug."""
        commune = _commune_or_404(slug)
        serializer = CommuneDeleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        commune_delete(
            actor=request.user,
            commune=commune,
            confirmation=serializer.validated_data["confirmation"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- domains ----------------------------------------------------------------------------


class DomainListView(OpsView):
    serializer_class = DomainSerializer
    pagination_class = None

    def get(self, request: Request, slug: str) -> Response:
        commune = _commune_or_404(slug)
        domains = commune.domains.order_by("-is_primary", "domain")
        return Response(DomainSerializer(domains, many=True).data)

    @extend_schema(request=DomainAddSerializer, responses={201: DomainSerializer})
    def post(self, request: Request, slug: str) -> Response:
        commune = _commune_or_404(slug)
        serializer = DomainAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        domain = domain_add(
            actor=request.user, commune=commune, hostname=serializer.validated_data["hostname"]
        )
        return Response(DomainSerializer(domain).data, status=status.HTTP_201_CREATED)


class DomainDetailView(OpsView):
    serializer_class = DomainSerializer

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, hostname: str) -> Response:
        """Remove a secondary domain (the primary one cannot be removed)."""
        commune = _commune_or_404(slug)
        domain = commune.domains.filter(domain=hostname.strip().lower()).first()
        if domain is None:
            raise NotFound("Domaine inconnu pour cette commune.")
        domain_remove(actor=request.user, domain=domain)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- provisioning jobs ------------------------------------------------------------------


class JobDetailView(OpsView):
    serializer_class = JobSerializer

    def get(self, request: Request, job_id: int) -> Response:
        return Response(JobSerializer(_job_or_404(job_id)).data)


class JobRetryView(OpsView):
    serializer_class = JobSerializer

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request: Request, job_id: int) -> Response:
        job = provisioning_job_retry(actor=request.user, job_id=_job_or_404(job_id).pk)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


# --- announcements and audit ------------------------------------------------------------


class AnnouncementListView(OpsListView):
    serializer_class = AnnouncementSerializer

    def get_queryset(self) -> QuerySet[Announcement]:
        return selectors.announcements_list()

    @extend_schema(request=AnnouncementSerializer, responses={201: AnnouncementSerializer})
    def post(self, request: Request) -> Response:
        serializer = AnnouncementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        announcement = announcement_create(actor=request.user, **data)
        return Response(AnnouncementSerializer(announcement).data, status=status.HTTP_201_CREATED)


class AnnouncementEndView(OpsView):
    serializer_class = AnnouncementSerializer

    @extend_schema(request=None, responses={200: AnnouncementSerializer})
    def post(self, request: Request, announcement_id: int) -> Response:
        """Stop showing the announcement now."""
        announcement = Announcement.objects.filter(pk=announcement_id).first()
        if announcement is None:
            raise NotFound("Annonce inconnue.")
        ended = announcement_end(actor=request.user, announcement=announcement)
        return Response(AnnouncementSerializer(ended).data)


class AuditListView(OpsListView):
    """Operator actions, latest first; `commune` filters by a commune's slug."""

    serializer_class = OperatorActionSerializer

    def get_queryset(self) -> QuerySet[OperatorAction]:
        slug = self.request.query_params.get("commune", "")[:40]
        return selectors.operator_actions_recent(commune_slug=slug, limit=None)

    @extend_schema(parameters=[OpenApiParameter("commune", OpenApiTypes.STR)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)
