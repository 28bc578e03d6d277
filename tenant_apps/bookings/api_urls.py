"""Bookings endpoints of the commune API (/api/v1/)."""

from django.urls import path

from tenant_apps.bookings import api

urlpatterns = [
    path("reservations/", api.WeekApi.as_view(), name="api-bookings-week"),
    path("reservations/reserver/", api.BookApi.as_view(), name="api-bookings-book"),
    path("reservations/annuler/", api.CancelApi.as_view(), name="api-bookings-cancel"),
]
