"""Back-office online payments and direct debits, included at /gestion/paiements-en-ligne/."""

from django.urls import path

from tenant_apps.payments import views_backoffice, views_sepa

app_name = "payments"
urlpatterns = [
    path("", views_backoffice.operations_page, name="operations"),
    path("rapprocher/", views_backoffice.reconcile_action, name="reconcile"),
    path("parametres/", views_backoffice.settings_page, name="settings"),
    path("parametres/sepa/", views_sepa.sepa_settings_page, name="sepa-settings"),
    path("<int:pk>/", views_backoffice.operation_page, name="operation"),
    path("<int:pk>/verifier/", views_backoffice.check_action, name="check"),
    path("<int:pk>/traitee/", views_backoffice.resolve_action, name="resolve"),
    path("prelevements/", views_sepa.sepa_page, name="sepa"),
    path("prelevements/nouveau/", views_sepa.debit_run_create_action, name="debit-run-create"),
    path("prelevements/<int:pk>/", views_sepa.debit_run_page, name="debit-run"),
    path("prelevements/<int:pk>/fichier/", views_sepa.debit_run_file, name="debit-run-file"),
    path("prelevements/<int:pk>/confirmer/", views_sepa.debit_run_confirm_action,
         name="debit-run-confirm"),
    path("prelevements/lignes/<int:pk>/rejet/", views_sepa.debit_item_return_action,
         name="debit-item-return"),
    path("mandats/nouveau/", views_sepa.mandate_create_action, name="mandate-create"),
    path("mandats/<int:pk>/<slug:action>/", views_sepa.mandate_action, name="mandate-action"),
]
