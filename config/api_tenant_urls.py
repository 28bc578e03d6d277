"""The commune API (/api/v1/ on a commune's host): each app contributes its endpoints."""

from django.urls import include, path

urlpatterns = [
    path("", include("tenant_apps.accounts.api_urls")),
    path("", include("tenant_apps.families.api_urls")),
    path("", include("tenant_apps.schooling.api_urls")),
    path("", include("tenant_apps.catalog.api_urls")),
    path("", include("tenant_apps.bookings.api_urls")),
    path("", include("tenant_apps.billing.api_urls")),
]
