from django.urls import path

from tenant_apps.accounts.views import logout_view, password_set_page
from tenant_apps.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.portal_login, name="login"),
    path("deconnexion/", logout_view, name="logout"),
    path("compte/mot-de-passe/<str:token>/", password_set_page, name="password_set"),
]
