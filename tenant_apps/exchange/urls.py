from django.urls import path

from tenant_apps.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/modele.<str:fmt>", views.import_template, name="import_template"),
    path("import/<str:token>/", views.import_preview, name="import_preview"),
    path("import/<str:token>/termine/", views.import_result, name="import_result"),
]
