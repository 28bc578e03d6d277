from django.urls import include, path

from tenant_apps.accounts.reset_views import portal_password_reset, portal_password_reset_sent
from tenant_apps.accounts.views import logout_view, password_set_page
from tenant_apps.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.portal_login, name="login"),
    path("deconnexion/", logout_view, name="logout"),
    path("compte/mot-de-passe/<str:token>/", password_set_page, name="password_set"),
    path("compte/nouveau-mot-de-passe/", portal_password_reset, name="password_reset"),
    path(
        "compte/nouveau-mot-de-passe/envoye/",
        portal_password_reset_sent,
        name="password_reset_sent",
    ),
    path("reservations/", include("tenant_apps.bookings.portal_urls")),
    path("profil/", include("tenant_apps.family_portal.profile_urls")),
    path("enfants/", include("tenant_apps.family_portal.children_urls")),
    path("factures/", include("tenant_apps.billing.portal_urls")),
    path("paiement/", include("tenant_apps.payments.urls_portal")),
    path("messagerie/", include("tenant_apps.messaging.portal_urls")),
    path("documents/", include("tenant_apps.publications.portal_urls")),
    path("questionnaires/", include("tenant_apps.questionnaires.portal_urls")),
    path("mentions-legales/", include("tenant_apps.commune_settings.portal_urls")),
]
