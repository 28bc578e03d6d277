"""Families endpoints of the commune API (/api/v1/)."""

from django.urls import path

from tenant_apps.families import api

urlpatterns = [
    path("foyers/", api.HouseholdListApi.as_view(), name="api-households"),
    path("foyers/<int:household_id>/", api.HouseholdDetailApi.as_view(),
         name="api-household"),
    path("enfants/", api.ChildListApi.as_view(), name="api-children"),
    path("enfants/<int:child_id>/", api.ChildDetailApi.as_view(), name="api-child"),
]
