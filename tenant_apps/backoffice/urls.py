from django.urls import include, path

from tenant_apps.accounts.views import logout_view
from tenant_apps.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("connexion/", views.backoffice_login, name="login"),
    path("deconnexion/", logout_view, name="logout"),
    path("parametres/", views.settings_page, name="settings"),
    path("parametres/portail/champs/", include("tenant_apps.family_portal.policy_urls")),
    path("parametres/portail/", include("tenant_apps.commune_settings.urls")),
    path("demandes/", include("tenant_apps.family_portal.backoffice_urls")),
    path("envois/", views.outbox_page, name="outbox"),
    path("familles/", include("tenant_apps.families.urls")),
    path("scolarite/", include("tenant_apps.schooling.urls")),
    path("prestations/", include("tenant_apps.catalog.urls")),
    path("reservations/", include("tenant_apps.bookings.urls")),
    path("commandes-repas/", include("tenant_apps.catering.urls")),
    path("rappels/", include("tenant_apps.reminders.urls")),
    path("facturation/", include("tenant_apps.billing.urls")),
    path("paiements-en-ligne/", include("tenant_apps.payments.urls_backoffice")),
    path("donnees/", include("tenant_apps.exchange.urls")),
    path("mailings/", include("tenant_apps.mailings.urls")),
    path("messagerie/", include("tenant_apps.messaging.urls")),
    path("documents/", include("tenant_apps.publications.urls")),
    path("questionnaires/", include("tenant_apps.questionnaires.urls")),
]
