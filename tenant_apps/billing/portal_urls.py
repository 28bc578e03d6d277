"""Portal "Mes factures", included at /factures/ by tenant_apps.portal.urls."""

from django.urls import path

from tenant_apps.billing import portal_views

app_name = "billing"
urlpatterns = [
    path("", portal_views.invoice_list, name="list"),
    path("<int:pk>/pdf/", portal_views.invoice_pdf, name="pdf"),
    path("attestation/<int:household_id>/<int:year>/", portal_views.certificate_pdf,
         name="certificate"),
]
