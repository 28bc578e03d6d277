"""Included by the portal at /mentions-legales/ (public)."""

from django.urls import path

from tenant_apps.commune_settings import views

urlpatterns = [
    path("", views.legal_notice_page, name="legal_notice"),
]
