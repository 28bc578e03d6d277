"""Change requests of the families, included at /gestion/demandes/."""

from django.urls import path

from tenant_apps.family_portal import backoffice_views as views

app_name = "change_requests"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("<int:pk>/accepter/", views.request_accept, name="accept"),
    path("<int:pk>/refuser/", views.request_refuse, name="refuse"),
]
