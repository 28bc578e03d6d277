"""What the back-office API endpoints share: role permissions and French field errors."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from tenant_apps.accounts.access import EDITOR_ROLES
from tenant_apps.accounts.models import AGENT_ROLES

T = TypeVar("T")


class AgentReadEditorWrite(BasePermission):
    """Every agent role reads; only administrators and agents change anything
    (read-only, régisseur and animateur accounts get a 403)."""

    message = "Votre compte ne permet pas cette action."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        role = getattr(user, "role", None)
        if request.method in SAFE_METHODS:
            return role in AGENT_ROLES
        return role in EDITOR_ROLES


def through_service(call: Callable[..., T], **kwargs: Any) -> T:
    """Call a service; its ValidationError becomes a 400 with messages next to fields."""
    try:
        return call(**kwargs)
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise serializers.ValidationError(error.message_dict) from error
        raise serializers.ValidationError({"non_field_errors": error.messages}) from error
