from django.urls import path

from tenant_apps.publications import views

urlpatterns = [
    path("", views.portal_document_list, name="documents"),
    path("<int:pk>/", views.portal_document_file, name="document_file"),
]
