"""Ops API for a commune's PayFiP settings (issue 8): GET and PUT, the same service as
the console's PayFiP card (provisioning.payfip), validated by the back office's rules."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from provisioning.payfip import MODE_CHOICES, commune_payfip_get, commune_payfip_set
from shared_apps.opsapi.api import OpsView, _commune_or_404


class PayfipStateSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Paiement en ligne activé.")
    client_number = serializers.CharField(help_text="Numéro client PayFiP (6 chiffres) ou vide.")
    mode = serializers.ChoiceField(
        choices=MODE_CHOICES, help_text="T test, X activation, W production."
    )
    mode_label = serializers.CharField(read_only=True)


class PayfipUpdateSerializer(serializers.Serializer):
    client_number = serializers.CharField(max_length=20, allow_blank=True)
    mode = serializers.ChoiceField(choices=MODE_CHOICES)
    enabled = serializers.BooleanField(required=False, help_text="Inchangé si absent.")


class PayfipErrorSerializer(serializers.Serializer):
    detail = serializers.ListField(child=serializers.CharField())
    field_errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class CommunePayfipView(OpsView):
    serializer_class = PayfipStateSerializer

    @extend_schema(responses={200: PayfipStateSerializer})
    def get(self, request: Request, slug: str) -> Response:
        """The commune's PayFiP settings (404 while the commune is not created yet)."""
        state = commune_payfip_get(commune=_commune_or_404(slug))
        if state is None:
            return Response(
                {"detail": "La commune n'est pas encore créée."}, status=status.HTTP_404_NOT_FOUND
            )
        return Response(PayfipStateSerializer(state).data)

    @extend_schema(
        request=PayfipUpdateSerializer,
        responses={200: PayfipStateSerializer, 400: PayfipErrorSerializer},
    )
    def put(self, request: Request, slug: str) -> Response:
        """Set the client number, mode and optionally activation; audited. A 400 names the
        fields at fault in French (`field_errors`) and changes nothing."""
        commune = _commune_or_404(slug)
        payload = PayfipUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            state = commune_payfip_set(
                commune=commune,
                client_number=data["client_number"],
                mode=data["mode"],
                enabled=data.get("enabled"),
                actor=request.user,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {}
            return Response(
                {"detail": exc.messages, "field_errors": errors}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(PayfipStateSerializer(state).data)
