"""Back-office operations of the bookings API: mass booking (/api/v1/reservations/masse/),
closure periods (/api/v1/fermetures/) and attendance (/api/v1/pointage/).

Mass booking and closures take `simulation`: true answers the dry run (nothing written),
false applies. Editors (administrator, agent) write; attendance is also open to the
animateur. Every refusal is a French 4xx JSON answer."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.accounts.access import EDITOR_ROLES, acting_user
from tenant_apps.accounts.models import AGENT_ROLES
from tenant_apps.bookings.api import NOT_FOUND, BookingSerializer
from tenant_apps.bookings.attendance import ATTENDANCE_STATES, MARKER_ROLES, attendance_mark
from tenant_apps.bookings.closures import (
    closure_create,
    closure_delete,
    closure_preview,
    closure_update,
    closure_validate,
    closures_list,
)
from tenant_apps.bookings.mass import (
    ADD,
    REPLACE,
    MassBookingPlan,
    mass_booking_apply,
    mass_booking_plan,
)
from tenant_apps.bookings.models import ClosurePeriod
from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Child
from tenant_apps.schooling.models import SchoolClass

ROLE_MESSAGE = "Votre rôle ne permet pas cette action."
ACTIONS = {"ajouter": ADD, "remplacer": REPLACE}
# Field names of the services' validation errors → the API's French field names.
MASS_FIELDS = {"children": "enfants", "weekdays": "jours", "starts_on": "du", "ends_on": "au",
               "action": "action"}
CLOSURE_FIELDS = {"label": "libelle", "starts_on": "du", "ends_on": "au",
                  "services": "prestations", "classes": "classes"}
MAX_REFUSALS = 500


class EditorPermission(BasePermission):
    """Reading needs a back-office role; writing an editor role."""

    message = ROLE_MESSAGE

    def has_permission(self, request: Request, view: Any) -> bool:
        role = getattr(request.user, "role", None)
        return role in (AGENT_ROLES if request.method in SAFE_METHODS else EDITOR_ROLES)


class MarkerPermission(BasePermission):
    message = ROLE_MESSAGE

    def has_permission(self, request: Request, view: Any) -> bool:
        return getattr(request.user, "role", None) in MARKER_ROLES


def _service_errors(error: DjangoValidationError, names: dict[str, str]) -> DRFValidationError:
    if hasattr(error, "error_dict"):
        return DRFValidationError(
            {names.get(key, key): messages for key, messages in error.message_dict.items()}
        )
    return DRFValidationError({"detail": error.messages})


# --- Mass booking -------------------------------------------------------------------------


class MassRequestSerializer(serializers.Serializer):
    prestation = serializers.IntegerField(min_value=1)
    enfants = serializers.ListField(child=serializers.IntegerField(min_value=1),
                                    allow_empty=False, max_length=2000)
    jours = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7),
                                  allow_empty=False, max_length=7, required=False)
    # {"<enfant>": [1, 4]}: that child's days, instead of `jours` (shared custody, PAI...)
    jours_par_enfant = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7),
                                    allow_empty=False, max_length=7),
        required=False, allow_empty=False)
    du = serializers.DateField()
    au = serializers.DateField()
    action = serializers.ChoiceField(choices=list(ACTIONS), default="ajouter")
    semaines_scolaires = serializers.BooleanField(default=False)
    simulation = serializers.BooleanField(default=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["au"] < attrs["du"]:
            raise serializers.ValidationError(
                {"au": "La date de fin doit être postérieure ou égale à la date de début."}
            )
        per_child: dict[int, list[int]] = {}
        for key, days in attrs.get("jours_par_enfant", {}).items():
            if not str(key).isdigit() or int(key) not in attrs["enfants"]:
                raise serializers.ValidationError({"jours_par_enfant": [
                    f"« {key} » n'est pas un des enfants demandés."]})
            per_child[int(key)] = sorted(set(days))
        if "jours" not in attrs and set(per_child) != set(attrs["enfants"]):
            raise serializers.ValidationError({"jours": [
                "Indiquez les jours, pour tous les enfants ou pour chacun (jours_par_enfant)."]})
        attrs["jours_par_enfant"] = per_child
        return attrs


class RefusalSerializer(serializers.Serializer):
    enfant = serializers.IntegerField(source="child_id")
    jour = serializers.DateField(source="day")
    motif = serializers.CharField(source="reason")


class MassSummarySerializer(serializers.Serializer):
    booked = serializers.IntegerField()
    waiting = serializers.IntegerField()
    created = serializers.IntegerField()
    rebooked = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    refused = serializers.IntegerField()
    refused_by_reason = serializers.DictField(child=serializers.IntegerField())
    days = serializers.IntegerField()
    applied_changes = serializers.IntegerField(required=False)


class MassResponseSerializer(serializers.Serializer):
    simulation = serializers.BooleanField()
    reservation_en_masse = serializers.IntegerField(allow_null=True)
    resume = MassSummarySerializer()
    refus = RefusalSerializer(many=True)


class MassBookingApi(APIView):
    permission_classes = [EditorPermission]

    @extend_schema(
        summary="Réserver en masse (simulation ou application)",
        description="`simulation: true` (par défaut) renvoie ce qui serait fait sans rien "
                    "écrire ; `simulation: false` applique et renvoie le résumé. `jours` vaut "
                    "pour tous les enfants ; `jours_par_enfant` ({\"12\": [1, 4]}) fixe les "
                    "jours d'un enfant (garde alternée, PAI…).",
        request=MassRequestSerializer, responses=MassResponseSerializer,
    )
    def post(self, request: Request) -> Response:
        data = MassRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        service = Service.objects.filter(pk=values["prestation"]).first()
        if service is None:
            raise NotFound(NOT_FOUND)
        wanted = list(dict.fromkeys(values["enfants"]))
        children = list(Child.objects.filter(pk__in=wanted))
        if len(children) != len(wanted):
            missing = sorted(set(wanted) - {c.pk for c in children})
            raise DRFValidationError({"enfants": [f"Enfant inconnu : {pk}." for pk in missing]})
        weekdays = sorted(set(values.get("jours", [])))
        per_child = values["jours_par_enfant"]
        try:
            plan: MassBookingPlan = mass_booking_plan(
                service=service, children=children,
                weekdays_per_child={c.pk: per_child.get(c.pk, weekdays) for c in children},
                starts_on=values["du"], ends_on=values["au"], action=ACTIONS[values["action"]],
                school_weeks_only=values["semaines_scolaires"],
            )
        except DjangoValidationError as error:
            raise _service_errors(error, MASS_FIELDS) from error
        mass_id = None
        summary = plan.summary()
        if not values["simulation"]:
            mass = mass_booking_apply(plan=plan, actor=acting_user(request))
            mass_id, summary = mass.pk, mass.summary
        return Response(MassResponseSerializer({
            "simulation": values["simulation"], "reservation_en_masse": mass_id,
            "resume": summary, "refus": plan.refused[:MAX_REFUSALS],
        }).data)


# --- Closures -----------------------------------------------------------------------------


class ClosureSerializer(serializers.ModelSerializer):
    libelle = serializers.CharField(source="label")
    du = serializers.DateField(source="starts_on")
    au = serializers.DateField(source="ends_on")
    prestations: serializers.PrimaryKeyRelatedField[Service] = (
        serializers.PrimaryKeyRelatedField(source="services", many=True, read_only=True)
    )
    classes: serializers.PrimaryKeyRelatedField[SchoolClass] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )

    class Meta:
        model = ClosurePeriod
        fields = ["id", "libelle", "du", "au", "prestations", "classes", "created_by_email",
                  "created_at"]


class ClosureRequestSerializer(serializers.Serializer):
    libelle = serializers.CharField(max_length=150)
    du = serializers.DateField()
    au = serializers.DateField()
    prestations = serializers.ListField(child=serializers.IntegerField(min_value=1),
                                        allow_empty=False)
    classes = serializers.ListField(child=serializers.IntegerField(min_value=1),
                                    allow_empty=False)
    simulation = serializers.BooleanField(default=True)


class ClosureEffectSerializer(serializers.Serializer):
    simulation = serializers.BooleanField()
    fermeture = ClosureSerializer(allow_null=True)
    annulees = serializers.IntegerField(help_text="Réservations annulées (ou à annuler)")
    deja_facturees = serializers.IntegerField(help_text="Réservations facturées, inchangées")
    foyers = serializers.IntegerField(
        help_text="Foyers concernés (simulation) ou prévenus par courriel (application)"
    )


class ClosureDeleteSerializer(serializers.Serializer):
    restaurees = serializers.IntegerField(help_text="Réservations rétablies (total)")
    retablies_avec_place = serializers.IntegerField(
        help_text="Rétablies avec une place (dans l'ordre d'origine, tant qu'il en reste)")
    en_liste_attente = serializers.IntegerField(
        help_text="Rétablies en liste d'attente : la prestation est complète ce jour-là")
    places_attribuees = serializers.IntegerField(
        help_text="Places restées libres attribuées à la liste d'attente existante")
    non_restaurables = serializers.IntegerField(
        help_text="Non rétablies : la place a été réservée ou modifiée depuis")


class ClosureUpdateSerializer(ClosureDeleteSerializer):
    simulation = serializers.BooleanField()
    fermeture = ClosureSerializer()
    annulees = serializers.IntegerField(help_text="Réservations annulées (ou à annuler)")
    deja_facturees = serializers.IntegerField(help_text="Réservations facturées, inchangées")
    foyers = serializers.IntegerField(
        help_text="Foyers concernés (simulation) ou prévenus par courriel (application)")


def _restore_figures(result: Any) -> dict[str, int]:
    return {"restaurees": result.restored, "retablies_avec_place": result.restored_booked,
            "en_liste_attente": result.restored_waiting, "places_attribuees": result.promoted,
            "non_restaurables": result.not_restorable}


def _by_ids(model: Any, ids: list[int], field: str, unknown: str) -> list[Any]:
    wanted = list(dict.fromkeys(ids))
    rows = list(model.objects.filter(pk__in=wanted))
    missing = sorted(set(wanted) - {r.pk for r in rows})
    if missing:
        raise DRFValidationError({field: [f"{unknown} : {pk}." for pk in missing]})
    return rows


class ClosureListApi(APIView):
    permission_classes = [EditorPermission]

    @extend_schema(summary="Périodes de fermeture", responses=ClosureSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ClosureSerializer(closures_list(), many=True).data)

    @extend_schema(
        summary="Créer une fermeture (simulation ou application)",
        description="`simulation: true` (par défaut) renvoie les réservations qui seraient "
                    "annulées sans rien écrire ; `simulation: false` crée la fermeture, annule "
                    "les réservations non facturées et prévient les familles.",
        request=ClosureRequestSerializer, responses={200: ClosureEffectSerializer,
                                                     201: ClosureEffectSerializer},
    )
    def post(self, request: Request) -> Response:
        data = ClosureRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services = _by_ids(Service, values["prestations"], "prestations", "Prestation inconnue")
        classes = _by_ids(SchoolClass, values["classes"], "classes", "Classe inconnue")
        scope = {"starts_on": values["du"], "ends_on": values["au"], "services": services,
                 "classes": classes}
        try:
            if values["simulation"]:
                closure_validate(label=values["libelle"], **scope)
                effect = closure_preview(**scope)
                return Response(ClosureEffectSerializer({
                    "simulation": True, "fermeture": None, "annulees": len(effect.remove),
                    "deja_facturees": len(effect.invoiced), "foyers": len(effect.households),
                }).data)
            result = closure_create(label=values["libelle"], actor=acting_user(request),
                                    **scope)
        except DjangoValidationError as error:
            raise _service_errors(error, CLOSURE_FIELDS) from error
        return Response(ClosureEffectSerializer({
            "simulation": False, "fermeture": result.closure, "annulees": result.removed,
            "deja_facturees": len(result.invoiced), "foyers": result.households_notified,
        }).data, status=status.HTTP_201_CREATED)


class ClosureDetailApi(APIView):
    permission_classes = [EditorPermission]

    def _closure(self, pk: int) -> ClosurePeriod:
        closure = closures_list().filter(pk=pk).first()
        if closure is None:
            raise NotFound(NOT_FOUND)
        return closure

    @extend_schema(summary="Une période de fermeture", responses=ClosureSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ClosureSerializer(self._closure(pk)).data)

    @extend_schema(summary="Supprimer une fermeture (restaure les réservations retirées)",
                   request=None, responses=ClosureDeleteSerializer)
    def delete(self, request: Request, pk: int) -> Response:
        result = closure_delete(closure=self._closure(pk), actor=acting_user(request))
        return Response(ClosureDeleteSerializer(_restore_figures(result)).data)

    @extend_schema(
        summary="Modifier une fermeture (simulation ou application)",
        description="Rétablit ce qui sort de la fermeture (avec une place tant qu'il en "
                    "reste, sinon en liste d'attente dans l'ordre d'origine) et annule ce qui "
                    "y entre. `simulation: true` (par défaut) n'écrit rien.",
        request=ClosureRequestSerializer, responses=ClosureUpdateSerializer,
    )
    def put(self, request: Request, pk: int) -> Response:
        closure = self._closure(pk)
        data = ClosureRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        scope = {"starts_on": values["du"], "ends_on": values["au"],
                 "services": _by_ids(Service, values["prestations"], "prestations",
                                     "Prestation inconnue"),
                 "classes": _by_ids(SchoolClass, values["classes"], "classes",
                                    "Classe inconnue")}
        try:
            if values["simulation"]:
                closure_validate(label=values["libelle"], **scope)
                effect = closure_preview(**scope, closure=closure)
                counts = effect.restore_counts
                return Response(ClosureUpdateSerializer({
                    "simulation": True, "fermeture": closure, "annulees": len(effect.remove),
                    "deja_facturees": len(effect.invoiced), "foyers": len(effect.households),
                    "restaurees": counts.total, "retablies_avec_place": counts.booked,
                    "en_liste_attente": counts.waiting, "places_attribuees": counts.promoted,
                    "non_restaurables": len(effect.not_restorable),
                }).data)
            result = closure_update(closure=closure, label=values["libelle"],
                                    actor=acting_user(request), **scope)
        except DjangoValidationError as error:
            raise _service_errors(error, CLOSURE_FIELDS) from error
        return Response(ClosureUpdateSerializer({
            "simulation": False, "fermeture": result.closure, "annulees": result.removed,
            "deja_facturees": len(result.invoiced), "foyers": result.households_notified,
            **_restore_figures(result),
        }).data)


# --- Attendance ---------------------------------------------------------------------------


class AttendanceRequestSerializer(serializers.Serializer):
    enfant = serializers.IntegerField(min_value=1)
    prestation = serializers.IntegerField(min_value=1)
    jour = serializers.DateField()
    etat = serializers.ChoiceField(choices=[str(s) for s in ATTENDANCE_STATES])


class AttendanceApi(APIView):
    permission_classes = [MarkerPermission]

    @extend_schema(summary="Pointer la présence d'un enfant", request=AttendanceRequestSerializer,
                   responses=BookingSerializer)
    def post(self, request: Request) -> Response:
        data = AttendanceRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        child = Child.objects.filter(pk=values["enfant"]).first()
        service = Service.objects.filter(pk=values["prestation"]).first()
        if child is None or service is None:
            raise NotFound(NOT_FOUND)
        try:
            booking = attendance_mark(child=child, service=service, day=values["jour"],
                                      state=values["etat"], actor=acting_user(request))
        except DjangoPermissionDenied as error:
            raise DRFPermissionDenied(ROLE_MESSAGE) from error
        except DjangoValidationError as error:
            raise DRFValidationError({"detail": error.messages}) from error
        return Response(BookingSerializer(booking).data)
