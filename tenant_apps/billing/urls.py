"""Back-office billing pages, included at /gestion/facturation/."""

from django.urls import path

from tenant_apps.billing import views, views_accounts, views_invoices

app_name = "billing"
urlpatterns = [
    path("", views.index, name="index"),
    path("parametres/", views_accounts.settings_page, name="settings"),
    path("tarifs/", views.tariff_list, name="tariffs"),
    path("tarifs/nouveau/<int:service_id>/", views.tariff_create_page, name="tariff-create"),
    path("tarifs/<int:pk>/modifier/", views.tariff_edit_page, name="tariff-edit"),
    path("apercu-prix/", views.price_preview_json, name="price-preview"),
    path("campagnes/", views.run_list_redirect, name="runs"),
    path("campagnes/nouvelle/", views.run_new_page, name="run-new"),
    path("campagnes/<int:pk>/", views.run_page, name="run"),
    path("campagnes/<int:pk>/progression/", views.run_progress, name="run-progress"),
    path("campagnes/<int:pk>/<slug:action>/", views.run_action, name="run-action"),
    path("factures/", views_invoices.invoice_list, name="invoices"),
    path("factures/relancer/", views_invoices.remind_all_action, name="remind-all"),
    path("factures/<int:pk>/", views_invoices.invoice_page, name="invoice"),
    path("factures/<int:pk>/pdf/", views_invoices.invoice_pdf, name="invoice-pdf"),
    path("factures/<int:pk>/avoir/", views_invoices.credit_note_action, name="credit-note"),
    path("factures/<int:pk>/relance/", views_invoices.reminder_action, name="reminder"),
    path("paiements/", views_invoices.payment_list, name="payments"),
    path("paiements/<int:pk>/", views_invoices.payment_page, name="payment"),
    path("paiements/<int:pk>/annulation/", views_invoices.payment_reverse_action,
         name="payment-reverse"),
    path("foyers/<int:household_id>/", views_accounts.account_page, name="account"),
    path("foyers/<int:household_id>/paiement/", views_invoices.payment_new_page,
         name="payment-new"),
    path("foyers/<int:household_id>/recharger/", views_accounts.top_up_action, name="top-up"),
    path("foyers/<int:household_id>/attestation/<str:year>/", views_accounts.certificate_pdf,
         name="certificate"),
    path("attestations/<str:year>/", views_accounts.certificates_bulk, name="certificates"),
    path("groupes/<int:pk>/", views_invoices.group_page, name="group"),
    path("groupes/<int:pk>/deposer/", views_invoices.deposit_action, name="deposit"),
    path("depots/<int:pk>/export/", views_invoices.deposit_export, name="deposit-export"),
]
