"""Agents' attendance pages; included from tenant_apps.bookings.urls (no app_name of its own)."""

from django.urls import path

from tenant_apps.bookings import views_attendance

urlpatterns = [
    path("pointage/", views_attendance.attendance_page, name="attendance"),
    path("effectifs/", views_attendance.headcounts_page, name="headcounts"),
    path("attente/", views_attendance.waiting_page, name="waiting"),
    path(
        "enfant/<int:child_id>/historique/", views_attendance.child_history_page,
        name="child-history",
    ),
]
