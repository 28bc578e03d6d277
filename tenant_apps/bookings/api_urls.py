"""Bookings endpoints of the commune API (/api/v1/)."""

from django.urls import path

from tenant_apps.bookings import api, api_operations

urlpatterns = [
    path("reservations/", api.WeekApi.as_view(), name="api-bookings-week"),
    path("reservations/reserver/", api.BookApi.as_view(), name="api-bookings-book"),
    path("reservations/annuler/", api.CancelApi.as_view(), name="api-bookings-cancel"),
    path("reservations/masse/", api_operations.MassBookingApi.as_view(),
         name="api-bookings-mass"),
    path("fermetures/", api_operations.ClosureListApi.as_view(), name="api-closures"),
    path("fermetures/<int:pk>/", api_operations.ClosureDetailApi.as_view(),
         name="api-closure"),
    path("pointage/", api_operations.AttendanceApi.as_view(), name="api-attendance"),
]
