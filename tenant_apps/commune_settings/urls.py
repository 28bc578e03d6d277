"""Included by the back office at /gestion/parametres/portail/."""

from django.urls import path

from tenant_apps.commune_settings import views

app_name = "portal_texts"
urlpatterns = [
    path("", views.portal_texts_page, name="edit"),
    path("apercu/", views.portal_text_preview, name="preview"),
]
