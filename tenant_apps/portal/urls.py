from django.urls import include, path

from tenant_apps.accounts.views import logout_view, password_set_page
from tenant_apps.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.portal_login, name="login"),
    path("deconnexion/", logout_view, name="logout"),
    path("compte/mot-de-passe/<str:token>/", password_set_page, name="password_set"),
    path("messagerie/", include("tenant_apps.messaging.portal_urls")),
    path("documents/", include("tenant_apps.publications.portal_urls")),
    path("questionnaires/", include("tenant_apps.questionnaires.portal_urls")),
    path("mentions-legales/", include("tenant_apps.commune_settings.portal_urls")),
]
