"""Billing endpoints of the commune API (/api/v1/)."""

from django.urls import path

from tenant_apps.billing import api

urlpatterns = [
    path("facturation/apercu-prix/", api.PricePreviewApi.as_view(), name="api-price-preview"),
    path("facturation/factures/", api.InvoiceListApi.as_view(), name="api-invoices"),
    path("facturation/factures/<int:pk>/", api.InvoiceDetailApi.as_view(), name="api-invoice"),
]
