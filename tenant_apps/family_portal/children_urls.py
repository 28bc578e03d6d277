"""Mes enfants, included at /enfants/ by tenant_apps.portal.urls."""

from django.urls import path

from tenant_apps.family_portal import portal_views as views

app_name = "children"
urlpatterns = [
    path("", views.children_page, name="list"),
    path("<int:child_id>/", views.child_page, name="child"),
    path("<int:child_id>/contacts/ajouter/", views.contact_add, name="contact_add"),
    path("<int:child_id>/contacts/<int:contact_id>/retirer/", views.contact_remove,
         name="contact_remove"),
    path("<int:child_id>/documents/ajouter/", views.document_upload, name="document_upload"),
    path("<int:child_id>/documents/<int:document_id>/", views.document_download,
         name="document"),
    path("<int:child_id>/<slug:slug>/", views.child_card, name="section"),
    path("<int:child_id>/<slug:slug>/modifier/", views.child_edit, name="section_edit"),
]
