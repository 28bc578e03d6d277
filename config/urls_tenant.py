"""URLs of a commune's host: the portal at /, the back office at /gestion/, the API."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("gestion/", include("tenant_apps.backoffice.urls")),
    path("api/v1/", include("config.api_tenant_urls")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(urlconf="config.urls_tenant"),
        name="api-schema",
    ),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("tenant_apps.portal.urls")),
]
