"""Portal online payment, included at /paiement/ by tenant_apps.portal.urls."""

from django.urls import path

from tenant_apps.payments import views_portal, views_sepa

app_name = "payments"
urlpatterns = [
    path("facture/<int:pk>/", views_portal.pay_invoice, name="pay-invoice"),
    path("rechargement/", views_portal.top_up, name="top-up"),
    path("notification/", views_portal.notification, name="notification"),
    path("retour/", views_portal.return_page, name="return"),
    path("prelevement/", views_sepa.mandate_request_page, name="mandate-request"),
]
