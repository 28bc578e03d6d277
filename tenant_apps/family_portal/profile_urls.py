"""Mon profil, included at /profil/ by tenant_apps.portal.urls."""

from django.urls import path

from tenant_apps.family_portal import portal_views as views

app_name = "profile"
urlpatterns = [
    path("", views.profile_page, name="page"),
    path("foyer/<slug:slug>/", views.household_card, name="household_card"),
    path("foyer/<slug:slug>/modifier/", views.household_edit, name="household_edit"),
    path("responsables/<int:guardian_id>/<slug:slug>/", views.guardian_card,
         name="guardian_card"),
    path("responsables/<int:guardian_id>/<slug:slug>/modifier/", views.guardian_edit,
         name="guardian_edit"),
]
