from typing import Any

from django.conf import settings
from django.http import HttpRequest


def commune(request: HttpRequest) -> dict[str, Any]:
    return {
        "commune": getattr(request, "tenant", None),
        "base_domain": settings.BASE_DOMAIN,
    }
