from django.urls import path

from shared_apps.console import views

app_name = "console"
urlpatterns = [
    path("", views.commune_list, name="communes"),
    path("connexion/", views.console_login, name="login"),
]
