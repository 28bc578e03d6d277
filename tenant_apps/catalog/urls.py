from django.urls import path

from tenant_apps.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle/", views.service_create_page, name="service-create"),
    path("<int:pk>/", views.service_detail, name="service"),
    path("<int:pk>/modifier/", views.service_edit_page, name="service-edit"),
    path("<int:pk>/inscrire/", views.registration_create_action, name="register"),
    path(
        "inscriptions/<int:pk>/supprimer/", views.registration_delete_action, name="unregister"
    ),
]
