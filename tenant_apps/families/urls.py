"""Families and children in the back office (/gestion/familles/)."""

from django.urls import path

from tenant_apps.families import views

app_name = "families"
urlpatterns = [
    path("", views.household_list_page, name="list"),
    path("recherche/", views.search_page, name="search"),
    path("nouveau/", views.household_create_page, name="household_create"),
    path("<int:household_id>/", views.household_page, name="household"),
    path("<int:household_id>/modifier/", views.household_edit_page, name="household_edit"),
    path("<int:household_id>/responsables/ajouter/", views.guardian_add_page,
         name="guardian_add"),
    path("<int:household_id>/responsables/<int:guardian_id>/modifier/",
         views.guardian_edit_page, name="guardian_edit"),
    path("<int:household_id>/responsables/<int:guardian_id>/retirer/",
         views.guardian_remove_action, name="guardian_remove"),
    path("<int:household_id>/responsables/<int:guardian_id>/inviter/",
         views.guardian_invite_action, name="guardian_invite"),
    path("<int:household_id>/enfants/ajouter/", views.child_create_page, name="child_create"),
    path("enfants/", views.child_list_page, name="children"),
    path("enfants/<int:child_id>/", views.child_page, name="child"),
    path("enfants/<int:child_id>/modifier/", views.child_edit_page, name="child_edit"),
    path("enfants/<int:child_id>/foyers/ajouter/", views.child_link_page, name="child_link"),
    path("enfants/<int:child_id>/foyers/<int:household_id>/retirer/",
         views.child_unlink_action, name="child_unlink"),
    path("enfants/<int:child_id>/contacts/ajouter/", views.contact_add_action,
         name="contact_add"),
    path("enfants/<int:child_id>/contacts/<int:contact_id>/retirer/",
         views.contact_remove_action, name="contact_remove"),
    path("enfants/<int:child_id>/documents/ajouter/", views.document_upload_action,
         name="document_upload"),
    path("enfants/<int:child_id>/documents/<int:document_id>/", views.document_download,
         name="document"),
    path("enfants/<int:child_id>/documents/<int:document_id>/supprimer/",
         views.document_delete_action, name="document_delete"),
]
