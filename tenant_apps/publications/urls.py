from django.urls import path

from tenant_apps.publications import views

app_name = "publications"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("nouveau/", views.document_new, name="new"),
    path("<int:pk>/fichier/", views.document_file, name="file"),
    path("<int:pk>/retirer/", views.document_withdraw, name="withdraw"),
]
