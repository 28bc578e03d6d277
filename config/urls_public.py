"""URLs of the ops host (public schema): the operators' console and API."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("api/v1/", include("shared_apps.opsapi.urls")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(urlconf="config.urls_public"),
        name="api-schema",
    ),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("shared_apps.console.urls")),
]
