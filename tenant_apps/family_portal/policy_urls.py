"""The fields parents may change, included at /gestion/parametres/portail/champs/."""

from django.urls import path

from tenant_apps.family_portal import backoffice_views as views

app_name = "portal_fields"
urlpatterns = [path("", views.policy_page, name="page")]
