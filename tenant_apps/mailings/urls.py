from django.urls import path

from tenant_apps.mailings import views

app_name = "mailings"
urlpatterns = [
    path("", views.mailing_index, name="index"),
    path("nouveau/", views.mailing_new, name="new"),
    path("destinataires/", views.audience_count, name="audience_count"),
    path("<int:pk>/", views.mailing_detail, name="detail"),
    path("<int:pk>/modifier/", views.mailing_edit, name="edit"),
    path("<int:pk>/envoyer/", views.mailing_confirm, name="confirm"),
    path("<int:pk>/supprimer/", views.mailing_remove, name="delete"),
    path("<int:pk>/progression/", views.mailing_progress, name="progress"),
]
